"""Entry point of the frozen app (PyInstaller runs this file)."""

import os
import sys

# The frozen app may start with an empty environment on a locked-down desktop.
os.environ.setdefault("LANG", "C.UTF-8")

from app.cli import main  # noqa: E402

sys.exit(main())
