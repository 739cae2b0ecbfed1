"""Ctrl-C for work running in worker threads.

Python delivers SIGINT (Ctrl-C, the notebook's interrupt button) to the main
thread only, and the Rust core's ``check_signals`` sees it only there. Work
that a batch runs in a thread pool therefore needs a flag: the batch gives
each task a :class:`threading.Event`, sets it when the main thread is
interrupted, and long loops (the bootstrap's batches) call :func:`check`
between chunks, so every task stops at its next chunk boundary (a fraction of
a second) instead of running to the end.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import Any, Callable, Optional

_CANCEL: ContextVar[Optional[threading.Event]] = ContextVar("utfall_cancel", default=None)


def check() -> None:
    """Raises KeyboardInterrupt when the batch this task belongs to was interrupted."""
    event = _CANCEL.get()
    if event is not None and event.is_set():
        raise KeyboardInterrupt("the batch was interrupted")


def cancellable(fn: Callable[..., Any], event: threading.Event) -> Callable[..., Any]:
    """``fn`` wrapped so that :func:`check` inside it (in any thread) sees ``event``."""

    def run(*args: Any, **kwargs: Any) -> Any:
        token = _CANCEL.set(event)
        try:
            return fn(*args, **kwargs)
        finally:
            _CANCEL.reset(token)

    return run
