"""A new user's first hour in the real window: Qt's xcb platform on a test-owned Xvfb, each
scene in its own process (tests/ui/xcb_scenes.py), its measurements read back as JSON."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import write_pdf
from tests.xdisplay import missing_tools, virtual_display, x_environment
from ui.model_wait import INDEXING

pytestmark = pytest.mark.skipif(bool(missing_tools()),
                                reason=f"needs {', '.join(missing_tools())} (setup_env.sh)")

NAME_120 = ("LifewayFoodsInc_20160316_10-K_EX-10.24_9489766_EX-10.24_Endorsement Agreement "
            "between Lifeway Foods and Athlete Brnd.pdf")


def run_scene(name: str, home: Path, tmp_path: Path, screen: str = "1280x720x24",
              file: Path | None = None, shot: Path | None = None,
              timeout: float = 900) -> dict[str, Any]:
    result = tmp_path / f"{name}.json"
    command = [sys.executable, "-m", "tests.ui.xcb_scenes", name, str(home), str(result)]
    command += ["--file", str(file)] if file else []
    command += ["--shot", str(shot)] if shot else []
    log = tmp_path / f"{name}.log"
    with virtual_display(screen) as display, log.open("wb") as output:
        environment = x_environment(display, home, PYTHONPATH=os.environ.get("PYTHONPATH", ""))
        finished = subprocess.run(command, env=environment, stdout=output,
                                  stderr=subprocess.STDOUT, timeout=timeout)
    assert finished.returncode == 0, log.read_text(errors="replace")[-4000:]
    return dict(json.loads(result.read_text(encoding="utf-8")))


def test_a_failing_step_ends_its_scene_at_once_instead_of_waiting_on_a_dialog(
        tmp_path: Path, enclave_home: Path) -> None:
    with pytest.raises(AssertionError, match="a step that never happens: not done within 1 s"):
        run_scene("failing-step", enclave_home, tmp_path, timeout=120)


def test_a_120_character_file_name_never_widens_the_window_past_a_1280x720_screen(
        tmp_path: Path, enclave_home: Path) -> None:
    assert len(NAME_120) == 120
    pdf = write_pdf(tmp_path / NAME_120, [
        "Endorsement. The athlete endorses the products of the company in its advertising.",
        "Choice of law. This agreement is governed by the laws of the State of Illinois."])
    seen = run_scene("long-name", enclave_home, tmp_path, file=pdf,
                     shot=tmp_path / "long-name.png")
    assert seen["documents"] == 1
    assert seen["progress_labels"], "the progress line never named the file"
    assert seen["screen_width"] == 1280
    assert max(seen["widths"]) <= 1280, seen["widths"]
    assert max(seen["x_widths"]) <= 1280, seen["x_widths"]
    assert min(seen["question_widths"]) >= 200, "the question box was squeezed"


def short_answers(home: Path) -> None:
    """Two cores: short answers from the two best passages."""
    from app.paths import DataPaths
    from app.settings import Settings, save_settings, updated

    paths = DataPaths(home).ensure()
    short = updated(updated(Settings(), "llm", max_tokens=24), "rag", top_k=2)
    save_settings(short, paths.settings_file)


def test_a_question_asked_while_the_sample_matter_is_indexed_is_answered_right_after(
        tmp_path: Path, enclave_home: Path) -> None:
    short_answers(enclave_home)
    seen = run_scene("ask-while-indexing", enclave_home, tmp_path, screen="1600x1000x24",
                     shot=tmp_path / "question-waits-for-index.png")
    events = seen["events"]
    assert events[:3] == ["busy True", "asked", f"waiting: {INDEXING}"] or \
        events[:2] == ["busy True", "asked"] and events[2].startswith("waiting: Loading"), events
    assert events.index("ingested") > events.index("asked")
    assert seen["outcome"] == "answered", seen
    assert "services_agreement.md" in seen["sources"]
    shown = seen["answer"] + " ".join(seen["quotes"][:1])
    assert re.search(r"\b(?:90|ninety)\b", shown, re.IGNORECASE), seen


GOVERNING_LAW = (
    "15. Choice of Law and Forum. This Agreement and any dispute arising out of or relating "
    "to it shall be governed by and construed in accordance with the laws of the State of "
    "Illinois, without regard to its conflict of laws principles, and the parties submit to "
    "the exclusive jurisdiction of the state and federal courts located in Cook County, "
    "Illinois.")


def test_clicking_a_multi_line_pdf_citation_marks_every_line_of_the_quote_on_the_page(
        tmp_path: Path, enclave_home: Path) -> None:
    short_answers(enclave_home)
    pdf = write_pdf(tmp_path / "endorsement_agreement.pdf", [
        "1. Endorsement. The Athlete shall endorse the Company's kefir products in print and "
        "broadcast advertising during the Term.\n\n2. Fees. The Company shall pay the Athlete "
        "a fee of $250,000 per contract year.",
        "14. Notices. Notices shall be in writing and delivered by courier.\n\n"
        + GOVERNING_LAW + "\n\n16. Entire Agreement. This Agreement is the entire agreement."])
    seen = run_scene("pdf-citation", enclave_home, tmp_path, screen="1600x1000x24", file=pdf,
                     shot=tmp_path / "pdf-citation.png")
    assert seen["pages_opened"] == 2, "the answer's [1] and the quote's [1] each open the page"
    assert seen["clicked_source"] == "endorsement_agreement.pdf" and seen["page"] == 2, seen
    assert "State of Illinois" in seen["passage_text"], seen
    assert len(seen["line_tops"]) >= 2, "the quote spans lines: one mark per line"
    assert all(share > 0.8 for share in seen["line_yellow"]), seen["line_yellow"]
    assert seen["yellow_bands"] == len(seen["line_tops"]), seen
    assert " ".join(seen["marked_text"].split()) in " ".join(seen["passage_text"].split()) \
        or " ".join(seen["passage_text"].split()) in " ".join(seen["marked_text"].split())
    assert seen["zoom"] == "Fit width" and seen["page_width"] >= seen["pane_width"] - 4
    assert seen["zoomed_width"] > seen["page_width"] and seen["zoomed_lines"] >= 2


def test_ctrl_o_opens_the_add_dialog_right_after_a_workspace_is_made_with_the_keyboard(
        tmp_path: Path, enclave_home: Path) -> None:
    seen = run_scene("new-then-ctrl-o", enclave_home, tmp_path)
    assert seen["workspace"] == "Matter B", seen
    assert seen["opened"] == ["add files"], seen
