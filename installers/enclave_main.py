"""Entry point of the frozen app (PyInstaller runs this file)."""

import os
import sys

# The frozen app may start with an empty environment on a locked-down desktop.
os.environ.setdefault("LANG", "C.UTF-8")
# Before anything can load onnxruntime (PyInstaller's hooks included): its native telemetry
# reads this once, at initialisation. app.egress sets it again with the other switches.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

from ui.launcher import main  # noqa: E402

sys.exit(main())
