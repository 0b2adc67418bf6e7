"""Enclave's recognizers: one small class per identifier, grouped by domain."""
