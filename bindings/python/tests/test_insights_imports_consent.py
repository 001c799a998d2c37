"""Insights, imports, FHIR and consent through the generated Python module (the Kotlin
tests cover the same surface in more depth)."""
import asyncio
import json

import pytest

import phr_ffi
from phr_ffi import CalendarDate, InsightCategory, PhrError, PhrRecord
from conftest import run, TestKeyStore

TODAY = CalendarDate(year=2026, month=11, day=1)

GPX = """<?xml version="1.0"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><type>cycling</type><trkseg>
<trkpt lat="53.80" lon="-1.55"><time>2026-10-01T07:00:00Z</time></trkpt>
<trkpt lat="53.81" lon="-1.56"><time>2026-10-01T07:05:00Z</time></trkpt>
</trkseg></trk></gpx>"""

BUNDLE = {"resourceType": "Bundle", "type": "collection", "entry": [
    {"fullUrl": "https://gp.example/fhir/Patient/p1", "resource": {
        "resourceType": "Patient", "id": "p1", "name": [{"family": "Leeds", "given": ["Alex"]}], "birthDate": "1970-03-04",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]}},
    {"fullUrl": "https://gp.example/fhir/MedicationStatement/s1", "resource": {
        "resourceType": "MedicationStatement", "id": "s1", "status": "active", "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "386872004", "display": "Ramipril"}]}}},
]}


def test_insight_category_switch_survives_reopening(tmp):
    ks = TestKeyStore()
    path = str(tmp / "r.phr")
    rec = PhrRecord.create(path, ks)
    asyncio.run(rec.fill_demo(TODAY, None, None))
    report = run(rec.insight_report(TODAY))
    bp = [a for a in report.alerts if a.category == InsightCategory.BLOOD_PRESSURE]
    assert bp and all("NICE NG136" in a.citation for a in bp)
    run(rec.set_insight_category_enabled(InsightCategory.BLOOD_PRESSURE, False))
    del rec
    rec = PhrRecord.open(path, ks)
    assert not any(a.category == InsightCategory.BLOOD_PRESSURE for a in run(rec.insight_report(TODAY)).alerts)
    state = {c.category: c.enabled for c in run(rec.insight_settings()).categories}
    assert state[InsightCategory.BLOOD_PRESSURE] is False and state[InsightCategory.BMI] is True
    svg = run(rec.insight_chart(phr_ffi.MetricKind.WEIGHT, CalendarDate(year=2026, month=5, day=1), TODAY, phr_ffi.ChartTheme.DARK))
    assert "<title>Weight</title>" in svg and "Weight (kg)" in svg


def test_gpx_import_is_idempotent_and_listed(record, tmp):
    folder = tmp / "exports"
    folder.mkdir()
    f = folder / "ride.gpx"
    f.write_text(GPX)
    seen = []

    class Listener(phr_ffi.ProgressListener):
        def on_progress(self, stage, done, total):
            seen.append((stage, done, total))

    first = asyncio.run(record.import_files([str(f)], None, Listener(), None))
    assert first.totals.activities_added == 1 and first.files[0].format == phr_ffi.ImportFormat.GPX
    assert seen[-1] == ("files", 1, 1)
    again = asyncio.run(record.import_files([str(folder)], None, None, None))
    assert again.totals.activities_added == 0 and again.totals.activities_unchanged == 1
    (act,) = run(record.activities(0, 2**62))
    assert act.sport == "cycling" and act.elapsed_s == 300.0
    with pytest.raises(PhrError.NotFound):
        asyncio.run(record.import_files([str(folder / "absent.gpx")], None, None, None))


def test_fhir_import_and_exports_are_valid_json(record):
    report = asyncio.run(record.import_fhir_json(json.dumps(BUNDLE), None))
    assert report.resources["MedicationStatement"] == 1 and report.added >= 2
    (med,) = run(record.list_entries("medications", False, False))
    assert med.value.name == "Ramipril" and med.read_only
    ips = json.loads(run(record.export_ips(None)))
    assert ips["resourceType"] == "Bundle" and ips["type"] == "document"
    assert ips["entry"][0]["resource"]["resourceType"] == "Composition"
    meds = json.loads(run(record.export_fhir_bundle(["medications"])))
    kinds = [e["resource"]["resourceType"] for e in meds["entry"]]
    assert "Patient" in kinds and "MedicationStatement" in kinds
    with pytest.raises(PhrError.InvalidInput) as e:
        asyncio.run(record.import_fhir_json("{not json", None))
    assert e.value.field == "FHIR file"


def test_grant_revoke_and_audit_chain(record):
    who = phr_ffi.Recipient(name="Sam", role="daughter", category=phr_ffi.RecipientCategory.FAMILY_OR_CARER)
    g = run(record.create_grant(phr_ffi.GrantRequest(recipient=who, sections=["allergies"], purpose="help with appointments",
                                                 message=None, start=None, expiry=None)))
    assert g.status == phr_ffi.GrantStatus.ACTIVE and g.expiry is None
    assert [x.id for x in run(record.grants())] == [g.id]
    assert run(record.revoke_grant(g.id)).status == phr_ffi.GrantStatus.REVOKED
    actions = [e.action for e in run(record.audit_log())]
    assert actions == [phr_ffi.AuditAction.GRANT_CREATED, phr_ffi.AuditAction.GRANT_REVOKED]
    v = run(record.verify_audit())
    assert v.ok and v.entries == 2


def test_answer_reply_needs_a_published_advice_link(record):
    # Only a request for advice published as a link can be answered: a local grant has no
    # link to put the answer on, and the call says so without touching the network.
    who = phr_ffi.Recipient(name="Sam Li", role="pharmacist", category=phr_ffi.RecipientCategory.HEALTH_PROFESSIONAL)
    g = run(record.create_grant(phr_ffi.GrantRequest(recipient=who, sections=["medications"], purpose="advice",
                                                 message="Is this dose right?", start=None, expiry=None)))
    assert g.answer is None and g.replies == []
    try:
        run(record.answer_reply(g.id, "Thank you"))
        raise AssertionError("answered a grant without a link")
    except phr_ffi.PhrError.NotFound as e:
        assert "link" in str(e)
    assert run(record.grants())[0].answer is None


def test_reset_passcode_tries_needs_a_published_link(record):
    # Letting someone try a passcode again is for a link; a local grant has none, and the
    # call says so without touching the network or the audit log.
    who = phr_ffi.Recipient(name="Sam Li", role="pharmacist", category=phr_ffi.RecipientCategory.HEALTH_PROFESSIONAL)
    g = run(record.create_grant(phr_ffi.GrantRequest(recipient=who, sections=["medications"], purpose="care",
                                                 message=None, start=None, expiry=None)))
    before = len(run(record.audit_log()))
    try:
        run(record.reset_passcode_tries(g.id))
        raise AssertionError("reset tries on a grant without a link")
    except phr_ffi.PhrError.NotFound as e:
        assert "link" in str(e)
    assert len(run(record.audit_log())) == before
