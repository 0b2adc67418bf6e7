"""Conversation files: round trip, a damaged file is kept aside and reported (never
overwritten), durable writes, and the conversation follows its workspace when renamed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.history import CitationRef, Exchange, HistoryStore
from models.prompts import Turn

REF = CitationRef(1, "lease.pdf", "/docs/lease.pdf", "abc123", 2, 0, 10, "Rent is due",
                  True, "verified on page 2")


def test_history_round_trips_per_workspace(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    store.save("Matter / 1", [Exchange("When is rent due?", "Monthly [1].", [REF])])
    assert store.load("Matter / 1").exchanges[0].citation(1) == REF
    assert store.load("Other").exchanges == []
    store.delete("Matter / 1")
    assert store.load("Matter / 1").exchanges == []


def test_a_damaged_file_is_kept_aside_the_user_is_told_and_it_is_never_overwritten(
        tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    store.file_for("m").write_text("{not json", encoding="utf-8")
    conversation = store.load("m")
    assert conversation.exchanges == []
    kept = list(tmp_path.glob("m.corrupt-*.json"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "{not json"
    assert "could not be read" in conversation.notice and str(kept[0]) in conversation.notice
    store.save("m", [Exchange("A new question?", "An answer.")])
    assert kept[0].read_text(encoding="utf-8") == "{not json"
    assert store.load("m").notice == "" and store.load("m").exchanges[0].answer == "An answer."


def test_a_file_with_the_wrong_shape_is_kept_aside_too(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    store.file_for("m").write_text('{"exchanges": [{"answer": "no question"}]}',
                                   encoding="utf-8")
    assert store.load("m").notice
    assert list(tmp_path.glob("m.corrupt-*.json"))


def test_a_save_is_synced_to_disk_before_it_replaces_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, events = HistoryStore(tmp_path), []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace",
                        lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    store.save("m", [Exchange("Q?", "A.")])
    assert events.index("fsync") < events.index("replace")
    assert not list(tmp_path.glob("*.tmp"))


def test_renaming_a_workspace_keeps_its_conversation(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    store.save("Old", [Exchange("When is rent due?", "Monthly [1].", [REF])])
    store.rename("Old", "New")
    assert store.load("New").exchanges[0].question == "When is rent due?"
    assert not store.file_for("Old").exists()


def test_renaming_onto_a_workspace_with_a_conversation_keeps_both(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path)
    store.save("A", [Exchange("First?", "1.")])
    store.save("B", [Exchange("Second?", "2.")])
    store.rename("A", "B")
    assert [item.question for item in store.load("B").exchanges] == ["Second?", "First?"]


def test_an_exchange_gives_a_follow_up_the_documents_its_answer_cites() -> None:
    def ref(number: int, doc_id: str) -> CitationRef:
        return CitationRef(number, f"{doc_id}.md", f"/m/{doc_id}.md", doc_id, 1, 0, 5, "text",
                           True)

    refs = [ref(1, "a"), ref(2, "b")]
    answered = Exchange("How much notice?", "ninety (90) days [1]", refs, outcome="answered")
    assert answered.turn().doc_ids == ("a",)  # [2] is evidence the answer does not cite
    declined = Exchange("Non-compete?", "No. Enclave found no clause on non-compete in a.md.",
                        refs, outcome="declined")
    assert declined.turn().doc_ids == ()  # the closest passages are no answer's documents
    stopped = Exchange("How much notice?", "ninety", refs, stopped=True, outcome="answered")
    assert stopped.turn() == Turn("How much notice?", "ninety")
