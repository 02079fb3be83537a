"""Personal data at rest: per-field AES-256-GCM encryption and keyed HMAC pseudonyms.

Keys come from ``ANXIN_PII_KEYS``/``ANXIN_PSEUDONYM_KEY`` or the key file
(``ANXIN_KEY_FILE``). Ciphertexts carry their key version (``v1:<base64 nonce+ct>``) so
keys can be rotated: the newest version encrypts and every known version decrypts.

The pseudonym (HMAC-SHA256 of the normalised value, hex) is the join key everywhere:
in registry tables, in the lake, in the rules. It is the same function in Python and in
DuckDB SQL (``pseudonym_sql``), so the lake pseudonymises millions of rows without a
Python loop. The pseudonym key must never change once data exists.

The daily run's state and rules join people on ``person_id`` instead: the pseudonym's first
8 bytes read as a signed big-endian 64-bit integer (``person_id``, ``person_ids`` for Arrow
arrays). Still keyed (it is part of the HMAC), it joins, groups and counts on a machine word
where the 64-character hex string cost hashing, comparing and decoding 64 bytes a row (the
province's state holds ~20 M person rows). Two people share an id with probability n²/2⁶⁵
(920,000 workers: 2 in 10⁸); ``duplicate_person_ids`` lets the registry mirror check it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class KeyringError(RuntimeError):
    """Keys are missing or malformed."""


@dataclass(frozen=True)
class Keyring:
    pii_keys: dict[int, bytes]
    pseudonym_key: bytes

    @property
    def current_version(self) -> int:
        return max(self.pii_keys)


def _parse_pii_keys(text: str) -> dict[int, bytes]:
    keys: dict[int, bytes] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        version, _, b64 = part.partition(":")
        key = base64.b64decode(b64)
        if len(key) != 32:
            raise KeyringError(f"PII key version {version} must be 32 bytes (base64), got {len(key)}")
        keys[int(version)] = key
    return keys


def new_key_file(path: Path) -> None:
    """Write a fresh key file (version 1 and a pseudonym key), readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "pii_keys": {"1": base64.b64encode(os.urandom(32)).decode()},
        "pseudonym_key": base64.b64encode(os.urandom(32)).decode(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(content, fh, indent=2)


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    from django.conf import settings

    pii_keys = _parse_pii_keys(settings.ANXIN_PII_KEYS) if settings.ANXIN_PII_KEYS else {}
    pseudonym_key = base64.b64decode(settings.ANXIN_PSEUDONYM_KEY) if settings.ANXIN_PSEUDONYM_KEY else b""
    if not pii_keys or not pseudonym_key:
        path = Path(settings.ANXIN_KEY_FILE)
        if not path.exists():
            if not settings.DEBUG:
                raise KeyringError(f"key file {path} is missing and ANXIN_PII_KEYS/ANXIN_PSEUDONYM_KEY are not set")
            with contextlib.suppress(FileExistsError):  # another process created it first
                new_key_file(path)
        data = json.loads(path.read_text())
        if not pii_keys:
            pii_keys = {int(v): base64.b64decode(k) for v, k in data["pii_keys"].items()}
        if not pseudonym_key:
            pseudonym_key = base64.b64decode(data["pseudonym_key"])
    if len(pseudonym_key) < 16:
        raise KeyringError("the pseudonym key must be at least 16 bytes")
    return Keyring(pii_keys=pii_keys, pseudonym_key=pseudonym_key)


def encrypt(plaintext: str | None, *, associated: bytes = b"") -> str | None:
    """Encrypt one field value; ``associated`` binds it to its field (e.g. b'person.phone')."""
    if plaintext is None or plaintext == "":
        return None
    ring = keyring()
    version = ring.current_version
    nonce = os.urandom(12)
    ct = AESGCM(ring.pii_keys[version]).encrypt(nonce, plaintext.encode(), associated)
    return f"v{version}:" + base64.b64encode(nonce + ct).decode()


def decrypt(token: str | None, *, associated: bytes = b"") -> str | None:
    if not token:
        return None
    head, _, body = token.partition(":")
    version = int(head[1:])
    raw = base64.b64decode(body)
    try:
        key = keyring().pii_keys[version]
    except KeyError as exc:
        raise KeyringError(f"no key of version {version} to decrypt with") from exc
    return AESGCM(key).decrypt(raw[:12], raw[12:], associated).decode()


def key_version(token: str | None) -> int | None:
    return int(token.partition(":")[0][1:]) if token else None


def pseudonym(value: str | None) -> str | None:
    """HMAC-SHA256 (hex) of a normalised identifier: the join key for a person or a card."""
    if value is None or value == "":
        return None
    return hmac.new(keyring().pseudonym_key, value.encode(), hashlib.sha256).hexdigest()


def pseudonym_sql(column: str) -> str:
    """The same HMAC-SHA256 as ``pseudonym`` as a DuckDB SQL expression over ``column``.

    HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)); DuckDB's sha256 takes a BLOB, so the
    padded keys are spliced in as blob literals. Only hex of our own key bytes is inlined.
    """
    key = keyring().pseudonym_key
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\x00")
    ipad = bytes(b ^ 0x36 for b in key).hex()
    opad = bytes(b ^ 0x5C for b in key).hex()
    inner = f"unhex(sha256(unhex('{ipad}') || encode({column})))"
    return f"CASE WHEN {column} IS NULL OR {column} = '' THEN NULL ELSE sha256(unhex('{opad}') || {inner}) END"


def person_id(key: str | None) -> int | None:
    """A pseudonym's 64-bit id: its first 8 bytes (16 hex digits), big-endian, signed."""
    if key is None:
        return None
    return int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)


def person_ids(keys: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``person_id`` of every pseudonym of an Arrow string array, vectorised (nulls stay null)."""
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    keys = keys.cast(pa.string())
    n = len(keys)
    if n == 0:
        return pa.array([], pa.int64())
    valid = keys.is_valid()
    keys = pc.fill_null(keys, "0" * 16)
    lengths = pc.binary_length(keys)
    width = pc.min(lengths).as_py()
    if width < 16:
        raise ValueError("a pseudonym shorter than 16 hex digits")
    if pc.max(lengths).as_py() != width:  # mixed lengths: cut every value to its head first
        keys, width = pc.utf8_slice_codeunits(keys, 0, 16), 16
    offsets = np.frombuffer(keys.buffers()[1], dtype=np.int32)[keys.offset : keys.offset + n + 1]
    data = np.frombuffer(keys.buffers()[2], dtype=np.uint8)
    # Values of one width lie back to back: an (n, width) block of digits, of which the first 16.
    digits = data[offsets[0] : offsets[-1]].reshape(n, width)[:, :16]
    raw = bytes.fromhex(np.ascontiguousarray(digits).tobytes().decode("ascii"))
    values = np.frombuffer(raw, dtype=">i8").astype(np.int64)
    mask = None if valid.false_count == 0 else np.asarray(pc.invert(valid))
    return pa.array(values, pa.int64(), mask=mask)


def duplicate_person_ids(keys: pa.Array | pa.ChunkedArray) -> list[str]:
    """Distinct pseudonyms that share their ``person_id`` with another (expected: none)."""
    unique = pc.unique(keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys).drop_null()
    ids = person_ids(unique)
    counts = pc.value_counts(ids)
    shared = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    if len(shared) == 0:
        return []
    return sorted(pc.filter(unique, pc.is_in(ids, shared)).to_pylist())
