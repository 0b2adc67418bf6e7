"""How many threads our native libraries (llama.cpp, onnxruntime) should use by default."""

from __future__ import annotations

import os

import psutil


def physical_cores() -> int:
    """Physical cores: hyper-threads slow matrix work down on this kind of machine."""
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1
