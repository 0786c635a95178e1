"""Use cases that own their transactions; web and api call these, never the tables directly.

Importing this package turns on the audit log for every session (services/audit.py).
"""

from app.services.audit import install_audit_hooks

install_audit_hooks()
