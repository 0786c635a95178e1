"""Use cases that own their transactions; web and api call these, never the tables directly."""
