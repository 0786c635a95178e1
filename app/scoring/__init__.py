"""Scoring: topics, reference-data lookups, priorities and obligations. Pure: no database, request,
clock or settings; everything arrives as arguments."""
