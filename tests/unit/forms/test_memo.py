"""Work done once per frozen model: cached by identity, never by equal content."""

from collections.abc import Callable

import pytest

from app.forms.definition import Option
from app.forms.memo import once_per_object


def counting_labels() -> tuple[list[str], Callable[..., str]]:
    built: list[str] = []

    @once_per_object(limit=2)
    def label(option: Option) -> str:
        built.append(option.value)
        return option.label.upper()

    return built, label


def test_the_work_is_done_once_per_object() -> None:
    built, label = counting_labels()
    option = Option(value="yes", label="Yes")
    assert [label(option), label(option)] == ["YES", "YES"]
    assert built == ["yes"]


def test_an_equal_object_is_a_different_one() -> None:
    built, label = counting_labels()
    label(Option(value="yes", label="Yes"))
    label(Option(value="yes", label="Yes"))
    assert built == ["yes", "yes"]


def test_only_the_latest_are_kept() -> None:
    built, label = counting_labels()
    first, second, third = (Option(value=v, label=v) for v in ("a", "b", "c"))
    for option in (first, second, third, third, first):
        label(option)
    assert built == ["a", "b", "c", "a"]  # the oldest, "a", made way for "c"


def test_keyword_arguments_are_refused() -> None:
    _, label = counting_labels()
    with pytest.raises(TypeError):
        label(option=Option(value="yes", label="Yes"))
