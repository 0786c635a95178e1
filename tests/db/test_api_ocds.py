"""The Open Contracting export (docs/ocds.md), on both databases: a procurement's release
package is valid OCDS 1.1.5 with the metrics extension, and says what the rest of the API says:
the approved KPIs as targets and agreed metrics, the outcomes reported as the implementation's
metrics, and, in `primas`, what the procurement owes.

The schemas are the standard's own (tests/data/ocds/SOURCE.md), read offline: the metrics
extension is applied to the release schema as a JSON Merge Patch (RFC 7386), as OCDS applies
every extension, and the package schema's reference to the release schema resolves to it."""

from __future__ import annotations

import functools
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import ContractKpi, Procurement, Role, User
from app.services import approvals, contract_kpis, outcome_reports, outcomes
from app.services.audit import Actor
from app.services.outcome_reports import NewOutcome
from app.settings import Settings, SettingsError
from tests.support.api import bearer, make_api_client
from tests.support.factories import complete_draft, make_procurement, make_user

SCHEMAS = Path(__file__).parent.parent / "data" / "ocds"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
KEY = "a signing key for the tests, long enough to be one"
STARTS = date(2025, 1, 1)
Q1 = (date(2025, 1, 1), date(2025, 3, 31))  # ends in British Summer Time (from 30 March)
Q2 = (date(2025, 4, 1), date(2025, 6, 30))


def merge_patch(target: Any, patch: Any) -> Any:
    """`patch` applied to `target` as RFC 7386 says: objects merge key by key, a null removes
    the key, and anything else replaces what was there."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return loaded


def _offline(uri: str) -> Any:
    raise AssertionError(f"the schemas refer to {uri}, which is not vendored")


@functools.cache
def validators() -> tuple[jsonschema_rs.Validator, jsonschema_rs.Validator]:
    """The release package schema (its releases resolved to the extended release schema), and
    the extended release schema, both checking formats (date-time, uri)."""
    release = merge_patch(_schema("release-schema.json"),
                          _schema("metrics_extension/release-schema.json"))  # fmt: skip
    registry = jsonschema_rs.Registry([(RELEASE_SCHEMA_URL, release)], retriever=_offline)
    package = jsonschema_rs.Draft4Validator(_schema("release-package-schema.json"),
                                            validate_formats=True, registry=registry,
                                            retriever=_offline)  # fmt: skip
    return package, jsonschema_rs.Draft4Validator(release, validate_formats=True)


def problems(package: dict[str, Any]) -> list[str]:
    """Everything the standard's schemas find wrong with a package and each of its releases."""
    package_schema, release_schema = validators()
    found = [f"{error.instance_path}: {error.message}"
             for error in package_schema.iter_errors(package)]  # fmt: skip
    for release in package.get("releases", []):
        found += [f"release {list(error.instance_path)}: {error.message}"
                  for error in release_schema.iter_errors(release)]  # fmt: skip
    return found


@pytest.fixture
def api(client: TestClient, session: Session) -> TestClient:
    _client, token = make_api_client(session)
    client.headers.update(bearer(token))
    return client


def approved(session: Session) -> tuple[Procurement, User, list[ContractKpi]]:
    """The £1.2m cleaning procurement of `complete_draft`, its PRIMAS submitted and approved,
    its contract starting on 1 January 2025 (set after approval, as if it had been let)."""
    approver = make_user(session, Role.APPROVER)
    procurement, draft = complete_draft(session)
    lead = session.get(User, procurement.lead_officer_id)
    assert lead is not None
    session.refresh(draft.assessment)
    approvals.submit(session, lead, procurement, draft, declared=True,
                     seen_version=draft.assessment.status_version, today=date.today())  # fmt: skip
    session.refresh(draft.assessment)
    approvals.decide(session, approver, draft, approve=True, comment="", points=[],
                     seen_version=draft.assessment.status_version, signing_key=KEY,
                     today=date.today())  # fmt: skip
    procurement.planned_tender_date, procurement.expected_start_date = date(2024, 9, 1), STARTS
    session.add(procurement)
    session.commit()
    return procurement, lead, contract_kpis.contract_kpis(session, procurement)


def report(session: Session, lead: User, kpi: ContractKpi, period: tuple[date, date],
           actual: str, commentary: str = "") -> None:  # fmt: skip
    outcome_reports.report(
        session, Actor.of(lead), kpi, NewOutcome(*period, actual, commentary), date.today()
    )


def test_the_schemas_are_checked_with_the_extension_applied() -> None:
    """The package schema reaches the release schema through its reference, and the release
    schema holds the metrics extension: a target without an id is refused, as is a release
    without its ocid."""
    release = {"ocid": "ocds-primas-PRC-2026-0001", "id": "1", "date": "2026-12-06T09:00:00Z",
               "tag": ["tender"], "initiationType": "tender",
               "tender": {"id": "PRC-2026-0001", "targets": [{"id": "7"}]}}  # fmt: skip
    package = {"uri": "https://primas.example.gov.uk/api/v1/procurements/PRC-2026-0001/ocds",
               "version": "1.1", "publishedDate": "2026-12-06T09:00:00Z",
               "publisher": {"name": "Hackney Council"}, "releases": [release]}  # fmt: skip
    assert problems(package) == []
    without_id = merge_patch(release, {"tender": {"targets": [{"title": "Waste diverted"}]}})
    assert problems(package | {"releases": [without_id]})
    assert problems(package | {"releases": [merge_patch(release, {"ocid": None})]})
    assert merge_patch({"a": {"b": 1, "c": 2}}, {"a": {"b": None, "d": [3]}}) == {
        "a": {"c": 2, "d": [3]}}  # fmt: skip


def test_an_approved_procurement_with_outcomes_is_valid_ocds(
    api: TestClient, session: Session, settings: Settings
) -> None:
    procurement, lead, kpis = approved(session)
    first, second = kpis[0], kpis[1]
    report(session, lead, first, Q1, "96.5", "Two sites were late.")
    report(session, lead, first, Q2, "100")
    report(session, lead, second, Q1, "3")
    [rated, _later] = outcomes.outcomes_of(session, first, date.today()).reports
    outcome_reports.rate(
        session,
        lead,
        first,
        rated.report,
        rated.report.version,
        "other",
        "The new sites were not open yet.",
        date.today(),
        seen_rating=None,
    )
    path = f"/api/v1/procurements/{procurement.reference}/ocds"

    answer = api.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    package = answer.json()
    assert problems(package) == []
    assert package["uri"] == settings.base_url + path
    assert (package["version"], package["publisher"], package["extensions"]) == (
        "1.1", {"name": settings.council_name},
        ["https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/"
         "master/extension.json"])  # fmt: skip
    [release] = package["releases"]
    ocid = f"ocds-primas-{procurement.reference}"
    assert release["ocid"] == ocid and release["id"].startswith(f"{ocid}-1-")
    assert release["tag"] == ["tender", "contract", "implementation"]
    assert release["date"] == package["publishedDate"]
    assert release["buyer"] == {"id": "council", "name": settings.council_name}
    assert release["parties"] == [release["buyer"] | {"roles": ["buyer"]}]
    tender = release["tender"]
    assert tender["value"] == {"amount": 1_200_000, "currency": "GBP"}
    assert tender["contractPeriod"] == {"startDate": "2025-01-01T00:00:00+00:00",
                                        "endDate": "2027-12-31T23:59:59+00:00",
                                        "maxExtentDate": "2029-12-31T23:59:59+00:00"}  # fmt: skip

    # The targets are the KPIs approved, as the API's KPI list gives them.
    approved_kpis = api.get(f"/api/v1/procurements/{procurement.reference}/kpis").json()
    in_targets = {target["title"]: target for target in tender["targets"]}
    assert sorted(in_targets) == sorted(kpi["title"] for kpi in approved_kpis["items"])
    for kpi in approved_kpis["items"]:
        target = in_targets[kpi["title"]]
        if kpi["target"] is None:
            assert "observations" not in target and "baseline" in target["description"]
            continue
        [observation] = target["observations"]
        assert (observation["measure"], observation["unit"]) == (kpi["target"],
                                                                 {"name": kpi["unit"]})  # fmt: skip
        assert observation["dimensions"] == {"reportingFrequency": kpi["frequency"]}
    [contract] = release["contracts"]
    assert [award["id"] for award in release["awards"]] == [contract["awardID"]]
    assert contract["agreedMetrics"] == tender["targets"]
    assert [metric["id"] for metric in contract["agreedMetrics"]] == [str(kpi.id) for kpi in kpis]

    # The implementation's metrics are the reports, period by period, in London time.
    metrics = {metric["id"]: metric for metric in contract["implementation"]["metrics"]}
    assert sorted(metrics) == sorted([str(first.id), str(second.id)])
    assert [(o["period"], o["measure"], o["unit"], o.get("notes"))
            for o in metrics[str(first.id)]["observations"]] == [
        ({"startDate": "2025-01-01T00:00:00+00:00", "endDate": "2025-03-31T23:59:59+01:00"},
         96.5, {"name": first.unit}, "Two sites were late."),
        ({"startDate": "2025-04-01T00:00:00+01:00", "endDate": "2025-06-30T23:59:59+01:00"},
         100, {"name": first.unit}, None),
    ]  # fmt: skip
    assert [o["measure"] for o in metrics[str(second.id)]["observations"]] == [3]

    # What OCDS has no field for: what it owes, as the procurement says, and each rating.
    primas = release["primas"]
    said = api.get(f"/api/v1/procurements/{procurement.reference}").json()
    assert primas["obligations"] == said["obligations"]
    assert primas["obligations_from"] == said["obligations_from"] == {"source": "approved",
                                                                      "revision": 1}  # fmt: skip
    views = {(str(kpi.id), view.period.start.isoformat()): view
             for kpi in (first, second)
             for view in outcomes.outcomes_of(session, kpi, date.today()).reports}  # fmt: skip
    assert len(primas["ratings"]) == 3
    for rating in primas["ratings"]:
        view = views[(rating["metric"], rating["period"]["start"])]
        assert rating["observation"] == f"{rating['metric']}-{rating['period']['start']}"
        assert rating["suggested"] == view.suggestion.rating.value
        assert rating["confirmed"] == (view.confirmed.value if view.confirmed else None)
    confirmed = [rating for rating in primas["ratings"] if rating["confirmed"]]
    assert [(r["observation"], r["confirmed"], r["rating"]) for r in confirmed] == [
        (f"{first.id}-2025-01-01", "other", "other")]  # fmt: skip
    [revision] = api.get(f"/api/v1/procurements/{procurement.reference}/assessments").json()[
        "items"]  # fmt: skip
    record = api.get(f"/api/v1/assessments/{revision['id']}").json()
    frozen = record["content"]["result"]
    assert primas["sustainability"]["overall"] == frozen["overall"]
    assert [(t["topic"], t["risk"], t["scope"], t["priority"])
            for t in primas["sustainability"]["topics"]] == [
        (t["topic"], t["risk"], t["scope"], t["priority"]) for t in frozen["topics"]]  # fmt: skip


def test_before_approval_it_is_planning(api: TestClient, session: Session) -> None:
    """No targets, no contract: the procurement as planned, and what its record alone owes."""
    procurement = make_procurement(session)
    package = api.get(f"/api/v1/procurements/{procurement.reference}/ocds").json()
    assert problems(package) == []
    [release] = package["releases"]
    assert release["tag"] == ["planning"]
    assert release["id"].startswith(f"ocds-primas-{procurement.reference}-record-")
    assert "contracts" not in release and "awards" not in release
    assert release["tender"]["status"] == "planning" and "targets" not in release["tender"]
    assert release["tender"]["value"] == {"amount": 250_000, "currency": "GBP"}
    said = api.get(f"/api/v1/procurements/{procurement.reference}").json()
    assert release["primas"]["obligations"] == said["obligations"]
    assert release["primas"]["sustainability"] is None
    assert release["primas"]["ratings"] == []
    assert release["date"] == package["publishedDate"] == said["updated_at"]


def test_it_is_tagged_and_unchanged_until_something_changes(
    api: TestClient, session: Session
) -> None:
    procurement, lead, kpis = approved(session)
    path = f"/api/v1/procurements/{procurement.reference}/ocds"
    first = api.get(path)
    again = api.get(path)
    assert first.content == again.content and first.headers["etag"] == again.headers["etag"]
    unchanged = api.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert first.json()["releases"][0]["tag"] == ["tender", "contract"]

    report(session, lead, kpis[0], Q1, "42")
    changed = api.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
    before, after = first.json()["releases"][0], changed.json()["releases"][0]
    assert after["id"] != before["id"]
    assert datetime.fromisoformat(after["date"]) > datetime.fromisoformat(before["date"])
    assert after["tag"] == ["tender", "contract", "implementation"]


def test_unknown_procurements_and_clients_without_read_are_refused(
    client: TestClient, session: Session
) -> None:
    procurement = make_procurement(session)
    path = f"/api/v1/procurements/{procurement.reference}/ocds"
    unknown = client.get("/api/v1/procurements/PRC-2026-9999/ocds",
                         headers=bearer(make_api_client(session)[1]))  # fmt: skip
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    anonymous = client.get(path)
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith(
        'Bearer realm="PRIMAS API"')  # fmt: skip
    writer = client.get(path, headers=bearer(make_api_client(session, "outcomes")[1]))
    assert writer.status_code == 403


def test_the_ocid_prefix_is_the_councils(settings: Settings, session: Session) -> None:
    from app.main import create_app
    from tests.support.catalogue import shipped

    app = create_app(settings.model_copy(update={"ocid_prefix": "ocds-a1b2c3"}),
                     catalogue=shipped())  # fmt: skip
    procurement = make_procurement(session)
    try:
        with TestClient(app) as client:
            package = client.get(f"/api/v1/procurements/{procurement.reference}/ocds",
                                 headers=bearer(make_api_client(session)[1])).json()  # fmt: skip
    finally:
        app.state.engine.dispose()
    assert package["releases"][0]["ocid"] == f"ocds-a1b2c3-{procurement.reference}"
    for wrong in ("", "ocds a1b2c3", "ocds-" + "x" * 40, "ocds/a1b2c3"):
        with pytest.raises((SettingsError, ValueError), match="PRIMAS_OCID_PREFIX"):
            Settings(env="test", ocid_prefix=wrong)
