"""Enclave's Qt-free core: settings, services, audit trail, privacy and the CLI."""
