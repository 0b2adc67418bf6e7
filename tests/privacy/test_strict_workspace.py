"""A strict workspace stores no raw identifiers anywhere (passages, keyword index, page copies,
Chroma's files, conversation history), and questions still retrieve and cite its passages.
Real components: the ONNX embedder, Chroma and SQLite on disk, Presidio + spaCy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.history import Exchange
from app.paths import DataPaths
from app.privacy.analyzer import PiiAnalyzer
from app.services import Lazy, Services, build_services
from app.settings import parse_settings
from rag.embedder import Embedder, load_embedder
from rag.onnx_export import exported_model
from tests.fake_runtime import FakeRuntime

PLANTED = {"name": "Marguerite Okonkwo", "ssn": "219-09-4817", "mrn": "00734512",
           "phone": "(415) 555-0133", "email": "m.okonkwo@example.org"}
NOTE = f"""Clinic intake note

Patient: {PLANTED["name"]}
SSN on file: {PLANTED["ssn"]}
MRN: {PLANTED["mrn"]}
Phone: {PLANTED["phone"]}
Email: {PLANTED["email"]}

Diagnosis: type 2 diabetes mellitus, well controlled on metformin 500 mg twice daily.
Follow-up in three months for HbA1c testing and a foot examination.
"""
# Raw forms a store could hold: the values, and the words a keyword index would keep (short
# digit groups such as "4817" are left out: they occur by chance in the stores' hex ids).
NEEDLES = [*PLANTED.values(), "okonkwo", "marguerite", "00734512", "m.okonkwo"]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return load_embedder(model=exported_model(tmp_path_factory.mktemp("embedder")))


@pytest.fixture
def services(tmp_path: Path, embedder: Embedder, analyzer: PiiAnalyzer) -> Iterator[Services]:
    built = build_services(DataPaths(tmp_path / "home"), runtime=FakeRuntime(),
                           embedder=lambda: embedder, pii_analyzer=Lazy(lambda: analyzer))
    built.settings = parse_settings({"privacy": {"workspace_policies": {"clinic": "strict"}}})
    yield built
    built.close()


def _leaks(folder: Path) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            found += [f"{needle} in {path.name}" for needle in NEEDLES
                      if needle.lower().encode("utf-8") in data]
    return found


def test_a_strict_workspace_stores_no_raw_identifiers(services: Services, tmp_path: Path) -> None:
    note = tmp_path / "intake.txt"
    note.write_text(NOTE, encoding="utf-8")
    report = services.library().ingest([note], workspace="clinic")
    assert report.count("indexed") == 1
    services.close()  # checkpoints SQLite's write-ahead log into the database file
    assert _leaks(services.paths.index_dir) == []


def test_a_question_still_retrieves_and_cites_the_redacted_passage(
        services: Services, tmp_path: Path) -> None:
    note = tmp_path / "intake.txt"
    note.write_text(NOTE, encoding="utf-8")
    services.library().ingest([note], workspace="clinic")
    hits = services.library().retriever("clinic").search("diabetes metformin follow-up", top_k=3)
    assert hits and "metformin" in hits[0].text
    assert "<US_SSN>" in (services.library().page_text("clinic", hits[0].doc_id, 1) or "")
    found = services.chat().find_evidence("How is the type 2 diabetes treated with metformin?",
                                          "clinic")
    assert found.quotes and all(quote.verified for quote in found.quotes)


def test_the_review_pane_reads_the_original_from_the_file_only(
        services: Services, tmp_path: Path) -> None:
    note = tmp_path / "intake.txt"
    note.write_text(NOTE, encoding="utf-8")
    doc_id = services.library().ingest([note], workspace="clinic").results[0].doc_id
    assert PLANTED["ssn"] in services.review().read_page("clinic", doc_id, 1).text
    note.unlink()
    shown = services.review().read_page("clinic", doc_id, 1).text
    assert PLANTED["ssn"] not in shown and "<US_SSN>" in shown


def test_strict_conversation_history_is_stored_redacted(services: Services) -> None:
    question = f"When is {PLANTED['name']} (SSN {PLANTED['ssn']}) due for follow-up?"
    services.history().save("clinic", [Exchange(question, f"{PLANTED['name']} returns in June.")])
    stored = services.history().file_for("clinic").read_text(encoding="utf-8")
    assert PLANTED["ssn"] not in stored and "Okonkwo" not in stored
    assert "<US_SSN>" in stored and "<PERSON>" in stored
    services.history().save("legal", [Exchange(question)])  # a standard workspace keeps it
    assert PLANTED["ssn"] in services.history().file_for("legal").read_text(encoding="utf-8")


def test_a_passage_cited_in_the_redacted_index_is_found_in_the_original_page(
        services: Services, tmp_path: Path) -> None:
    note = tmp_path / "intake.txt"
    note.write_text(NOTE, encoding="utf-8")
    services.library().ingest([note], workspace="clinic")
    hit = services.library().retriever("clinic").search("metformin twice daily", top_k=1)[0]
    page = services.review().read_page("clinic", hit.doc_id, hit.page)
    span = page.passage_span((hit.start, hit.end))
    assert span is not None and PLANTED["ssn"] not in hit.text
    assert "metformin 500 mg twice daily" in page.text[span[0]:span[1]]


def test_a_workspace_made_strict_is_indexed_again_and_keeps_no_raw_text(
        services: Services, tmp_path: Path) -> None:
    note, gone = tmp_path / "intake.txt", tmp_path / "gone.txt"
    note.write_text(NOTE, encoding="utf-8")
    gone.write_text(f"Referral for {PLANTED['name']}, MRN: {PLANTED['mrn']}.", encoding="utf-8")
    services.library().ingest([note, gone], workspace="intake")  # standard: text kept
    gone.unlink()
    services.settings_store.update("privacy", workspace_policies={"intake": "strict"})
    report = services.library().reindex("intake")
    assert report.count("indexed") == 1 and report.count("refused") == 1
    assert len(services.library().documents("intake")) == 1
    services.close()
    assert _leaks(services.paths.index_dir) == []


def test_a_renamed_strict_workspace_stays_strict(services: Services, tmp_path: Path) -> None:
    note = tmp_path / "intake.txt"
    note.write_text(NOTE, encoding="utf-8")
    services.library().ingest([note], workspace="clinic")
    services.workspaces().rename("clinic", "clinic 2026")
    assert services.privacy_policy("clinic 2026").name == "strict"
    services.close()
    assert _leaks(services.paths.index_dir) == []
