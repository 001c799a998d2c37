"""Sync through the bindings (issue #8) against a real phr-relay on 127.0.0.1: switch sync
on, add a second device by the QR-code flow, edit on both, converge, remove the second
device and see it refused."""
import asyncio
import os
import socket
import subprocess
import time
import urllib.request

import pytest

import phr_ffi
from phr_ffi import EntryValue, PhrError, PhrRecord


@pytest.fixture
def relay(tmp):
    binary = os.environ.get("PHR_RELAY_BIN")
    if not binary or not os.path.exists(binary):
        reason = "PHR_RELAY_BIN is not set: scripts/test-bindings.sh builds phr-relay and sets it"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
            pytest.fail("required under CI=true but missing: " + reason)
        pytest.skip(reason)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--db", os.path.join(tmp, "relay.sqlite"), "--new-device-wait", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


def test_two_devices_sync_and_a_removed_one_is_refused(tmp, keystore, relay):
    from conftest import run, TestKeyStore

    phone = PhrRecord.create(os.path.join(tmp, "phone", "record.phr"), keystore)
    med = run(phone.add_entry("medications", EntryValue.MEDICATION(name="Ramipril", dose="5 mg")))
    assert not run(phone.sync_enabled())
    recovery_key = run(phone.create_recovery_key())
    run(phone.sync_start(relay, "phone"))
    assert run(phone.sync_enabled())
    first = asyncio.run(phone.sync_now(None, None))
    assert first.pushed > 0

    offer = run(phone.device_offer())
    assert offer.payload().startswith("phr-pair:1:")
    assert "<svg" in offer.qr_svg()
    pending = phr_ffi.device_join_request(offer.payload(), "tablet")

    async def pair():
        added = await phone.device_approve(offer, 10)
        # Nothing is sent until the owner confirms the codes match.
        assert added is not None and added.confirmation_code == pending.confirmation_code()
        assert await phone.device_confirm(offer) == added.id
        tablet = await pending.finish(os.path.join(tmp, "tablet", "record.phr"), TestKeyStore(), 10)
        return added, tablet

    added, tablet = asyncio.run(pair())

    got = asyncio.run(tablet.sync_now(None, None))
    assert got.applied > 0
    assert [e.value for e in run(tablet.list_entries("medications", False, False))] == [med.value]

    run(tablet.edit_entry(med.id, EntryValue.MEDICATION(name="Ramipril", dose="10 mg")))
    asyncio.run(tablet.sync_now(None, None))
    asyncio.run(phone.sync_now(None, None))
    assert run(phone.entry(med.id)).value == EntryValue.MEDICATION(name="Ramipril", dose="10 mg")
    assert len(run(phone.entry(med.id)).history) == 1

    devices = run(phone.devices())
    assert sorted(d.this_device for d in devices) == [False, True] and all(d.active for d in devices)
    lost = next(d for d in devices if not d.this_device)
    # The phone alone only asks (ADR 0048); the recovery key removes.
    assert isinstance(run(phone.remove_device(lost.id)), phr_ffi.DeviceRemoval.PENDING)
    assert run(phone.remove_device_with_recovery_key(lost.id, recovery_key)) == 1
    with pytest.raises(PhrError.Denied):
        asyncio.run(tablet.sync_now(None, None))
    # The tablet comes back with the recovery key and syncs again.
    assert run(tablet.recover_device(recovery_key)) != lost.id
    asyncio.run(tablet.sync_now(None, None))
