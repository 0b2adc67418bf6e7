"""Redacted copies of documents as text, Markdown or PDF, with a summary of what was removed.

The summary gives counts per type, never values. The PDF is rebuilt from the redacted text
(a plain text PDF: the original layout, images and fonts are not kept).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from app.privacy.analyzer import PiiAnalyzer
from app.privacy.anonymize import Replacer, found_values, redact
from app.privacy.policy import PrivacyPolicy, Treatment
from app.privacy.report import RedactionReport
from app.privacy.scan_export import export_redacted_scan, is_scanned
from core.disk import written_whole
from core.errors import InputError
from core.jobs import CancelFn, ProgressFn, never_cancel, no_progress
from rag.documents import Page
from rag.loaders import load_document

EXPORT_SUFFIXES = (".txt", ".md", ".pdf")
NOT_WRITTEN = "The redacted copy was not written"


def default_output(source: Path) -> Path:
    suffix = source.suffix.lower() if source.suffix.lower() in EXPORT_SUFFIXES else ".txt"
    return source.with_name(f"{source.stem}.redacted{suffix}")


def redact_pages(pages: Sequence[Page], analyzer: PiiAnalyzer, policy: PrivacyPolicy, *,
                 treatment: Treatment | None = None, progress: ProgressFn = no_progress,
                 cancel: CancelFn = never_cancel) -> tuple[list[Page], Counter[str]]:
    """Pages with identifiers replaced (as exports get them, unless ``treatment`` says
    otherwise); one replacer for the whole document."""
    findings = analyzer.analyze_many([page.text for page in pages], progress=progress,
                                     cancel=cancel)
    replacer = Replacer(treatment or policy.treatment_for_export())
    known: dict[str, str] = {}
    for page, page_findings in zip(pages, findings, strict=True):
        kept = [f for f in page_findings if f.entity_type not in policy.exempt_entities]
        known.update(found_values(page.text, kept))
    counts: Counter[str] = Counter()
    redacted = []
    for page, page_findings in zip(pages, findings, strict=True):
        result = redact(page.text, page_findings, replacer, policy.exempt_entities, known)
        counts.update(result.counts)
        # An OCR'd page keeps its measurements (the low-quality flag), never its words.
        scan = page.scan.without_words() if page.scan is not None else None
        redacted.append(Page(page.number, result.text, scan))
    return redacted, counts


def export_redacted(source: Path, output: Path, analyzer: PiiAnalyzer, policy: PrivacyPolicy,
                    *, password: str | None = None, progress: ProgressFn = no_progress,
                    cancel: CancelFn = never_cancel) -> RedactionReport:
    """The document is read as ingest reads it (``rag.loaders``: sniffed by content, password
    protected PDFs opened with ``password``); the review pane's preview shares
    :func:`redact_pages`, so both redact across pages the same way."""
    suffix = output.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise InputError(f"Cannot write {output.name}: choose a .txt, .md or .pdf file name.")
    if output.resolve() == source.resolve():
        raise InputError("The redacted copy would overwrite the original; choose another name.")
    document = load_document(source, password)
    if suffix == ".pdf" and is_scanned(document):  # blacked out on the page images
        with written_whole(output, NOT_WRITTEN) as temporary:
            report = export_redacted_scan(document, temporary, analyzer, policy,
                                          password=password, progress=progress, cancel=cancel)
        return replace(report, output=output)
    pages, counts = redact_pages(document.pages, analyzer, policy, progress=progress,
                                 cancel=cancel)
    with written_whole(output, NOT_WRITTEN) as temporary:
        _WRITERS[suffix](pages, RedactionReport(source, temporary, len(pages), counts), policy)
    return RedactionReport(source, output, len(pages), counts)


def summary_lines(report: RedactionReport, policy: PrivacyPolicy) -> list[str]:
    # The file name is left out: names of files can hold personal data too.
    lines = [f"Redacted copy ({report.pages} pages), policy {policy.name!r} "
             f"({policy.export.value}): {report.total} items removed."]
    lines += [f"  {entity}: {count}" for entity, count in sorted(report.counts.items())]
    return lines


def _write_text(pages: list[Page], report: RedactionReport, policy: PrivacyPolicy) -> None:
    body = "\n\f\n".join(page.text for page in pages)
    summary = "\n".join(summary_lines(report, policy))
    report.output.write_text(f"{body}\n\n---\n{summary}\n", encoding="utf-8")


def _write_markdown(pages: list[Page], report: RedactionReport, policy: PrivacyPolicy) -> None:
    body = "\n\n---\n\n".join(f"<!-- page {page.number} -->\n\n{page.text}" for page in pages)
    rows = "\n".join(f"| {entity} | {count} |" for entity, count in sorted(report.counts.items()))
    summary = (f"## Redaction summary\n\n{summary_lines(report, policy)[0]}\n\n"
               f"| type | removed |\n|---|---:|\n{rows}\n")
    report.output.write_text(f"{body}\n\n{summary}", encoding="utf-8")


def _write_pdf(pages: list[Page], report: RedactionReport, policy: PrivacyPolicy) -> None:
    from app.markdown_text import is_markdown, plain
    from app.privacy.pdf_writer import write_text_pdf

    # A Markdown file reads as text on paper: no "##" or "**", paragraphs not cut mid-line.
    shown = plain if is_markdown(report.source.name) else str
    write_text_pdf(report.output, [shown(page.text) for page in pages],
                   summary_lines(report, policy))


_WRITERS = {".txt": _write_text, ".md": _write_markdown, ".pdf": _write_pdf}
