"""Workspaces as the user sees them: each is a library of documents and a conversation, so
renaming or deleting one does both (the window and the command line use this)."""

from __future__ import annotations

from collections.abc import Callable

from app.history import HistoryStore
from app.library_service import LibraryService
from core.jobs import CancelFn, ProgressFn, never_cancel, no_progress
from rag.library import check_workspace_name


class WorkspaceService:
    def __init__(self, library: LibraryService, history: HistoryStore, *,
                 carry_policy: Callable[[str, str], None] = lambda old, new: None) -> None:
        """``carry_policy(old, new)``: give the new name the old one's privacy policy before
        anything is stored under it (a strict workspace stays strict when renamed)."""
        self._library, self._history = library, history
        self._carry_policy = carry_policy

    def names(self) -> list[str]:
        return self._library.workspaces()

    def create(self, name: str) -> str:
        return self._library.create_workspace(name)

    def rename(self, old: str, new: str, *, progress: ProgressFn = no_progress,
               cancel: CancelFn = never_cancel) -> str:
        self._carry_policy(old, check_workspace_name(new))
        new = self._library.rename_workspace(old, new, progress=progress, cancel=cancel)
        self._history.rename(old, new)
        return new

    def delete(self, name: str) -> str:
        self._library.delete_workspace(name)
        self._history.delete(name)
        return name
