"""The generated Python module against the real library: the same surface as the Kotlin
tests, smaller."""
import asyncio
import threading

import pytest

import phr_ffi
from phr_ffi import CalendarDate, EntryValue, PhrError, PhrRecord, SampleKind
from conftest import run, TestKeyStore, heart_rates


def test_create_open_and_wrong_key(tmp, keystore):
    path = str(tmp / "r.phr")
    rec = PhrRecord.create(path, keystore)
    rid = rec.id()
    del rec
    assert PhrRecord.open(path, keystore).id() == rid
    assert keystore.calls >= 2, "the Python keystore was called from Rust"
    with pytest.raises(PhrError.WrongKey):
        PhrRecord.open(path, TestKeyStore())
    with pytest.raises(PhrError.NoRecord):
        PhrRecord.open(str(tmp / "absent.phr"), keystore)
    with pytest.raises(PhrError.RecordExists):
        PhrRecord.create(path, keystore)


def test_keystore_failure_is_typed(tmp, keystore):
    class Broken(phr_ffi.KeyStore):
        def wrap(self, data_key):
            raise RuntimeError("secure hardware gone")

        def unwrap(self, wrapped):
            raise phr_ffi.KeyStoreError.Unavailable()

    with pytest.raises(PhrError.KeyStoreUnavailable):
        PhrRecord.create(str(tmp / "r.phr"), Broken())
    PhrRecord.create(str(tmp / "r2.phr"), keystore)
    with pytest.raises(PhrError.KeyStoreUnavailable):
        PhrRecord.open(str(tmp / "r2.phr"), Broken())


def test_entry_lifecycle(record):
    med = EntryValue.MEDICATION(name="Ramipril", dose="5 mg")
    e = run(record.add_entry("medications", med))
    assert e.value == med
    assert e.summary == "Ramipril, 5 mg"
    edited = run(record.edit_entry(e.id, EntryValue.MEDICATION(name="Ramipril", dose="10 mg")))
    assert edited.value.dose == "10 mg" and len(edited.history) == 1
    assert run(record.annotate(e.id, phr_ffi.AnnotationKind.NO_LONGER_RELEVANT, None)).no_longer_relevant
    run(record.delete_entry(e.id))
    assert run(record.list_entries("medications", False, False)) == []
    assert len(run(record.list_entries("medications", False, True))) == 1
    run(record.undo_delete(e.id))
    assert len(run(record.list_entries("medications", False, False))) == 1
    run(record.delete_entry(e.id))
    run(record.purge(e.id))
    with pytest.raises(PhrError.NotFound):
        run(record.entry(e.id))


def test_read_only_and_invalid_input(record):
    gp = run(record.add_entry_from("allergies",
                               EntryValue.ALLERGY(substance="Penicillin", severity=phr_ffi.Severity.SEVERE, kind=phr_ffi.AllergyKind.ALLERGY),
                               phr_ffi.Provenance.MEDICAL_RECORD(system="GP", resource_id="AllergyIntolerance/1")))
    assert gp.read_only
    with pytest.raises(PhrError.ReadOnly):
        run(record.edit_entry(gp.id, EntryValue.ALLERGY(substance="x", severity=phr_ffi.Severity.MILD, kind=phr_ffi.AllergyKind.ALLERGY)))
    with pytest.raises(PhrError.InvalidInput) as e:
        run(record.add_entry("identity", EntryValue.IDENTITY(given_name="A", family_name="B", nhs_number="943 476 5918")))
    assert e.value.field == "NHS number"
    assert "943" not in str(e.value)
    with pytest.raises(PhrError.InvalidInput) as e:
        run(record.add_entry("life_events", EntryValue.LIFE_EVENT(date=CalendarDate(year=2025, month=2, day=31), title="x")))
    assert e.value.field == "date"


def test_sections(record):
    sections = run(record.sections())
    assert len(sections) == 27
    assert not run(record.section("sleep")).enabled
    assert run(record.set_section_enabled("sleep", True)).enabled
    assert run(record.set_section_privacy("sleep", phr_ffi.PrivacyLevel.PRIVATE)).privacy == phr_ffi.PrivacyLevel.PRIVATE
    custom = run(record.create_section("Migraine diary", [phr_ffi.FieldDef(name="pain", field_type=phr_ffi.FieldType.NUMBER(unit=None), required=True)]))
    assert custom.section_class == phr_ffi.SectionClass.CUSTOM
    e = run(record.add_entry(custom.id, EntryValue.CUSTOM(fields={"pain": phr_ffi.FieldValue.NUMBER(value=7.0)})))
    assert e.value.fields["pain"] == phr_ffi.FieldValue.NUMBER(value=7.0)
    with pytest.raises(PhrError.InvalidInput):
        run(record.add_entry(custom.id, EntryValue.CUSTOM(fields={})))


def test_samples_and_rollups(record):
    samples = heart_rates(10_000)
    report = run(record.ingest_samples(samples))
    assert (report.added, report.duplicates) == (10_000, 0)
    back = run(record.samples(SampleKind.HEART_RATE, samples[0].start_ms, samples[-1].start_ms + 1))
    assert back == samples
    rollups = run(record.daily_rollups(SampleKind.HEART_RATE, CalendarDate(year=2025, month=1, day=1), CalendarDate(year=2025, month=1, day=31)))
    assert len(rollups) == 7 and sum(r.count for r in rollups) == 10_000
    assert run(record.ingest_samples(samples)).duplicates == 10_000


def test_batched_ingest_progress_and_cancel(record):
    seen = []

    class Listener(phr_ffi.ProgressListener):
        def on_progress(self, stage, done, total):
            seen.append((stage, done, total))
            if done >= 300:
                cancel.cancel()

    cancel = phr_ffi.CancelHandle()
    report = asyncio.run(record.ingest_samples_batched(heart_rates(1_000), 100, Listener(), cancel))
    assert report.cancelled and report.batches == 3 and report.added == 300
    assert seen == [("samples", 100, 1000), ("samples", 200, 1000), ("samples", 300, 1000)]
    assert run(record.sample_summary())[0].count == 300


def test_logger_gets_records_without_health_data(tmp, keystore):
    lines = []
    lock = threading.Lock()

    class Collect(phr_ffi.Logger):
        def log(self, level, target, message):
            with lock:
                lines.append(f"{level} {target} {message}")

    phr_ffi.set_logger(Collect(), phr_ffi.LogLevel.TRACE)
    try:
        rec = PhrRecord.create(str(tmp / "r.phr"), keystore)
        run(rec.add_entry("emergency_info", EntryValue.EMERGENCY_INFO(text="PYSENTINEL diabetic")))
        errors = []
        for bad in (lambda: run(rec.section("PYSENTINEL")), lambda: run(rec.entry("PYSENTINEL")),
                    lambda: phr_ffi.validate_nhs_number("PYSENTINEL")):
            with pytest.raises(PhrError) as e:
                bad()
            errors.append(str(e.value))
        del rec
    finally:
        phr_ffi.set_logger(None, phr_ffi.LogLevel.INFO)
    assert any("record created" in line for line in lines), lines
    assert all("PYSENTINEL" not in t for t in lines + errors)


def test_panic_is_internal_error():
    with pytest.raises(PhrError.Internal):
        phr_ffi.diagnostics_trigger_panic()


def test_backup_restore_and_recovery(tmp, keystore, record):
    run(record.add_entry("conditions", EntryValue.CONDITION(name="Asthma", status=phr_ffi.ConditionStatus.RESOLVED)))
    recovery = run(record.create_recovery_key())
    size = run(record.backup(str(tmp / "b.phrbak")))
    assert size == (tmp / "b.phrbak").stat().st_size
    (tmp / "home").mkdir()
    restored = PhrRecord.restore(str(tmp / "b.phrbak"), str(tmp / "home"), keystore)
    assert len(run(restored.list_entries("conditions", False, False))) == 1
    (tmp / "home2").mkdir()
    with pytest.raises(PhrError.WrongKey):
        PhrRecord.restore(str(tmp / "b.phrbak"), str(tmp / "home2"), TestKeyStore())
    new_phone = TestKeyStore()
    PhrRecord.restore_with_recovery_key(str(tmp / "b.phrbak"), str(tmp / "home2"), recovery, new_phone)
    assert PhrRecord.open(str(tmp / "home2" / "record.phr"), new_phone).id() == record.id()


def test_passphrase_change_and_recovery_onto_a_new_passphrase(tmp, record):
    run(record.change_passphrase(None, "first passphrase"))
    with pytest.raises(PhrError.WrongKey):
        run(record.change_passphrase("not the passphrase", "second passphrase"))
    run(record.change_passphrase("first passphrase", "second passphrase"))
    recovery = run(record.create_recovery_key())
    run(record.backup(str(tmp / "p.phrbak")))
    with pytest.raises(PhrError.WrongKey):
        run(PhrRecord.open_with_passphrase(record.path(), "first passphrase"))
    assert run(PhrRecord.open_with_passphrase(record.path(), "second passphrase")).id() == record.id()
    (tmp / "home3").mkdir()
    restored = run(PhrRecord.restore_with_recovery_key_to_passphrase(
        str(tmp / "p.phrbak"), str(tmp / "home3"), recovery, "third passphrase"))
    assert restored.id() == record.id()
    del restored
    with pytest.raises(PhrError.WrongKey):
        run(PhrRecord.open_with_passphrase(str(tmp / "home3" / "record.phr"), "second passphrase"))
    assert run(PhrRecord.open_with_passphrase(str(tmp / "home3" / "record.phr"), "third passphrase")).id() == record.id()


def test_helpers():
    assert phr_ffi.validate_nhs_number("943 476 5919") == "9434765919"
    assert phr_ffi.parse_blood_group("O+") == phr_ffi.BloodGroup(abo=phr_ffi.Abo.O, rh=phr_ffi.RhD.POSITIVE)
    assert abs(phr_ffi.to_canonical_unit(SampleKind.BLOOD_GLUCOSE, 90.0, "mg/dL") - 5.0) < 1e-9
