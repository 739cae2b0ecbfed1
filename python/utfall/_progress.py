"""Long work in batches: a progress bar after about a second, and Ctrl-C between batches."""

from __future__ import annotations

import time
from typing import Callable

from ._interrupt import check as check_interrupted


def run_batches(step: Callable[[int, int], None], n_resamples: int, batch: int, progress: bool, what: str) -> None:
    """Calls ``step(start, count)`` over the replicates, with a progress bar for long runs.

    Ctrl-C raises KeyboardInterrupt between batches (the core also checks signals).
    """
    bar = None
    began = time.perf_counter()
    try:
        for start in range(0, n_resamples, batch):
            check_interrupted()  # a batch in worker threads was interrupted (see utfall._interrupt)
            count = min(batch, n_resamples - start)
            step(start, count)
            done = start + count
            if bar is None and progress and done < n_resamples:
                elapsed = time.perf_counter() - began
                if elapsed / done * n_resamples > 1.0:
                    from tqdm.auto import tqdm

                    bar = tqdm(total=n_resamples, initial=done, desc=what, unit="resample")
            elif bar is not None:
                bar.update(count)
    finally:
        if bar is not None:
            bar.close()
