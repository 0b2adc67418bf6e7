"""The status bar: active model, memory in use, and the Offline indicator."""

from __future__ import annotations

import psutil
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QStatusBar

from app.egress import guard
from app.network_isolation import offline_mode
from ui.elided_label import ElidedLabel

# Green and red with a contrast of 4.5:1 or more on a light and on a dark status bar.
GOOD, GOOD_ON_DARK, BAD, BAD_ON_DARK = "#2e7d32", "#81c784", "#c62828", "#ef9a9a"


def memory_text() -> str:
    rss = psutil.Process().memory_info().rss
    return f"Memory {rss / 2**30:.2f} GB" if rss >= 2**30 else f"Memory {rss / 2**20:.0f} MB"


def offline_text() -> str:
    egress = guard()
    if not egress.installed:
        return f"Egress guard OFF · {egress.blocked_count} blocked"
    return f"{offline_mode().label} · {egress.blocked_count} blocked"


def offline_tooltip() -> str:
    mode = offline_mode()
    how = ("The operating system has cut this process off from every network"
           if mode.enforced_by_os else "Enclave refuses every connection inside the process; "
           "the operating system could not cut the network off")
    return (f"{how} ({mode.detail}). The count is the number of attempts Enclave stopped "
            "(it should be 0).")


class StatusWidgets:
    """The labels on a window's status bar, refreshed every two seconds."""

    def __init__(self, bar: QStatusBar) -> None:
        self.model_label = ElidedLabel("Loading model…")  # an imported model's long name
        self.memory_label = QLabel()
        self.offline_label = QLabel()
        self.offline_label.setToolTip(offline_tooltip())
        bar.addWidget(self.model_label, 1)
        bar.addPermanentWidget(self.memory_label)
        bar.addPermanentWidget(self.offline_label)
        self.timer = QTimer(bar)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(2000)
        self.refresh()

    def refresh(self) -> None:
        self.memory_label.setText(memory_text())
        self.offline_label.setText(offline_text())
        installed = guard().installed
        dark = self.offline_label.palette().color(QPalette.ColorRole.Window).lightness() < 128
        colour = (GOOD_ON_DARK if dark else GOOD) if installed else (BAD_ON_DARK if dark else BAD)
        self.offline_label.setStyleSheet(f"color: {colour}; font-weight: 600")

    def stop(self) -> None:
        self.timer.stop()
