"""A conversation as a PDF, through QTextDocument (safe off the Qt thread: no widgets)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument


def markdown_to_pdf(markdown: str, path: Path) -> None:
    document = QTextDocument()
    document.setMarkdown(markdown)
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(150)
    writer.setTitle(path.stem)
    document.print_(writer)
