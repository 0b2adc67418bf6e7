"""``enclave summarize`` in a subprocess, and summaries of real SEC contracts (CUAD PDFs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from app.contracts import SUMMARY_SCHEMA, load_contract, summarize_contract
from app.contracts.grounding import quote_problems
from tests.contracts.conftest import CUAD_PDFS

ROOT = Path(__file__).resolve().parents[2]
REAL_CONTRACTS = [
    "CybergyHoldingsInc_20140520_10-Q_EX-10.27_8605784_EX-10.27_Affiliate Agreement.pdf",
    "ENERGOUSCORP_03_16_2017-EX-10.24-STRATEGIC ALLIANCE AGREEMENT.PDF",
    "EcoScienceSolutionsInc_20180406_8-K_EX-10.1_11135398_EX-10.1_Sponsorship Agreement.pdf",
]


def _enclave(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ENCLAVE_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "app.cli", "summarize", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def test_cli_prints_json_that_validates(sample_pdf: Path, enclave_home: Path) -> None:
    result = _enclave(str(sample_pdf), "--format", "json", home=enclave_home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SUMMARY_SCHEMA)
    assert data["page_count"] == 3 and data["fields"][0]["found"]


def test_cli_writes_markdown_and_docx(sample_txt: Path, enclave_home: Path,
                                      tmp_path: Path) -> None:
    markdown = _enclave(str(sample_txt), home=enclave_home)
    assert markdown.returncode == 0 and "### Governing law" in markdown.stdout
    out = tmp_path / "summary.docx"
    written = _enclave(str(sample_txt), "--out", str(out), home=enclave_home)
    assert written.returncode == 0 and out.stat().st_size > 0


def test_cli_says_when_a_file_is_not_a_contract(tmp_path: Path, enclave_home: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Remember to water the plants and buy coffee on Monday.", encoding="utf-8")
    result = _enclave(str(note), home=enclave_home)
    assert result.returncode == 2 and "does not look like a contract" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL_CONTRACTS, ids=lambda name: name[:24])
def test_real_contract_is_summarized_with_verified_citations(name: str) -> None:
    summary = summarize_contract(CUAD_PDFS / name)
    found = [result for result in summary.fields if result.found]
    assert len(found) >= 6
    assert all(result.verified for result in found)
    assert summary.field("parties").citation.page <= 2  # type: ignore[union-attr]
    law = summary.field("governing_law")
    assert law.found and "law" in law.citation.quote.lower()  # type: ignore[union-attr]


@pytest.mark.slow
def test_real_contract_cites_a_field_found_in_several_places_each_on_its_page() -> None:
    path = CUAD_PDFS / REAL_CONTRACTS[1]
    summary, contract = summarize_contract(path), load_contract(path)
    several = [result for result in summary.fields if result.more_citations]
    assert several, "no field was cited in more than one place"
    for result in several:
        for citation in result.citations:
            assert not quote_problems(citation, contract.page_text(citation.page))
        assert len({(c.page, c.start) for c in result.citations}) == len(result.citations)
    data = json.loads(json.dumps(summary.to_dict()))
    jsonschema.validate(data, SUMMARY_SCHEMA)
    assert any(field["more_citations"] for field in data["fields"])
