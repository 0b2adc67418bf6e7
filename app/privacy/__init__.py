"""Personal data (PII/PHI) detection and redaction. Qt-free; heavy imports stay in submodules."""
