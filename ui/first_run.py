"""The sample workspace offered on first run (the documents live in app.samples)."""

from app.samples import SAMPLE_FILES, SAMPLE_WORKSPACE, copy_samples

__all__ = ["SAMPLE_FILES", "SAMPLE_WORKSPACE", "copy_samples"]
