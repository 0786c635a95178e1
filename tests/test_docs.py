"""The README stays true: every setting and command is documented."""

from pathlib import Path

import click

from app.cli import main
from app.settings import Settings

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_setting_is_in_the_readme() -> None:
    for name in Settings.model_fields:
        assert f"`PRIMAS_{name.upper()}`" in README, f"PRIMAS_{name.upper()} is undocumented"


def test_every_command_is_in_the_readme() -> None:
    for command in main.list_commands(click.Context(main)):
        assert f"`primas {command}" in README, f"primas {command} is undocumented"


def test_readme_shows_the_two_commands_first() -> None:
    first_blocks = [block.split("```")[0].strip() for block in README.split("```sh")[1:3]]
    assert first_blocks == ["make run", "make test"]
