"""A layout that wraps its widgets onto more lines when it is narrow (Qt's flow layout example).

Button rows use it so that a pane's minimum width is its widest button, not the sum of all of
them: the window then fits 1280x720 at 150% scaling, and a narrow pane shows its buttons on two
lines instead of clipping them.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget

SPACING = 6


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, *,
                 align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._align = align
        self.setSpacing(SPACING)

    # ----- QLayout's interface
    def addItem(self, item: QLayoutItem) -> None:  # Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # Qt's name
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def setGeometry(self, rect: QRect) -> None:  # Qt's name
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def sizeHint(self) -> QSize:  # Qt's name
        visible = self._visible()
        width = sum(item.sizeHint().width() for item in visible)
        width += self.spacing() * max(0, len(visible) - 1)
        height = max((item.sizeHint().height() for item in visible), default=0)
        return QSize(width, height).grownBy(self.contentsMargins())

    def minimumSize(self) -> QSize:  # Qt's name
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        return size.grownBy(self.contentsMargins())

    # ----- placing
    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _lines(self, width: int) -> list[list[QLayoutItem]]:
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._visible():
            needed = item.sizeHint().width() + (self.spacing() if lines[-1] else 0)
            if lines[-1] and used + needed > width:
                lines.append([])
                used, needed = 0, item.sizeHint().width()
            lines[-1].append(item)
            used += needed
        return [line for line in lines if line]

    def _indent(self, room: int) -> int:
        if self._align == Qt.AlignmentFlag.AlignRight:
            return max(0, room)
        return max(0, room // 2) if self._align == Qt.AlignmentFlag.AlignHCenter else 0

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        margins: QMargins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        y = area.y()
        for line in self._lines(area.width()):
            widths = [item.sizeHint().width() for item in line]
            line_width = sum(widths) + self.spacing() * (len(line) - 1)
            x = area.x() + self._indent(area.width() - line_width)
            height = max(item.sizeHint().height() for item in line)
            for item, width in zip(line, widths, strict=True):
                if place:
                    item.setGeometry(QRect(QPoint(x, y),
                                           QSize(min(width, area.width()), height)))
                x += width + self.spacing()
            y += height + self.spacing()
        used = max(0, y - self.spacing() - area.y())
        return used + margins.top() + margins.bottom()


def wrapping_row(*widgets: QWidget,
                 align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> QWidget:
    """``widgets`` side by side, wrapping onto more lines when there is not room for them."""
    row = QWidget()
    layout = FlowLayout(row, align=align)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    row.setSizePolicy(policy)
    return row
