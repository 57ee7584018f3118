"""mdmhub: a master data management hub."""

__version__ = "0.1.0"
