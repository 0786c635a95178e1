"""Shared parts are set up by one function, not by importing a package."""

from __future__ import annotations

import subprocess
import sys

from app.scoring.catalogue import Catalogue
from tests.support.catalogue import shipped

CHECK = """
import app.main, app.cli, app.services, app.services.audit as audit
from sqlalchemy import event
from sqlalchemy.orm import Session
print(event.contains(Session, "after_flush", audit._audit_flush))
{then}
print(event.contains(Session, "after_flush", audit._audit_flush))
"""


def _hooks_before_and_after(then: str) -> list[str]:
    code = CHECK.format(then=then)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.split()


def test_importing_the_service_turns_nothing_on() -> None:
    assert _hooks_before_and_after("") == ["False", "False"]


def test_start_turns_on_the_audit_log_and_reads_the_catalogue() -> None:
    then = "from app.services.startup import start; catalogue = start()"
    assert _hooks_before_and_after(then) == ["False", "True"]


def test_the_catalogue_holds_every_shipped_version_with_its_rules() -> None:
    catalogue = shipped()
    assert isinstance(catalogue, Catalogue)
    assert set(catalogue.forms) == set(catalogue.rules) == {("primas", v) for v in (1, 2, 3)}
    assert catalogue.latest("primas").version == 3
    assert catalogue.rules_for(catalogue.definition("primas", 2)) is catalogue.rules[("primas", 2)]
    assert len(catalogue.topics.topics) == 11
    assert catalogue.kpis.kpis
