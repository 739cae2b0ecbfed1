"""Many sick-leave evaluations at once (many municipalities, contracts or specifications)."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Dict, Optional, Sequence

import pandas as pd

from .._seeds import new_seed
from ..errors import SpecError
from ._evaluation import evaluate

_ARGUMENTS = ("reference", "observation", "value_of_a_day", "by", "seed", "bootstrap", "clusters", "target",
              "confidence_level", "method")


def _run_one(register: Any, arguments: Dict[str, Any]) -> Any:
    """One evaluation on a worker (module level, so it pickles)."""
    return evaluate(register, **arguments)


def evaluate_many(specs: Sequence[Dict[str, Any]], register: Any = None, *, executor: Optional[Executor] = None,
                  max_workers: Optional[int] = None, return_evaluations: bool = False) -> Any:
    """Runs many sick-leave evaluations through one executor and returns one tidy DataFrame.

    The same executor interface as :func:`utfall.evaluate_many`: anything with
    ``submit(fn, *args)`` returning futures, a thread pool by default (the core
    releases the GIL), a ``ProcessPoolExecutor`` or ``dask.distributed.Client.get_executor()``
    for a national run over many municipalities (registers pickle as their tables
    and are validated again on the worker). Each spec holds the arguments of
    :func:`utfall.sickleave.evaluate`, optionally its own ``register`` and a
    ``name``; a spec without a seed gets one drawn and recorded. Results come
    back in the order of the specs and do not depend on where they ran.

    Returns
    -------
    DataFrame
        The ``table`` of every evaluation, with ``name``, ``seed`` and the group
        as columns (and the evaluations too when ``return_evaluations``).

    Examples
    --------
    >>> import utfall
    >>> reg = utfall.sickleave.synthetic_register(posts=200, seed=2)
    >>> out = utfall.sickleave.evaluate_many([{"name": "A", "seed": 1, "bootstrap": 50, "by": "municipality"},
    ...                                       {"name": "B", "seed": 2, "bootstrap": 0}], reg)
    >>> list(out["name"])
    ['A', 'A', 'B']
    """
    prepared = []
    for k, spec in enumerate(specs):
        unknown = set(spec) - set(_ARGUMENTS) - {"register", "name"}
        if unknown:
            raise SpecError(f"spec {k} has unknown argument(s) {sorted(unknown)}; the arguments are {list(_ARGUMENTS)}")
        reg = spec.get("register", register)
        if reg is None:
            raise SpecError(f"spec {k} names no register and no default register= is given")
        arguments = {a: spec[a] for a in _ARGUMENTS if a in spec}
        arguments.setdefault("seed", new_seed())
        prepared.append((spec.get("name", str(k)), reg, arguments))
    own = executor is None
    pool: Executor = ThreadPoolExecutor(max_workers=max_workers) if executor is None else executor
    try:
        futures = [pool.submit(_run_one, reg, arguments) for _, reg, arguments in prepared]
        evaluations = [f.result() for f in futures]
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    frames = []
    for (name, _, arguments), ev in zip(prepared, evaluations):
        table = ev.table.reset_index().rename(columns={ev.table.index.name: "group"})
        table.insert(0, "seed", arguments["seed"])
        table.insert(0, "name", name)
        frames.append(table)
    out = pd.concat(frames, ignore_index=True)
    return (out, evaluations) if return_evaluations else out
