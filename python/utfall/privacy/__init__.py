"""Sharing results without sharing who they are: keyed pseudonyms and small-cell suppression.

- :func:`pseudonym`, :func:`new_key`, :func:`key_check`: HMAC-SHA-256 pseudonyms of ids
  under a secret key the data holder keeps;
- :func:`suppress_counts`, :func:`suppress_statistics`, :class:`SuppressionReport`: counts
  and statistics of fewer than 5 individuals masked, with secondary suppression so that
  margins do not give them away;
- :func:`release` and the ``released()`` method of every result that counts individuals:
  the shareable form of its table, with the :class:`SuppressionReport`;
- :class:`Verification`: what a check of an aggregate record verified and what not;
- ``utfall.options.show_ids``: raw ids in messages (off by default; messages name a
  short per-session pseudonym).
"""

from ._pseudonyms import key_check, new_key, pseudonym, seal
from ._suppression import (DEFAULT_THRESHOLD, MARKER, SECONDARY, SuppressionReport, marker, suppress_counts,
                           suppress_statistics)
from ._release import release, suppress_partition
from ._verification import Verification

__all__ = ["DEFAULT_THRESHOLD", "MARKER", "SECONDARY", "SuppressionReport", "Verification", "key_check", "marker",
           "new_key", "pseudonym", "release", "seal", "suppress_counts", "suppress_partition", "suppress_statistics"]
