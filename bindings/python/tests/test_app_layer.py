"""The app-facing layer (#15) from Python against the real library: forms, screens,
the catalogue and change observation."""
import asyncio
import time

import phr_ffi
from phr_ffi import FormOutcome, RecordArea


def test_forms_validate_and_save_and_screens_show_them(record):
    spec = asyncio.run(record.form_spec("medications", None))
    ids = [f.id for f in spec.fields]
    assert ids[0] == "name" and "dose" in ids
    assert all(phr_ffi.catalogue_text(f.label_key) != f.label_key for f in spec.fields)

    bad = asyncio.run(record.add_entry_from_form("medications", None, {"name": "Ibuprofen", "dosage": "200 mg"}))
    assert isinstance(bad, FormOutcome.INVALID)
    assert [(e.field, e.key, e.suggestion) for e in bad.errors] == [("dosage", "error.unknown_field", "dose")]

    ok = asyncio.run(record.add_entry_from_form("medications", None, {"name": "Ibuprofen", "dose": "200 mg"}))
    assert isinstance(ok, FormOutcome.SAVED)
    section = asyncio.run(record.section_screen("medications", False))
    assert [r.id for r in section.entries] == [ok.entry_id]
    entry = asyncio.run(record.entry_screen(ok.entry_id))
    assert any(line.value == "200 mg" for line in entry.fields)
    home = asyncio.run(record.home_screen())
    meds = next(c for c in home.sections if c.id == "medications")
    assert meds.count == 1 and meds.latest[0].id == ok.entry_id


def test_a_listener_hears_changes_until_closed(record):
    heard = []

    class Listener(phr_ffi.RecordChangeListener):
        def record_changed(self, areas):
            heard.append(list(areas))

    handle = record.observe(Listener())
    asyncio.run(record.add_entry_from_form("allergies", None, {"substance": "Latex", "severity": "mild", "kind": "allergy"}))
    # Told after the core rebuilt the screens' caches, on its own thread: wait for it.
    deadline = time.monotonic() + 10
    while not heard and time.monotonic() < deadline:
        time.sleep(0.02)
    assert heard == [[RecordArea.ENTRIES]]
    handle.cancel()
    asyncio.run(record.add_entry_from_form("allergies", None, {"substance": "Nuts", "severity": "severe", "kind": "allergy"}))
    time.sleep(0.5)
    assert len(heard) == 1


def test_screens_and_the_notifications_plan(record):
    from conftest import run
    import time
    run(record.add_entry_from_form("medications", None, {"name": "Metformin", "dose": "500 mg"}))
    now = int(time.time() * 1000)
    assert not [n for n in run(record.notifications_due(now)) if n.kind == phr_ffi.NotificationKind.MEDICATION_REMINDER]
    prefs = run(record.app_preferences())
    prefs.medication_reminders = True
    run(record.set_app_preferences(prefs))
    plan = run(record.notifications_due(now))
    reminders = [n for n in plan if n.kind == phr_ffi.NotificationKind.MEDICATION_REMINDER]
    assert len(reminders) == 1 and reminders[0].at_ms > now
    assert "Metformin" not in str(plan), "lock-screen text never names a medicine"
    settings = run(record.settings_screen())
    assert settings.medication_reminders
    assert run(record.sharing_screen()).grants == []
    assert run(record.imports_screen()).imports == []


def test_no_known_allergy_and_the_sync_conflict_dismiss_call(record):
    nka = phr_ffi.EntryValue.ALLERGY(substance="No known drug allergy", severity=None,
                                     kind=phr_ffi.AllergyKind.NO_KNOWN_ALLERGY)
    e = asyncio.run(record.add_entry("allergies", nka))
    screen = asyncio.run(record.entry_screen(e.id))
    assert screen.summary == "No known drug allergy"
    # With a severity it would read as an allergy: refused.
    try:
        asyncio.run(record.add_entry("allergies", phr_ffi.EntryValue.ALLERGY(
            substance="No known allergy", severity=phr_ffi.Severity.MILD, kind=phr_ffi.AllergyKind.NO_KNOWN_ALLERGY)))
        raise AssertionError("a no known allergy with a severity was accepted")
    except phr_ffi.PhrError:
        pass
    # No sync conflict on this entry: nothing to show, nothing to dismiss.
    assert screen.conflict is None
    assert phr_ffi.EntryAction.DISMISS_CONFLICT not in screen.actions
    assert asyncio.run(record.dismiss_sync_conflict(e.id)) is False
