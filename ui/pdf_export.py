"""A conversation as a PDF, through QTextDocument (safe off the Qt thread: no widgets)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument


def markdown_to_pdf(markdown: str, title: str) -> bytes:
    """The PDF's bytes, made in memory: QPdfWriter says nothing when a file write fails (a full
    disk), so the caller writes them (:func:`core.disk.write_whole`)."""
    document = QTextDocument()
    document.setMarkdown(markdown)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(150)
    writer.setTitle(title)
    document.print_(writer)
    del writer  # the PDF is finished when its writer goes
    buffer.close()
    return bytes(data.data())
