"""Document review: the page (QtPdf for PDFs, text for others), personal data highlighted by
type with a legend and counts, a redacted preview, and "Export redacted copy…".

Reading a page, scanning it for personal data and redacting the document are Jobs
(app.review); scans are cached per page, redacted documents per document and policy.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.markdown_text import is_markdown, plain
from app.review import PageText, RedactedDocument
from app.scan_page import ScannedPageImage
from app.services import Services
from app.text_map import TextMap, find_passage
from core.display import one_line
from ui.elided_label import ElidedLabel
from ui.errors import show_error
from ui.flow_layout import wrapping_row
from ui.highlight import legend_html, page_html
from ui.pdf_page_view import PdfPageView
from ui.scan_page_view import PASSAGE, ScanPageView
from ui.style import named
from ui.worker import Job, JobRunner

EMPTY_TEXT = ("<p style='margin:40px; color:gray' align='center'>Open a document from the "
              "library, or click a citation such as [1] in an answer, to review it here.</p>")


@dataclass(frozen=True)
class Target:
    workspace: str
    doc_id: str
    path: str
    title: str
    page: int = 1
    passage: tuple[int, int] | None = None
    passage_text: str = ""


class ReviewView(QWidget):
    sig_page_shown = Signal(int)
    sig_page_image_shown = Signal(object)  # app.scan_page.ScannedPageImage, or None
    sig_scan_finished = Signal(object)  # Counter of entity types on the page
    sig_redaction_finished = Signal(object)  # app.review.RedactedDocument
    sig_export_finished = Signal(object)  # app.privacy.export.RedactionReport

    def __init__(self, services: Services, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.services, self.runner = services, runner
        self.target: Target | None = None
        self.page_text: PageText | None = None
        self.findings: dict[tuple[str, int], list[Any]] = {}
        self.redacted: dict[tuple[str, str], RedactedDocument] = {}  # (doc id, policy name)
        self._redacting: tuple[str, str] | None = None
        self._is_pdf = False
        self._pdf_map: TextMap | None = None  # the page text onto QtPdf's text of the page
        self._kept: dict[str, Target] = {}  # the document each workspace last showed
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self._header())
        self.tabs = QTabWidget()
        self.pdf_view = self._pdf_pane()
        self.scan_view = ScanPageView()  # a page read by OCR: its image, marked by word boxes
        self.page_stack = QStackedWidget()
        self.page_stack.addWidget(self.pdf_view)
        self.page_stack.addWidget(self.scan_view)
        self.text_view = QTextBrowser()
        self.text_view.setHtml(EMPTY_TEXT)
        self.tabs.addTab(self.page_stack, "Page")
        self.tabs.addTab(self.text_view, "Text and personal data")
        self.tabs.setTabVisible(0, False)
        layout.addWidget(self.tabs, 1)
        self.legend = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        layout.addWidget(self.legend)
        self._update_controls()

    def _pdf_pane(self) -> PdfPageView:
        self.pdf_document = QPdfDocument(self)
        view = PdfPageView(self.pdf_document)
        view.sig_zoom_changed.connect(self._on_zoom_changed)
        return view

    def _header(self) -> QVBoxLayout:
        # a long file name is elided in the middle (whole in its tooltip), not cut at the edge
        self.title = named(ElidedLabel("Review"), "sectionTitle")
        self.previous_button = QPushButton("◀")
        self.next_button = QPushButton("▶")
        for button in (self.previous_button, self.next_button):
            button.setFixedWidth(36)
        self.page_label = QLabel()
        self.zoom_out_button, self.zoom_in_button = QPushButton("−"), QPushButton("+")
        self.fit_button = QPushButton("Fit width")
        self.zoom_out_button.setToolTip("Zoom out (Ctrl+wheel)")
        self.zoom_in_button.setToolTip("Zoom in (Ctrl+wheel)")
        self.fit_button.setToolTip("The page as wide as the pane")
        for button in (self.zoom_out_button, self.zoom_in_button):
            button.setFixedWidth(30)
        self.redacted_check = QCheckBox("Redacted preview")
        self.export_button = QPushButton("Export redacted…")
        self.export_button.setToolTip("Save a copy with the personal data replaced")
        self.previous_button.clicked.connect(lambda: self.show_page(self._page() - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self._page() + 1))
        self.redacted_check.toggled.connect(self._on_redacted_toggled)
        self.export_button.clicked.connect(self.choose_export)
        self.zoom_in_button.clicked.connect(lambda: self.pdf_view.zoom_in())
        self.zoom_out_button.clicked.connect(lambda: self.pdf_view.zoom_out())
        self.fit_button.clicked.connect(lambda: self.pdf_view.fit_width())
        zoom = QWidget()
        zoom_row = QHBoxLayout(zoom)
        zoom_row.setContentsMargins(0, 0, 0, 0)
        for zoom_button in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            zoom_row.addWidget(zoom_button)
        self.zoom_box = zoom
        pages = QWidget()
        pager = QHBoxLayout(pages)
        pager.setContentsMargins(0, 0, 0, 0)
        for widget in (self.previous_button, self.page_label, self.next_button):
            pager.addWidget(widget)
        controls = QHBoxLayout()
        controls.addWidget(pages, 0, Qt.AlignmentFlag.AlignTop)
        controls.addWidget(wrapping_row(zoom, self.redacted_check, self.export_button,
                                        align=Qt.AlignmentFlag.AlignRight), 1)
        column = QVBoxLayout()
        column.addWidget(self.title)
        column.addLayout(controls)
        return column

    # ----- workspaces: each shows only its own document
    def set_workspace(self, workspace: str | None) -> None:
        """Another matter: this one's document is put away (and shown again on coming back);
        nothing of the previous matter stays on screen."""
        if self.target is not None:
            self._kept[self.target.workspace] = self.target
        self.clear()
        kept = self._kept.get(workspace or "")
        if kept is not None:
            self.open_target(kept)

    def clear(self) -> None:
        self.target, self.page_text, self._pdf_map = None, None, None
        self.title.setText("Review")
        self.pdf_view.show_page(-1)
        self.scan_view.show_page(None)
        self.text_view.setHtml(EMPTY_TEXT)
        self.tabs.setTabVisible(0, False)
        self._is_pdf = False
        self.legend.setText("")
        self._update_controls()

    # ----- opening
    def open_record(self, workspace: str, record: Any) -> None:
        path = record.paths[0] if record.paths else ""
        self.open_target(Target(workspace, record.doc_id, path, Path(path).name or record.title))

    def open_citation(self, workspace: str, ref: Any) -> None:
        self.open_target(Target(workspace, ref.doc_id, ref.path, ref.source, ref.page,
                                (ref.start, ref.end), ref.text))

    def open_target(self, target: Target) -> None:
        same_document = self.target is not None and self.target.doc_id == target.doc_id \
            and self.target.workspace == target.workspace
        self.target = target
        self.title.setText(f"Review — {one_line(target.title)}")
        is_pdf = target.path.lower().endswith(".pdf") and Path(target.path).is_file()
        if is_pdf and not same_document:
            self.pdf_document.load(target.path)
        if not same_document:
            self.scan_view.show_page(None)
        self._is_pdf = is_pdf
        self.tabs.setTabVisible(0, is_pdf)
        self.tabs.setCurrentIndex(0 if is_pdf and not self.redacted_check.isChecked() else 1)
        self.show_page(target.page)

    @property
    def is_pdf(self) -> bool:
        return self._is_pdf

    def _page(self) -> int:
        return self.target.page if self.target else 1

    def show_page(self, page: int) -> None:
        if self.target is None:
            return
        if self.page_text is not None and self.page_text.doc_id == self.target.doc_id:
            page = max(1, min(page, self.page_text.pages))
        if page != self.target.page:
            self.target = Target(**{**self.target.__dict__, "page": page, "passage": None,
                                    "passage_text": ""})
        if self.is_pdf:
            self._show_pdf_page(page)
        Job(self.services.review().read_page, self.target.workspace, self.target.doc_id, page) \
            .on_success(self._on_page_read).on_failure(self._on_error).start(self.runner)

    def _show_pdf_page(self, page: int) -> None:
        self.pdf_view.show_page(page - 1)
        self._pdf_map = None

    def _on_zoom_changed(self, text: str) -> None:
        self.fit_button.setEnabled(text != "Fit width")

    def _mark_pdf(self) -> None:
        """The passage and the findings of the page text, mapped onto QtPdf's text of the
        page and marked line by line (findings inside the passage give way to it)."""
        page_text, target = self.page_text, self.target
        if not self.is_pdf or page_text is None or target is None \
                or self.pdf_view.page != page_text.page - 1:
            return
        shown = self.pdf_view.page_text()
        if self._pdf_map is None:
            self._pdf_map = TextMap(page_text.text, shown)
        passage = page_text.passage_span(target.passage)
        spans = [(f.start, f.end, f.entity_type) for f in self.current_findings() or []
                 if passage is None or not (f.start < passage[1] and passage[0] < f.end)]
        mapped = [(*span, kind) for start, end, kind in spans
                  if (span := self._pdf_map.span(start, end)) is not None]
        located = self._pdf_map.span(*passage) if passage else None
        if located is None and target.passage_text:
            located = find_passage(shown, target.passage_text)
        if located is not None:
            mapped.append((*located, PASSAGE))
        self.pdf_view.show_marks(mapped)

    def _on_page_read(self, page_text: object) -> None:
        assert isinstance(page_text, PageText)
        if self.target is None or page_text.doc_id != self.target.doc_id:
            return
        self.page_text = page_text
        self._render()
        self._update_controls()
        self.sig_page_shown.emit(page_text.page)
        assert self.target is not None
        Job(self.services.review().page_image, self.target.workspace, page_text.doc_id,
            page_text.page).on_success(self._on_page_image).on_failure(self._on_error) \
            .start(self.runner)
        key = (page_text.doc_id, page_text.page)
        if key not in self.findings:
            self.legend.setText("<i>Looking for personal data…</i>")
            Job(self.services.review().scan_page, page_text).on_success(self._on_scanned) \
                .on_failure(self._on_error).start(self.runner)

    def _on_scanned(self, result: object) -> None:
        assert isinstance(result, tuple)
        page_text: PageText = result[0]
        findings: list[Any] = result[1]
        self.findings[(page_text.doc_id, page_text.page)] = findings
        if self.page_text == page_text:
            self._render()
        self.sig_scan_finished.emit(Counter(f.entity_type for f in findings))

    def _on_page_image(self, image: object) -> None:
        """A scanned page shows its image, marked, in place of the PDF view."""
        assert image is None or isinstance(image, ScannedPageImage)
        if self.page_text is None or (image is not None and (
                image.doc_id, image.page) != (self.page_text.doc_id, self.page_text.page)):
            return  # the user moved on while it rendered
        was_visible = self.tabs.isTabVisible(0)
        self.scan_view.show_page(image)
        self.page_stack.setCurrentWidget(self.pdf_view if image is None else self.scan_view)
        self.tabs.setTabVisible(0, self.is_pdf or image is not None)
        if image is not None and not was_visible and not self.redacted_check.isChecked():
            self.tabs.setCurrentIndex(0)
        self._mark_scan()
        self.sig_page_image_shown.emit(image)

    def _mark_scan(self) -> None:
        """The passage and findings as offsets of the page text; drawn only when that text is
        the text OCR read from this image (else the offsets would point at other words)."""
        image, page_text = self.scan_view.page, self.page_text
        if image is None or page_text is None or self.target is None \
                or image.text != page_text.text:
            self.scan_view.show_marks(None, [])
            return
        self.scan_view.show_marks(page_text.passage_span(self.target.passage),
                                  self.current_findings() or [])

    # ----- drawing
    def current_findings(self) -> list[Any] | None:
        if self.page_text is None:
            return None
        return self.findings.get((self.page_text.doc_id, self.page_text.page))

    def _render(self) -> None:
        if self.page_text is None or self.target is None:
            return
        findings = self.current_findings()
        self._mark_scan()
        self._mark_pdf()
        if self.redacted_check.isChecked():
            self._render_redacted(self.target, self.page_text.page)
        else:
            self.text_view.setHtml(page_html(self.page_text.text, findings or (),
                                             self.page_text.passage_span(self.target.passage),
                                             markdown=is_markdown(self.target.path)))
            if self.target.passage:
                self.text_view.scrollToAnchor("passage")
        if findings is not None:
            counts = Counter(f.entity_type for f in findings)
            self.legend.setText("Personal data on this page: " + legend_html(counts)
                                + self._kept_note(counts))

    def _kept_note(self, counts: Counter[str]) -> str:
        """Why a highlighted type may stay in the redacted copy (organisations, by default)."""
        if self.target is None:
            return ""
        policy = self.services.privacy_policy(self.target.workspace)
        kept = sorted(kind for kind in counts if kind in policy.exempt_entities)
        if not kept:
            return ""
        names = ", ".join(kind.replace("_", " ").lower() + "s" for kind in kept)
        return (f"<br><small>Highlighted {names} are for you to check; the “{policy.name}” "
                "policy keeps them in redacted copies (a company's name is not personal "
                "data). The “strict” policy removes them too.</small>")

    def _render_redacted(self, target: Target, page: int) -> None:
        key = (target.doc_id, self.services.privacy_policy(target.workspace).name)
        if key in self.redacted:
            redacted = self.redacted[key].page(page)
            self.text_view.setPlainText(plain(redacted) if is_markdown(target.path)
                                        else redacted)
            return
        self.text_view.setPlainText("Redacting the whole document, so that a name found on "
                                    "any page is hidden on every page…")
        if self._redacting != key:
            self._redacting = key
            Job(self.services.review().redact_document, target.workspace, target.doc_id) \
                .on_success(self._on_redacted).on_failure(self._on_redaction_failed) \
                .start(self.runner)

    def _on_redacted(self, document: object) -> None:
        assert isinstance(document, RedactedDocument)
        self._redacting = None
        self.redacted[(document.doc_id, document.policy)] = document
        self._render()
        self.sig_redaction_finished.emit(document)

    def _on_redaction_failed(self, error: BaseException) -> None:
        self._redacting = None
        self._on_error(error)

    def _update_controls(self) -> None:
        loaded = self.page_text is not None
        pages = self.page_text.pages if self.page_text else 0
        self.page_label.setText(f"Page {self._page()} of {pages}" if loaded else "")
        self.previous_button.setEnabled(loaded and self._page() > 1)
        self.next_button.setEnabled(loaded and self._page() < pages)
        self.redacted_check.setEnabled(loaded)
        self.export_button.setEnabled(loaded)
        self.zoom_box.setEnabled(loaded and self.is_pdf)
        self.zoom_box.setVisible(self.is_pdf)  # a text or Markdown document has no page image

    def _on_redacted_toggled(self, checked: bool) -> None:
        if checked:
            self.tabs.setCurrentIndex(1)
        self._render()

    def _on_error(self, error: BaseException) -> None:
        self.legend.setText("")
        show_error(self, error)

    # ----- export
    def choose_export(self) -> None:
        if self.target is None:
            return
        from app.privacy.export import default_output

        suggestion = default_output(Path(self.target.path))
        folder = export_folder(Path(self.target.path), self.services.paths.root)
        filters = export_filters(suggestion.suffix)
        name, chosen = QFileDialog.getSaveFileName(
            self, "Export redacted copy", str(folder / suggestion.name), ";;".join(filters),
            filters[0])
        if name:
            self.export_to(with_chosen_type(Path(name), chosen, suggestion.suffix))

    def export_to(self, output: Path) -> Job | None:
        if self.target is None:
            return None
        self.legend.setText("<i>Writing the redacted copy…</i>")
        return Job(self.services.review().export_copy, self.target.workspace,
                   Path(self.target.path), output).on_success(self._on_exported) \
            .on_failure(self._on_error).start(self.runner)

    def _on_exported(self, report: Any) -> None:
        self.legend.setText(f"Saved {report.output.name}: {report.total} items removed.")
        self.sig_export_finished.emit(report)


EXPORT_FILTERS = {".md": "Markdown (*.md)", ".txt": "Text (*.txt)", ".pdf": "PDF (*.pdf)"}


def export_filters(suffix: str) -> list[str]:
    """The file types of a redacted copy, the proposed name's first (else its folder would
    look empty in the dialog)."""
    first = EXPORT_FILTERS.get(suffix.lower(), EXPORT_FILTERS[".txt"])
    return [first, *(kind for kind in EXPORT_FILTERS.values() if kind != first)]


def with_chosen_type(name: Path, chosen: str, proposed: str) -> Path:
    """The name with the suffix of the file type chosen in the dialog, when the user changed
    the type but kept the proposed name (choosing "PDF" for "intake.redacted.md" wrote
    Markdown); a suffix the user typed is kept."""
    wanted = next((suffix for suffix, kind in EXPORT_FILTERS.items() if kind == chosen), "")
    suffix = name.suffix.lower()
    if not wanted or suffix == wanted:
        return name
    if suffix not in EXPORT_FILTERS:  # "intake.redacted": no type of its own
        return name.with_name(name.name + wanted)
    return name.with_suffix(wanted) if suffix == proposed.lower() else name


def export_folder(original: Path, data_root: Path) -> Path:
    """Beside the original, when it is the user's own file in a folder they can write to;
    else (a copy inside Enclave's data folder, such as the samples) their documents folder."""
    import os

    from PySide6.QtCore import QStandardPaths

    folder = original.parent
    inside_data = data_root.resolve() in folder.resolve().parents or \
        folder.resolve() == data_root.resolve()
    if folder.is_dir() and not inside_data and os.access(folder, os.W_OK):
        return folder
    documents = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()
