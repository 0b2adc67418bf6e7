"""Starting the desktop app."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from app.services import Services


def run_app(services: Services) -> int:
    from ui.main_window import MainWindow

    application = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(application, QApplication)
    application.setApplicationName("Enclave")
    application.setOrganizationName("Enclave")
    application.setStyle("Fusion")  # one look everywhere; follows the system light/dark scheme
    window = MainWindow(services)
    window.show()
    window.start_loading_model()
    return int(application.exec())
