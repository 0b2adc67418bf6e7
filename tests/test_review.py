"""The review pane's redacted preview and the exported copy share one path: the whole document
is redacted at once (real PDF, real Presidio/spaCy), so an identifier recognised on one page is
hidden on every page, in the preview as in the copy."""

from __future__ import annotations

from pathlib import Path

from app.paths import DataPaths
from app.services import build_services
from tests.fake_runtime import FakeRuntime
from tests.rag.fakes import FakeEmbedder, write_pdf

# The member ID is recognised by its label on page 1 only; alone on page 2 it is not.
PAGES = ["Patient intake. Member ID: XQZ4471920. Phone (555) 010-2299.",
         "Billing note: XQZ4471920 renewed the plan after the visit."]


def test_the_preview_and_the_export_hide_an_identifier_on_every_page(tmp_path: Path) -> None:
    services = build_services(DataPaths(tmp_path / "home"), runtime=FakeRuntime(),
                              embedder=FakeEmbedder)
    source = write_pdf(tmp_path / "intake.pdf", PAGES)
    services.workspaces().create("Clinic")
    report = services.library().ingest([source], workspace="Clinic")
    doc_id = report.results[0].doc_id
    review = services.review()
    preview = review.redact_document("Clinic", doc_id)
    output = tmp_path / "intake.redacted.txt"
    review.export_copy("Clinic", source, output)
    exported = output.read_text(encoding="utf-8")
    assert [page.number for page in preview.pages] == [1, 2]
    assert all("XQZ4471920" not in page.text for page in preview.pages)
    assert "XQZ4471920" not in exported
    assert all(page.text in exported for page in preview.pages)
    services.close()
