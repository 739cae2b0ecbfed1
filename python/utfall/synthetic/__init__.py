"""A synthetic register calibrated to the Norrköping figures (see :func:`register`)."""

from ._register import register

__all__ = ["register"]
