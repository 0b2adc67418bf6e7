"""Local language models: GGUF metadata, the model catalog and the llama.cpp runtime.

Plain Python, no Qt, and nothing from ``app`` or ``ui``.
"""
