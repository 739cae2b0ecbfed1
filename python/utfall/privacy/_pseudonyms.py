"""Keyed pseudonyms: HMAC-SHA-256 of an individual's id under the data holder's secret key.

A pseudonym says nothing about the id without the key, the same id always gets
the same pseudonym under the same key (so a validator holding the key can link
a record to the register), and ids of different types never collide: the id is
encoded with its type (``int:1`` and ``str:1`` differ), as utfall tells them apart.

>>> key = b"0123456789abcdef0123456789abcdef"
>>> pseudonym(1, key) == pseudonym(1, key), pseudonym(1, key) == pseudonym("1", key)
(True, False)
>>> len(pseudonym("19121212-1212", key))
32
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any, Union

import numpy as np

from ..errors import SpecError

#: Keys shorter than this many bytes are refused (HMAC-SHA-256's block of security).
MIN_KEY_BYTES = 16
#: Hex digits of a pseudonym: 128 bits, so collisions among millions of ids are negligible.
PSEUDONYM_HEX = 32

Key = Union[bytes, str]


def new_key() -> str:
    """A fresh random key (64 hex digits, 256 bits) for the data holder to keep secret."""
    return secrets.token_hex(32)


def key_bytes(key: Any) -> bytes:
    """The key as bytes: ``bytes`` as given, a ``str`` as its UTF-8 bytes."""
    if isinstance(key, bytes):
        raw = key
    elif isinstance(key, str):
        raw = key.encode("utf-8")
    else:
        raise SpecError(f"key must be bytes or a string, not {type(key).__name__}")
    if len(raw) < MIN_KEY_BYTES:
        raise SpecError(f"key must have at least {MIN_KEY_BYTES} bytes (utfall.privacy.new_key() makes one), "
                        f"not {len(raw)}")
    return raw


def _id_bytes(value: Any) -> bytes:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SpecError(f"ids are ints or strings, not {type(value).__name__}")
    return f"{'int' if isinstance(value, int) else 'str'}:{value}".encode("utf-8")


def pseudonym(value: Any, key: Key) -> str:
    """``HMAC-SHA-256(key, type:id)``, its first 128 bits as 32 hex digits."""
    digest = hmac.new(key_bytes(key), _id_bytes(value), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX]


def key_check(key: Key) -> str:
    """A value that shows whether two parties hold the same key without revealing it
    (the HMAC of a fixed label), recorded beside the pseudonyms."""
    return hmac.new(key_bytes(key), b"utfall key check", hashlib.sha256).hexdigest()[:16]
