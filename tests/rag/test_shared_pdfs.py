"""Every shared real-world PDF ends indexed or refused with a specific reason (real embedder,
real Chroma on disk), and the protected ones open with the passwords from the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.embedder import Embedder
from rag.ingest import ingest
from rag.library import Workspace
from tests.conftest import SHARED_DATA

PDFS = SHARED_DATA / "pdfs"
SPECIFIC_REASONS = {"password required", "no text", "corrupt", "wrong password"}


@pytest.mark.slow
def test_every_shared_pdf_is_indexed_or_refused_with_a_reason(
        workspace: Workspace, real_embedder: Embedder) -> None:
    pdfs = sorted(PDFS.rglob("*.pdf"))
    assert len(pdfs) == 62
    report = ingest(pdfs, workspace=workspace, embedder=real_embedder)
    assert len(report.results) == len(pdfs)
    for result in report.results:
        assert result.status == "indexed" or (
            result.status == "refused" and result.reason in SPECIFIC_REASONS
            and result.message.startswith(Path(result.path).name)), result
    assert report.count("indexed") >= 38
    reasons = {Path(result.path).name: result.reason for result in report.results}
    assert reasons["issue6010_1.pdf"] == "password required"
    assert reasons["issue7229.pdf"] == "no text"
    assert reasons["tracemonkey.pdf"] == ""
    assert workspace.consistency_problems() == []


def test_protected_shared_pdfs_open_with_their_passwords(workspace: Workspace,
                                                         fake_embedder) -> None:
    manifest = json.loads((PDFS / "hard" / "manifest.json").read_text(encoding="utf-8"))
    protected = [entry for entry in manifest if entry["password"]]
    assert protected
    for entry in protected:
        path = PDFS / "hard" / entry["file"]
        without = ingest([path], workspace=workspace, embedder=fake_embedder)
        assert without.results[0].reason == "password required"
        given = ingest([path], workspace=workspace, embedder=fake_embedder,
                       password=entry["password"])
        assert given.results[0].status == "indexed" or given.results[0].reason == "no text", \
            given.results[0]
