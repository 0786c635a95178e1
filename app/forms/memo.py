"""Work derived from frozen models (form definitions, scoring rules), done once per object.

Definitions, rules and the topic catalogue are frozen once loaded and never changed, so what is
worked out from one stays true for as long as it lives: compiled show-if conditions, a
question's choices, each scoring rule's points and reasons. Models with dict fields cannot be
hashed, so these caches go by identity. Each entry holds the objects it was built from, so
their ids cannot be reused while it exists, and only the most recent few are kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

Params = ParamSpec("Params")
Built = TypeVar("Built")


def once_per_object(
    limit: int,
) -> Callable[[Callable[Params, Built]], Callable[Params, Built]]:
    """Cache `build(*objects)` by the identity of its positional arguments (`limit` entries)."""

    def decorate(build: Callable[Params, Built]) -> Callable[Params, Built]:
        built: dict[tuple[int, ...], tuple[tuple[Any, ...], Built]] = {}
        lock = threading.Lock()

        @wraps(build)
        def cached(*objects: Params.args, **options: Params.kwargs) -> Built:
            if options:
                raise TypeError(f"{build.__name__} is cached by its positional arguments only")
            key = tuple(map(id, objects))
            entry = built.get(key)
            if entry is not None:
                return entry[1]
            result = build(*objects, **options)
            with lock:
                if len(built) >= limit:
                    del built[next(iter(built))]  # the oldest
                built[key] = (objects, result)
            return result

        return cached

    return decorate
