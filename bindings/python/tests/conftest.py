"""Puts the generated module (and libphr_ffi.so beside it) on the path.

scripts/test-bindings.sh generates `phr_ffi.py` into target/uniffi-generated/python and
copies the library there; PHR_FFI_PYTHON_DIR points at that folder.
"""
import asyncio
import hashlib
import hmac
import os
import secrets
import sys
import tempfile
from pathlib import Path

import pytest

_DIR = os.environ.get("PHR_FFI_PYTHON_DIR") or str(Path(__file__).resolve().parents[3] / "target" / "uniffi-generated" / "python")
sys.path.insert(0, _DIR)

import phr_ffi  # noqa: E402


class TestKeyStore(phr_ffi.KeyStore):
    """Authenticated wrap with an in-memory key (SHA-256 keystream + HMAC), standing in for
    the platform keystore. Wrong key: raises KeyStoreError.WrongKey."""

    __test__ = False

    def __init__(self, key: bytes | None = None):
        self.key = key or secrets.token_bytes(32)
        self.calls = 0

    def _stream(self, nonce: bytes, n: int) -> bytes:
        return hashlib.sha256(self.key + nonce).digest()[:n]

    def wrap(self, data_key: bytes) -> bytes:
        self.calls += 1
        nonce = secrets.token_bytes(16)
        ct = bytes(a ^ b for a, b in zip(data_key, self._stream(nonce, len(data_key))))
        return nonce + ct + hmac.new(self.key, nonce + ct, hashlib.sha256).digest()

    def unwrap(self, wrapped: bytes) -> bytes:
        self.calls += 1
        nonce, ct, tag = wrapped[:16], wrapped[16:-32], wrapped[-32:]
        if not hmac.compare_digest(tag, hmac.new(self.key, nonce + ct, hashlib.sha256).digest()):
            raise phr_ffi.KeyStoreError.WrongKey()
        return bytes(a ^ b for a, b in zip(ct, self._stream(nonce, len(ct))))


@pytest.fixture
def keystore():
    return TestKeyStore()


@pytest.fixture
def tmp(tmp_path):
    return tmp_path


@pytest.fixture
def record(tmp_path, keystore):
    rec = phr_ffi.PhrRecord.create(str(tmp_path / "record.phr"), keystore)
    yield rec
    del rec


def heart_rates(n, source="test-watch"):
    start = 1_735_689_600_000
    return [phr_ffi.Sample(kind=phr_ffi.SampleKind.HEART_RATE, start_ms=start + i * 60_000, end_ms=start + i * 60_000,
                           value=60.0 + i % 40, source=source, dedup_key=None) for i in range(n)]


def run(coro):
    """Runs one of the library's async calls to completion (they are `async` so the apps
    never block their main thread)."""
    return asyncio.run(coro)
