"""A few touches on top of the platform style; colours come from the palette, so light and
dark schemes both work."""

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)

STYLE_SHEET = """
QLabel#sectionTitle { font-size: 11pt; font-weight: 600; padding: 2px 0; }
QLabel#hint { color: palette(mid); padding: 6px; }
QPushButton#primary {
    background: palette(highlight); color: palette(highlighted-text);
    border: none; border-radius: 4px; padding: 6px 18px; font-weight: 600;
}
QPushButton#primary:disabled { background: palette(midlight); color: palette(mid); }
QLineEdit#question { padding: 6px 8px; font-size: 10.5pt; }
QTextBrowser#transcript { padding: 6px; }
QStatusBar QLabel { padding: 0 8px; }
QFrame#modelWait { background: palette(alternate-base); border: 1px solid palette(mid);
                   border-radius: 4px; }
"""


def named(widget: W, name: str) -> W:
    """``widget`` with an object name, for the style sheet above."""
    widget.setObjectName(name)
    return widget
