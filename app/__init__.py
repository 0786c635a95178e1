"""PRIMAS: the council's Procurement Impact Assessment service."""

__version__ = "0.1.0"
