"""Personal data at rest: AES-256-GCM field encryption with key versions, and HMAC pseudonyms.

The pseudonym is checked against RFC 4231's published HMAC-SHA256 test vectors and
against the standard library's ``hmac``, in Python and in DuckDB SQL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.core.crypto import (
    KeyringError,
    decrypt,
    duplicate_person_ids,
    encrypt,
    key_version,
    keyring,
    person_id,
    person_ids,
    pseudonym,
    pseudonym_sql,
)

KEY_1 = base64.b64encode(b"k" * 32).decode()  # the key tests/settings.py sets as version 1
KEY_2 = base64.b64encode(bytes(range(32))).decode()
TEST_PSEUDONYM_KEY = b"p" * 32  # tests/settings.py

# RFC 4231, HMAC-SHA256 test cases 1 and 6 (the latter with a key longer than a block).
RFC4231_CASE_1 = (b"\x0b" * 20, "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
RFC4231_CASE_6 = (
    b"\xaa" * 131,
    "Test Using Larger Than Block-Size Key - Hash Key First",
    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
)


@pytest.fixture
def fresh_keyring() -> Iterator[None]:
    """Forget the cached keyring before and after a test that changes the key settings."""
    keyring.cache_clear()
    yield
    keyring.cache_clear()


@pytest.fixture
def pseudonym_key(settings: Any, fresh_keyring: None) -> Iterator[Any]:
    """Set the pseudonym key (raw bytes) for one test: call it with the key."""

    def use(key: bytes) -> None:
        settings.ANXIN_PSEUDONYM_KEY = base64.b64encode(key).decode()
        keyring.cache_clear()

    yield use


@pytest.fixture(scope="module")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    yield con
    con.close()


def sql_pseudonyms(con: duckdb.DuckDBPyConnection, values: list[str | None]) -> list[str | None]:
    rows = con.execute(
        f"SELECT {pseudonym_sql('x')} FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS t(x, n) ORDER BY n", [values]
    ).fetchall()
    return [row[0] for row in rows]


# --- encryption -----------------------------------------------------------------------


def test_a_field_decrypts_to_what_was_encrypted() -> None:
    token = encrypt("13812345678", associated=b"person.phone")
    assert decrypt(token, associated=b"person.phone") == "13812345678"


def test_chinese_text_survives_encryption() -> None:
    assert decrypt(encrypt("福州市鼓楼区五四路158号", associated=b"person.address"), associated=b"person.address") == (
        "福州市鼓楼区五四路158号"
    )


def test_encrypting_the_same_value_twice_gives_different_ciphertexts() -> None:
    tokens = {encrypt("350102199001011234") for _ in range(20)}
    assert len(tokens) == 20
    assert {decrypt(t) for t in tokens} == {"350102199001011234"}


def test_the_ciphertext_never_contains_the_plaintext() -> None:
    plaintext = "350102199001011234"
    token = encrypt(plaintext)
    assert token is not None
    raw = base64.b64decode(token.partition(":")[2])
    assert plaintext not in token
    assert plaintext.encode() not in raw
    assert base64.b64encode(plaintext.encode()).decode()[:16] not in token


def test_a_ciphertext_is_a_versioned_nonce_and_tagged_ciphertext() -> None:
    token = encrypt("张三")
    assert token is not None
    assert token.startswith("v1:")
    # 12-byte nonce + the UTF-8 text (6 bytes) + the 16-byte GCM tag.
    assert len(base64.b64decode(token[3:])) == 12 + len("张三".encode()) + 16


def test_a_ciphertext_moved_to_another_field_does_not_decrypt() -> None:
    token = encrypt("13812345678", associated=b"person.phone")
    with pytest.raises(InvalidTag):
        decrypt(token, associated=b"person.card")
    with pytest.raises(InvalidTag):
        decrypt(token)


def test_a_tampered_ciphertext_does_not_decrypt() -> None:
    token = encrypt("13812345678")
    assert token is not None
    raw = bytearray(base64.b64decode(token[3:]))
    raw[14] ^= 0x01
    with pytest.raises(InvalidTag):
        decrypt("v1:" + base64.b64encode(bytes(raw)).decode())


def test_nothing_encrypts_and_decrypts_to_nothing() -> None:
    assert encrypt(None) is None
    assert encrypt("") is None
    assert decrypt(None) is None
    assert decrypt("") is None
    assert key_version(None) is None
    assert key_version("") is None


def test_key_version_reads_the_tokens_prefix() -> None:
    assert key_version(encrypt("张三")) == 1
    assert key_version("v12:AAAA") == 12


def test_new_encryptions_use_the_newest_key_and_old_ones_still_decrypt(settings: Any, fresh_keyring: None) -> None:
    old = encrypt("13812345678", associated=b"person.phone")
    settings.ANXIN_PII_KEYS = f"1:{KEY_1},2:{KEY_2}"
    keyring.cache_clear()
    assert keyring().current_version == 2
    new = encrypt("13812345678", associated=b"person.phone")
    assert key_version(old) == 1
    assert key_version(new) == 2
    assert decrypt(old, associated=b"person.phone") == "13812345678"
    assert decrypt(new, associated=b"person.phone") == "13812345678"


def test_a_token_of_a_retired_key_version_cannot_be_decrypted(settings: Any, fresh_keyring: None) -> None:
    old = encrypt("13812345678")
    settings.ANXIN_PII_KEYS = f"2:{KEY_2}"
    keyring.cache_clear()
    with pytest.raises(KeyringError, match="version 1"):
        decrypt(old)


def test_a_key_of_the_wrong_length_is_refused(settings: Any, fresh_keyring: None) -> None:
    settings.ANXIN_PII_KEYS = "1:" + base64.b64encode(b"k" * 16).decode()
    with pytest.raises(KeyringError, match="32 bytes"):
        keyring()


def test_a_short_pseudonym_key_is_refused(pseudonym_key: Any) -> None:
    pseudonym_key(b"short")
    with pytest.raises(KeyringError, match="at least 16 bytes"):
        keyring()


# --- pseudonyms -----------------------------------------------------------------------


def test_a_pseudonym_is_hmac_sha256_of_the_value_under_the_pseudonym_key() -> None:
    expected = hmac.new(TEST_PSEUDONYM_KEY, b"11010519491231002X", hashlib.sha256).hexdigest()
    assert pseudonym("11010519491231002X") == expected


@pytest.mark.parametrize(("key", "message", "digest"), [RFC4231_CASE_1, RFC4231_CASE_6])
def test_a_pseudonym_matches_the_rfc_4231_test_vectors(
    pseudonym_key: Any, key: bytes, message: str, digest: str
) -> None:
    pseudonym_key(key)
    assert pseudonym(message) == digest


@pytest.mark.parametrize(("key", "message", "digest"), [RFC4231_CASE_1, RFC4231_CASE_6])
def test_the_sql_pseudonym_matches_the_rfc_4231_test_vectors(
    pseudonym_key: Any, duck: duckdb.DuckDBPyConnection, key: bytes, message: str, digest: str
) -> None:
    pseudonym_key(key)
    assert sql_pseudonyms(duck, [message]) == [digest]


def test_a_pseudonym_is_the_same_every_time_and_64_hex_characters() -> None:
    first = pseudonym("13812345678")
    assert first == pseudonym("13812345678")
    assert first is not None
    assert len(first) == 64
    assert set(first) <= set("0123456789abcdef")


def test_different_values_have_different_pseudonyms() -> None:
    assert pseudonym("11010519491231002X") != pseudonym("110105194912310021")


def test_a_different_pseudonym_key_gives_a_different_pseudonym(pseudonym_key: Any) -> None:
    before = pseudonym("11010519491231002X")
    pseudonym_key(b"q" * 32)
    assert pseudonym("11010519491231002X") != before


def test_nothing_has_no_pseudonym(duck: duckdb.DuckDBPyConnection) -> None:
    assert pseudonym(None) is None
    assert pseudonym("") is None
    assert sql_pseudonyms(duck, [None, ""]) == [None, None]


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.text(max_size=40),
            st.text(alphabet="张王李赵刘陈杨黄吴周徐孙马朱胡郭何高林罗福州厦门鼓楼区", max_size=8),
            st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True),
            st.none(),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_the_sql_pseudonym_equals_the_python_pseudonym(
    duck: duckdb.DuckDBPyConnection, values: list[str | None]
) -> None:
    assert sql_pseudonyms(duck, values) == [pseudonym(v) for v in values]


# --- person ids ---------------------------------------------------------------------------


def test_a_person_id_is_the_pseudonyms_first_eight_bytes_as_a_signed_integer() -> None:
    key = pseudonym("350102199001011234")
    assert key is not None
    assert person_id(key) == int.from_bytes(bytes.fromhex(key)[:8], "big", signed=True)
    assert person_id("7fffffffffffffff" + "0" * 48) == 2**63 - 1
    assert person_id("8000000000000000" + "f" * 48) == -(2**63)
    assert person_id("ffffffffffffffff" + "0" * 48) == -1
    assert person_id(None) is None


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.binary(min_size=8, max_size=32).map(bytes.hex)), max_size=40))
def test_person_ids_of_an_arrow_array_are_the_person_id_of_each(keys: list[str | None]) -> None:
    """Vectorised, of values of one length or of several, with nulls, and of a slice."""
    uniform = [None if k is None else k.ljust(64, "0") for k in keys]  # pseudonyms are 64 digits
    assert person_ids(pa.array(uniform, pa.string())).to_pylist() == [person_id(k) for k in uniform]
    assert person_ids(pa.array(keys, pa.string())).to_pylist() == [person_id(k) for k in keys]
    chunked = pa.chunked_array([pa.array(keys[:3], pa.string()), pa.array(keys[3:], pa.string())])
    assert person_ids(chunked).to_pylist() == [person_id(k) for k in keys]
    assert person_ids(pa.array(keys, pa.string()).slice(1)).to_pylist() == [person_id(k) for k in keys[1:]]


def test_person_ids_refuse_what_is_not_a_pseudonym() -> None:
    with pytest.raises(ValueError):
        person_ids(pa.array(["K1"]))
    with pytest.raises(ValueError):
        person_ids(pa.array(["z" * 64]))


def test_pseudonyms_sharing_their_first_64_bits_are_reported() -> None:
    keys = [pseudonym(str(n)) for n in range(1000)]
    assert duplicate_person_ids(pa.array(keys * 2)) == []  # the same person twice is one person
    twin = "0123456789abcdef" + "1" * 48
    other = "0123456789abcdef" + "2" * 48
    assert duplicate_person_ids(pa.array([*keys, twin, other, None])) == [twin, other]
