"""Building the offline installer bundle for air-gapped sites (see installers/README section)."""
