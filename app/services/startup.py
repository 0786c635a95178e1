"""What a process sets up once before it serves or changes anything: the audit log, the
record of who changed each assessment and the wake-up of this process's mail sender on every
database session, and the catalogue (topics,
forms, rules, KPI library) read and checked."""

from __future__ import annotations

from pathlib import Path

from app.forms.loader import DEFINITIONS_DIR
from app.scoring.catalogue import Catalogue, load_catalogue
from app.services.approvals import install_contribution_hooks
from app.services.audit import install_audit_hooks
from app.services.outbox import install_wake_hooks


def start(forms_dir: Path = DEFINITIONS_DIR) -> Catalogue:
    """Turn on the audit log (idempotent) and read the catalogue; DefinitionInvalid lists every
    problem in a form, its rules or the KPI library, so a process refuses to start on one."""
    install_audit_hooks()
    install_contribution_hooks()
    install_wake_hooks()
    return load_catalogue(forms_dir)
