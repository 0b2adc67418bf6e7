"""Three short fictional documents written for Enclave: the first-run sample workspace and the
installer's self-test both use them."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

SAMPLE_WORKSPACE = "Sample matter"
SAMPLE_FILES = ("services_agreement.md", "privacy_policy.md", "patient_intake.md")


def copy_samples(data_root: Path) -> list[Path]:
    """The sample documents copied into the data directory (so the library can cite them)."""
    target = data_root / "samples"
    target.mkdir(parents=True, exist_ok=True)
    copies = []
    for name in SAMPLE_FILES:
        source = resources.files(__name__).joinpath(name)
        destination = target / name
        if not destination.exists():
            with resources.as_file(source) as path:
                shutil.copyfile(path, destination)
        copies.append(destination)
    return copies
