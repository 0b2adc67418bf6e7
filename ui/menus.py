"""The menu bar, with the shortcuts people expect on each desktop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

Shortcut = QKeySequence.StandardKey | str | None
Entry = tuple[str, Shortcut, Callable[[], Any]] | None  # None is a separator


def _add(menu: QMenu, window: QMainWindow, entries: list[Entry]) -> dict[str, QAction]:
    actions = {}
    for entry in entries:
        if entry is None:
            menu.addSeparator()
            continue
        text, shortcut, slot = entry
        action = QAction(text, window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda checked=False, slot=slot: slot())
        menu.addAction(action)
        actions[text.replace("&", "").rstrip("…")] = action
    return actions


def build_menus(window: Any) -> dict[str, QAction]:
    bar = window.menuBar()
    chat, library, review = window.chat, window.library, window.review
    actions = _add(bar.addMenu("&File"), window, [
        ("&New Workspace…", "Ctrl+Shift+N", window.workspaces.ask_new),
        ("&Add Files…", QKeySequence.StandardKey.Open, library.choose_files),
        ("Add &Folder…", "Ctrl+Shift+O", library.choose_folder),
        None,
        ("&Export Conversation…", "Ctrl+E", chat.choose_export),
        ("Export &Redacted Copy…", "Ctrl+Shift+E", review.choose_export),
        None,
        ("&Quit", QKeySequence.StandardKey.Quit, window.close),
    ])
    actions |= _add(bar.addMenu("&Edit"), window, [
        ("&Copy Answer", "Ctrl+Shift+C", chat.copy_last_answer),
        None,
        ("&Settings…", "Ctrl+,", window.open_settings),
        ("Audit &Trail…", None, window.open_audit_trail),
    ])
    actions |= _add(bar.addMenu("&Chat"), window, [
        ("&New Chat", QKeySequence.StandardKey.New, chat.new_chat),
        ("&Regenerate", "Ctrl+R", chat.regenerate),
        ("&Stop", "Esc", chat.stop),
        ("&Ask a Question", "Ctrl+L", chat.question_edit.setFocus),
    ])
    actions |= _add(bar.addMenu("&Help"), window, [
        ("&User Guide", QKeySequence.StandardKey.HelpContents, window.show_help),
        ("&Keyboard Shortcuts", None, lambda: window.show_help("Keyboard shortcuts")),
        ("&Verify Offline Mode", None, lambda: window.show_help("Offline: how to verify")),
        ("&Where Your Data Lives", None, lambda: window.show_help("Where your data lives")),
        None,
        ("&About Enclave", None, window.show_about),
    ])
    return actions
