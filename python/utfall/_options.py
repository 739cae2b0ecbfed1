"""Process-wide options of what utfall may show: raw ids in messages, or short pseudonyms.

Messages of exceptions and warnings leave the process: they are copied into
tickets, e-mails and logs, so by default they name the row number and a short
pseudonym of the id, never the id itself (``id #3fa2c1``). The pseudonym uses a
key drawn once per process, so within one session the same id always reads the
same, and across sessions nothing links. The data holder debugging on their own
machine sets ``utfall.options.show_ids = True`` to see raw ids. The default is
off in notebooks too: a notebook's outputs are shared as readily as its code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Options:
    """``show_ids``: raw ids in messages (default False)."""

    show_ids: bool = False
    _message_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def describe_id(self, value: Any) -> str:
        """How a message names an id: ``id 'x'`` with ``show_ids``, else ``id #`` and 6 hex digits."""
        if self.show_ids:
            return f"id {value!r}"
        if hasattr(value, "item"):
            value = value.item()
        kind = "int" if isinstance(value, int) and not isinstance(value, bool) else type(value).__name__
        digest = hmac.new(self._message_key, f"{kind}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()
        return f"id #{digest[:6]}"


options = Options()
