"""Many evaluations in one call: horizons, estimators, outcomes, cohorts.

:func:`evaluate_many` runs a list of specifications in parallel through any
executor in the :mod:`concurrent.futures` style (``submit`` returning futures):
by default a thread pool in this process (the Rust core releases the GIL), or
the executor of an existing cluster engine, e.g. a Dask distributed client's
``client.get_executor()``. Cohorts are picklable, so process pools and remote
workers receive them. Results come back in the order of the specifications,
whatever the order of completion, and each specification's numbers do not
depend on where or on how many threads it ran.
"""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import pandas as pd

from .._interrupt import cancellable
from ..errors import SpecError
from ._evaluate import evaluate_spec
from ._result import Evaluation
from ._spec import Spec, make_spec

_ARGUMENTS = ("matching", "horizons", "outcome", "care_types", "intervention_cost", "bootstrap", "seed", "partial")


def _run_one(cohort: Any, spec: Spec, n_threads: Optional[int]) -> Evaluation:
    """One evaluation on a worker (module level, so it pickles)."""
    return evaluate_spec(cohort, spec, n_threads=n_threads, progress=False)


def _cohort_key(cohort: Any) -> str:
    """A short fingerprint of all of a cohort's tables, to tell cohorts apart in the tidy result."""
    digest = hashlib.sha256(repr(sorted(cohort.fingerprints().items())).encode())
    return digest.hexdigest()[:12]


def evaluate_many(specs: Sequence[Dict[str, Any]], cohort: Any = None, *, executor: Optional[Executor] = None,
                  max_workers: Optional[int] = None, n_threads: Optional[int] = None, progress: bool = True,
                  return_evaluations: bool = False) -> Union[pd.DataFrame, Tuple[pd.DataFrame, List[Evaluation]]]:
    """Runs many evaluations and returns one tidy DataFrame.

    Parameters
    ----------
    specs : sequence of dict
        Each with the arguments of :func:`utfall.evaluate` (``matching``,
        ``horizons``, ``outcome``, ``care_types``, ``intervention_cost``,
        ``bootstrap``, ``seed``, ``partial``), optionally ``cohort`` and a
        ``name``. A spec without a seed gets one drawn and recorded.
    cohort : Cohort, optional
        The cohort of specifications that do not name their own.
    executor : concurrent.futures.Executor, optional
        Anything with ``submit(fn, *args)`` returning futures: a
        ``ThreadPoolExecutor`` (the default, ``max_workers`` threads), a
        ``ProcessPoolExecutor`` or ``dask.distributed.Client.get_executor()``.
    n_threads : int, optional
        Threads of each evaluation's bootstrap engine.
    return_evaluations : bool
        Also return the list of :class:`Evaluation` objects.

    Returns
    -------
    pandas.DataFrame
        One row per specification and horizon: ``spec`` (position), ``name``,
        ``cohort`` (a short fingerprint), ``estimator``, ``outcome``,
        ``care_types``, ``partial``, ``seed``, ``horizon`` and the summary
        numbers of :meth:`Evaluation.summary` (machine names).
    """
    jobs = []
    for k, raw in enumerate(specs):
        raw = dict(raw)
        name = raw.pop("name", f"spec {k}")
        who = raw.pop("cohort", cohort)
        if who is None:
            raise SpecError(f"specification {k} ({name}) has no cohort and evaluate_many got none")
        unknown = set(raw) - set(_ARGUMENTS)
        if unknown:
            raise SpecError(f"specification {k} ({name}): unknown argument(s) {sorted(unknown)}; "
                            f"allowed: {list(_ARGUMENTS)}")
        jobs.append((name, who, make_spec(**raw)))

    own = executor is None
    pool: Executor = ThreadPoolExecutor(max_workers=max_workers or min(len(jobs), os.cpu_count() or 1) or 1) \
        if executor is None else executor
    cancel = threading.Event()  # Ctrl-C stops the evaluations running in worker threads too
    futures = []
    try:
        # A thread pool's tasks see the cancel event; process pools and dask get the plain function.
        task = cancellable(_run_one, cancel) if isinstance(pool, ThreadPoolExecutor) else _run_one
        futures = [pool.submit(task, who, spec, n_threads) for _, who, spec in jobs]
        if progress:
            from tqdm.auto import tqdm

            futures_iter: Iterable[Any] = tqdm(futures, desc="evaluations", leave=False, delay=1.0)
        else:
            futures_iter = futures
        evaluations = [f.result() for f in futures_iter]
    except KeyboardInterrupt:
        cancel.set()
        for f in futures:
            f.cancel()
        raise
    finally:
        if own:
            pool.shutdown(wait=True)

    rows = []
    for k, ((name, who, spec), ev) in enumerate(zip(jobs, evaluations)):
        summary = ev.summary(readable=False).reset_index()
        summary.insert(0, "spec", k)
        summary.insert(1, "name", name)
        summary.insert(2, "cohort", _cohort_key(who))
        summary.insert(3, "estimator", spec.matching.estimator)
        summary.insert(4, "outcome", spec.outcome)
        summary.insert(5, "care_types", "all" if spec.care_types is None else ",".join(spec.care_types))
        summary.insert(6, "partial", spec.partial)
        summary.insert(7, "seed", spec.seed)
        rows.append(summary)
    table = pd.concat(rows, ignore_index=True)
    return (table, evaluations) if return_evaluations else table
