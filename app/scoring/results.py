"""What scoring says about an assessment: each topic's risk, scope and priority with the
contributions that made them, the theme summaries, the spend band, the overall rating and the
obligations. Plain frozen data, built by app/scoring/engine.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.forms.definition import Question
from app.inputs import format_pounds
from app.scoring.obligations import Obligation, Weighting
from app.scoring.reference_data import ReferenceEntry
from app.scoring.topics import Theme, Topic


class Priority(StrEnum):
    """A topic's priority, from its risk and scope to improve."""

    NOT_APPLICABLE = "not-applicable"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        """The priority for people."""
        return "Not applicable" if self is Priority.NOT_APPLICABLE else self.value.capitalize()

    @property
    def rank(self) -> int:
        """0 for not applicable up to 3 for high."""
        return PRIORITY_RANKS[self]


PRIORITIES = tuple(Priority)  # lowest first
PRIORITY_RANKS = {priority: rank for rank, priority in enumerate(PRIORITIES)}


@dataclass(frozen=True)
class Contribution:
    """Points a fact or an answer added, and why. `counted` is False for an answer that matched
    a factor already counted by a larger (or earlier equal) contribution."""

    points: int
    reason: str
    question_id: str | None = None
    factor: str | None = None
    counted: bool = True
    floor: bool = False  # a floor the rules set, not a fact about this procurement


@dataclass(frozen=True)
class Override:
    """An officer's professional judgement of a score, with the reason."""

    value: int
    reason: str
    by: str = ""


@dataclass(frozen=True)
class Score:
    """A risk or scope: the computed value, how it was reached, and any override."""

    computed: int
    contributions: tuple[Contribution, ...]
    override: Override | None = None

    @property
    def value(self) -> int:
        """The score in use: the override when there is one."""
        return self.override.value if self.override else self.computed

    @property
    def total(self) -> int:
        """The sum of the counted points, before the cap at 3."""
        return sum(c.points for c in self.contributions if c.counted)


@dataclass(frozen=True)
class TopicResult:
    """One heatmap row."""

    topic: Topic
    theme: Theme
    risk: Score
    scope: Score
    priority: Priority
    unanswered: tuple[Question, ...]  # shown questions that would score, not yet answered

    @property
    def risk_from_facts(self) -> int:
        """The risk the procurement's facts and answers give: a floor alone (modern slavery's
        "never below low") counts as none, so it never ranks a topic above one with a risk."""
        if self.risk.override is None and any(part.floor for part in self.risk.contributions):
            return 0
        return self.risk.value


@dataclass(frozen=True)
class ThemeSummary:
    """A theme's highest priority and how many of its topics are at each priority."""

    theme: Theme
    highest: Priority
    counts: Mapping[Priority, int]
    topics: tuple[TopicResult, ...]


@dataclass(frozen=True)
class SpendBand:
    """Band 1 to 5 from fixed value bands, with the band's limits."""

    band: int
    value_pence: int
    lower: ReferenceEntry | None
    upper: ReferenceEntry | None
    of: int = 5  # how many bands there are

    @property
    def words(self) -> str:
        """The band as people read it: "£150,000: band 1 of 5, under £250,000"."""
        if self.lower and self.upper:
            limits = (
                f"{format_pounds(self.lower.amount)} to under {format_pounds(self.upper.amount)}"
            )
        elif self.upper:
            limits = f"under {format_pounds(self.upper.amount)}"
        elif self.lower:
            limits = f"{format_pounds(self.lower.amount)} or more"
        else:
            limits = "no band limits are recorded"
        return f"{format_pounds(self.value_pence)}: band {self.band} of {self.of}, {limits}"


@dataclass(frozen=True)
class OverallRating:
    """Low, medium or high, from the spend band and the highest topic priority."""

    rating: str
    spend_band: int
    highest: Priority
    topics_at_highest: tuple[Topic, ...]

    @property
    def label(self) -> str:
        """The rating for people."""
        return self.rating.capitalize()


@dataclass(frozen=True)
class Requirement:
    """What an answer that is a promise adds to the specification, addressed to the supplier."""

    question_id: str
    title: str
    supplier: str


@dataclass(frozen=True)
class Result:
    """Everything scoring says about one assessment."""

    topics: tuple[TopicResult, ...]
    themes: tuple[ThemeSummary, ...]
    spend_band: SpendBand | None
    overall: OverallRating
    obligations: tuple[Obligation, ...]
    weighting: Weighting
    modern_slavery_level: str
    blockers: tuple[str, ...] = ()  # what must be done before the assessment can be submitted
    # The questions where the lead acts on a blocker, with the error each shows until then:
    # their task is not complete while it stands.
    blocked_questions: tuple[tuple[str, str], ...] = ()
    requirements: tuple[Requirement, ...] = ()  # promises made in the answers
    focus: tuple[TopicResult, ...] = ()  # the topics to focus on, most important first

    def topic(self, code: str) -> TopicResult:
        """One topic's row."""
        return next(row for row in self.topics if row.topic.code == code)

    def obligation(self, code: str) -> Obligation:
        """One obligation."""
        return next(item for item in self.obligations if item.code == code)


def ranked(rows: tuple[TopicResult, ...], relevance: Mapping[str, int]) -> list[TopicResult]:
    """The applicable topics, most important first: by priority, then risk, then scope, ties
    broken by how relevant the topic usually is to the category, then catalogue order. The
    results name the first three to focus on; KPI suggestions follow the same order."""
    position = {row.topic.code: index for index, row in enumerate(rows)}
    return sorted(
        (row for row in rows if row.priority is not Priority.NOT_APPLICABLE),
        key=lambda row: (-row.priority.rank, -row.risk_from_facts, -row.scope.value,
                         -int(relevance.get(row.topic.code, 0)), position[row.topic.code]),
    )  # fmt: skip
