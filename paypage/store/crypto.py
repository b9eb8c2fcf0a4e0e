"""Personal data encrypted at rest: AES-256-GCM behind SQLAlchemy column types.

Keys come from `INKASSO_DATA_KEYS` as an ordered list `id:base64key,id:base64key`: the first key encrypts,
every listed key decrypts, so a new key goes in front and the old one stays until `flask --app paypage
data-keys rotate` has re-encrypted every row. Each stored value names its key:

- text columns hold `<key id>$<base64url(nonce | ciphertext | tag)>`,
- binary columns hold `<key id>$` followed by the raw nonce, ciphertext and tag.

The associated data binds a value to its key id and its column ("debtors.email"), so a ciphertext copied
into another column or relabelled with another key id fails to decrypt instead of reading as someone
else's data. The engine's keyring is looked up through the dialect the column types are handed, which is
one per engine: two apps in one process (the tests) keep their own keys.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, LargeBinary, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")
KEY_BYTES = 32
NONCE_BYTES = 12
SEPARATOR = "$"
_SEPARATOR_BYTES = SEPARATOR.encode()
DEVELOPMENT_KEY_ID = "dev"
# Public on purpose: development data is demo data, and production refuses this key (see config.py).
DEVELOPMENT_KEY = hashlib.sha256(b"inkasso development data key; never used in production").digest()


class DataKeyError(ValueError):
    """A key list that cannot be used, or a value that no listed key decrypts."""


def _decode_key(key_id: str, material: str) -> bytes:
    text = material.strip().replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise DataKeyError(f"key {key_id!r} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise DataKeyError(f"key {key_id!r} must be {KEY_BYTES} bytes (base64 of 32 random bytes), got {len(key)}")
    return key


def generate_key(key_id: str) -> str:
    """A new `id:base64key` entry for `INKASSO_DATA_KEYS`."""
    if not KEY_ID.fullmatch(key_id):
        raise DataKeyError(f"key id {key_id!r}: use 1 to 16 letters, digits, '-' or '_'")
    return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()}"


@dataclass(frozen=True)
class Keyring:
    keys: tuple[tuple[str, bytes], ...]
    """(key id, 32-byte key), newest first: the first encrypts."""
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, init=False, compare=False, repr=False)
    _derived: dict[str, bytes] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise DataKeyError("at least one data key is needed")
        seen: set[str] = set()
        for key_id, key in self.keys:
            if not KEY_ID.fullmatch(key_id):
                raise DataKeyError(f"key id {key_id!r}: use 1 to 16 letters, digits, '-' or '_'")
            if key_id in seen:
                raise DataKeyError(f"key id {key_id!r} is listed twice")
            if len(key) != KEY_BYTES:
                raise DataKeyError(f"key {key_id!r} must be {KEY_BYTES} bytes")
            seen.add(key_id)
            self._ciphers[key_id] = AESGCM(key)

    def __repr__(self) -> str:
        return f"Keyring(ids={list(self.ids)!r})"

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        """`id:base64key,id:base64key` (the format of `INKASSO_DATA_KEYS`)."""
        keys: list[tuple[str, bytes]] = []
        for position, entry in enumerate(part.strip() for part in spec.split(",")):
            key_id, colon, material = entry.partition(":")
            if not colon or not key_id:
                raise DataKeyError(f"entry {position + 1} must look like 'id:base64key'")
            keys.append((key_id, _decode_key(key_id, material)))
        return cls(tuple(keys))

    @classmethod
    def development(cls) -> Keyring:
        return cls(((DEVELOPMENT_KEY_ID, DEVELOPMENT_KEY),))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key_id for key_id, _ in self.keys)

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    @property
    def index_key(self) -> bytes:
        """The blind index key (paypage.store.blind_index), derived from the newest key."""
        key = self._derived.get("index")
        if key is None:
            key = self._derived["index"] = hmac.new(self.keys[0][1], b"inkasso blind index v1", "sha256").digest()
        return key

    def has_development_key(self) -> bool:
        return any(key == DEVELOPMENT_KEY for _, key in self.keys)

    def _seal(self, plaintext: bytes, purpose: str) -> tuple[str, bytes]:
        key_id = self.current_id
        nonce = os.urandom(NONCE_BYTES)
        return key_id, nonce + self._ciphers[key_id].encrypt(nonce, plaintext, _associated(key_id, purpose))

    def _open(self, key_id: str, body: bytes, purpose: str) -> bytes:
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise DataKeyError(f"a {purpose} value is encrypted with key {key_id!r}, which INKASSO_DATA_KEYS lacks")
        if len(body) < NONCE_BYTES + 16:
            raise DataKeyError(f"a {purpose} value is not an encrypted value")
        try:
            return cipher.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], _associated(key_id, purpose))
        except InvalidTag:
            raise DataKeyError(f"a {purpose} value does not authenticate under key {key_id!r}") from None

    def encrypt(self, plaintext: bytes, purpose: str) -> bytes:
        key_id, body = self._seal(plaintext, purpose)
        return key_id.encode() + _SEPARATOR_BYTES + body

    def decrypt(self, token: bytes, purpose: str) -> bytes:
        key_id, separator, body = token.partition(_SEPARATOR_BYTES)
        if not separator:
            raise DataKeyError(f"a {purpose} value is not an encrypted value")
        return self._open(key_id.decode("ascii", errors="replace"), body, purpose)

    def encrypt_text(self, plaintext: str, purpose: str) -> str:
        key_id, body = self._seal(plaintext.encode(), purpose)
        return key_id + SEPARATOR + base64.urlsafe_b64encode(body).decode().rstrip("=")

    def decrypt_text(self, token: str, purpose: str) -> str:
        key_id, separator, body = token.partition(SEPARATOR)
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        if not separator or not raw:
            raise DataKeyError(f"a {purpose} value is not an encrypted value")
        return self._open(key_id, raw, purpose).decode()


def _associated(key_id: str, purpose: str) -> bytes:
    return f"inkasso:{key_id}:{purpose}".encode()


def key_id_of(stored: str | bytes) -> str:
    """The id of the key a stored value was encrypted with (rotation skips values already on the newest)."""
    if isinstance(stored, str):
        return stored.partition(SEPARATOR)[0]
    return stored.partition(_SEPARATOR_BYTES)[0].decode("ascii", errors="replace")


# ------------------------------------------------------------------------------------- engine binding

_KEYRINGS: weakref.WeakKeyDictionary[Dialect, Keyring] = weakref.WeakKeyDictionary()


def bind_keyring(engine: Engine, keyring: Keyring) -> None:
    _KEYRINGS[engine.dialect] = keyring


def keyring_for(dialect: Dialect) -> Keyring:
    keyring = _KEYRINGS.get(dialect)
    if keyring is None:
        raise DataKeyError("this engine has no data keys; build it through paypage.store.db.Database")
    return keyring


# ---------------------------------------------------------------------------------------- column types


class EncryptedColumnError(TypeError):
    """SQL compared an encrypted column with a value: it would silently match nothing."""


_NULL_CHECKS = (operators.is_, operators.is_not)


class _Opaque(TypeDecorator.Comparator[Any]):
    # Ciphertexts differ on every write, so ==, LIKE or IN against them can never be right: refuse loudly.
    def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
        if op not in _NULL_CHECKS:
            raise EncryptedColumnError(
                f"{self.expr} is encrypted at rest and cannot be compared in SQL; "
                "search names with paypage.store.blind_index.name_matches, look rows up by id"
            )
        return super().operate(op, *other, **kwargs)

    def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> Any:
        return self.operate(op, other, **kwargs)


class _EncryptedString(TypeDecorator[Any]):
    """A value stored encrypted as text: subclasses say how it becomes a string and back."""

    impl = Text
    cache_ok = True
    comparator_factory = _Opaque

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> Any:
        return text

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring_for(dialect).encrypt_text(self.encode(value), self.purpose)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return self.decode(keyring_for(dialect).decrypt_text(str(value), self.purpose))


class EncryptedText(_EncryptedString):
    """A string stored encrypted; reads give the plain string back."""

    cache_ok = True


class EncryptedDate(_EncryptedString):
    """A date (of birth) stored encrypted as its ISO form."""

    cache_ok = True

    def encode(self, value: dt.date) -> str:
        return value.isoformat()

    def decode(self, text: str) -> dt.date:
        return dt.date.fromisoformat(text)


class EncryptedJSON(_EncryptedString):
    """A JSON document stored encrypted. Nothing may query inside it in SQL, and nothing does."""

    cache_ok = True

    def encode(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def decode(self, text: str) -> Any:
        return json.loads(text)


class EncryptedBytes(TypeDecorator[bytes]):
    """File content stored encrypted (uploads)."""

    impl = LargeBinary
    cache_ok = True
    comparator_factory = _Opaque

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return keyring_for(dialect).encrypt(bytes(value), self.purpose)

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return keyring_for(dialect).decrypt(bytes(value), self.purpose)


def settings_keyring(data_keys: str) -> Keyring:
    """The keyring for the `INKASSO_DATA_KEYS` value; the development key when it is empty."""
    return Keyring.parse(data_keys) if data_keys.strip() else Keyring.development()
