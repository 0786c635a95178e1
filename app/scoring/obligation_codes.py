"""Every obligation's stable code, in the order they are listed. Pages, the API, the scoring
rules and the KPI library refer to obligations by these; the rules check their references
against them without importing the obligations themselves (which read the rules)."""

OBLIGATION_CODES = (
    "primas", "social-value-act", "kpi-duty", "payment-terms", "london-living-wage",
    "modern-slavery", "modern-slavery-statement", "carbon-reduction-plan",
    "social-value-weighting",
)  # fmt: skip
