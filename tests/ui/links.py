"""Where a link is drawn in a QTextBrowser, so a test can click it as a mouse would."""

from __future__ import annotations

from typing import Any


def link_points(browser: Any, href: str) -> list[Any]:
    """The viewport position of the middle glyph of each link to ``href``, in order (the
    browser is not scrolled: call ``scrolled_to`` before clicking one off screen)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QTextCursor

    document, points = browser.document(), []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.charFormat().anchorHref() == href:
                middle = fragment.position() + fragment.length() // 2
                before, after = QTextCursor(document), QTextCursor(document)
                before.setPosition(middle)
                after.setPosition(middle + 1)
                left, right = browser.cursorRect(before), browser.cursorRect(after)
                if right.top() != left.top():  # the glyph ends a line: its left half
                    right = left.translated(4, 0)
                points.append(QPoint((left.center().x() + right.center().x()) // 2,
                                     left.center().y()))
            iterator += 1
        block = block.next()
    return points


def scrolled_to(browser: Any, href: str, occurrence: int = 0) -> Any:
    """Scroll the ``occurrence``-th link to ``href`` into view; its viewport position."""
    from PySide6.QtWidgets import QApplication

    points = link_points(browser, href)
    if len(points) <= occurrence:
        raise LookupError(f"{len(points)} link(s) to {href}, wanted number {occurrence + 1}")
    cursor = browser.cursorForPosition(points[occurrence])
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    QApplication.processEvents()
    return link_points(browser, href)[occurrence]
