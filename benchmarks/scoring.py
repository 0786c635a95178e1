"""Scoring a full assessment: the whole engine, as a page calls it, on one core.

    .venv/bin/python -m benchmarks.scoring [--runs 20000] [--warm-up 2000]

Each case is a full PRIMAS (tests/support/scoring_cases.py): every question shown for the
procurement answered validly, follow-ups included, with the shipped form, rules and seeded
reference data. `score()` is timed whole (walking the form, reading every answer, scoring 11
topics and working out the obligations) with perf_counter_ns, one call at a time, after a
warm-up, pinned to one core where the system allows. "Today" is fixed, so every run scores the
same thing. Target: at least 5,000 scores a second, a median of 200 µs or less.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time

from app.scoring.engine import score
from tests.support.catalogue import shipped
from tests.support.scoring_cases import (
    AS_OF,
    FULL_CASES,
    Case,
    form_and_rules,
    reference_data,
    unanswered_or_extra,
)

TARGET_PER_SECOND = 5_000


def pin_to_one_core() -> str:
    """Run on one core (the last this process may use); says which, or why not."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    core = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core} of {os.cpu_count()}"


def time_scores(case: Case, runs: int, warm_up: int) -> tuple[list[int], float]:
    """Nanoseconds for each of `runs` calls to score(), after `warm_up` untimed ones, and the
    mean CPU time a call (which time spent waiting for the core does not inflate)."""
    definition, rules = form_and_rules()
    reference = reference_data()

    def once() -> object:
        return score(definition, rules, case.context, case.answers, reference,
                     topics=shipped().topics, as_of=AS_OF, overrides=case.overrides)  # fmt: skip

    for _ in range(warm_up):
        once()
    timings = []
    clock = time.perf_counter_ns
    cpu_started = time.thread_time_ns()
    for _ in range(runs):
        started = clock()
        once()
        timings.append(clock() - started)
    return timings, (time.thread_time_ns() - cpu_started) / runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--warm-up", type=int, default=2_000)
    args = parser.parse_args()
    for case in FULL_CASES:
        unanswered, extra = unanswered_or_extra(case)
        assert not unanswered and not extra, (case.name, unanswered, extra)
    print(f"{pin_to_one_core()}; Python {platform.python_version()}, {platform.machine()}")
    print(f"{args.runs:,} timed calls of score() a case, after {args.warm_up:,} untimed\n")
    print(
        "| full assessment | questions shown | median µs | p95 µs | p99 µs | mean CPU µs "
        "| scores/s (median) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    gc.collect()
    medians = []
    for case in FULL_CASES:
        timings, cpu = time_scores(case, args.runs, args.warm_up)
        cuts = statistics.quantiles(timings, n=100)
        median = statistics.median(timings)
        medians.append(median)
        shown = len(case.answers)  # a full assessment answers exactly what is shown
        print(
            f"| {case.name} | {shown} | {median / 1000:.1f} | {cuts[94] / 1000:.1f} "
            f"| {cuts[98] / 1000:.1f} | {cpu / 1000:.1f} | {1e9 / median:,.0f} |"
        )
    met = all(1e9 / median >= TARGET_PER_SECOND for median in medians)
    print(f"\ntarget: at least {TARGET_PER_SECOND:,} scores a second (median at most "
          f"{1e6 / TARGET_PER_SECOND:.0f} µs): {'met' if met else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
