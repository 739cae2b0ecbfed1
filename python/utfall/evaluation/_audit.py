"""The audit trail of an evaluation: read it back, re-run it.

An evaluation decides a payment, so an independent validator must be able to
reproduce it digit for digit. :meth:`Evaluation.to_json` records the full
specification, the seed, the utfall version, a SHA-256 fingerprint of every
input table and every result number (:mod:`._record`); :func:`load_evaluation`
reads it back and :func:`reproduce` re-runs it on the validator's copy of the
data, raising :class:`utfall.ReproductionError` when the data or any number differ.
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any, Optional

from .._core import __version__
from ..errors import ReproductionError
from ._evaluate import evaluate_spec
from ._record import FORMAT, differences, frame, record
from ._result import Evaluation


def _read(source: Any) -> dict:
    if isinstance(source, Evaluation):
        return record(source)
    if isinstance(source, dict):
        return source
    if hasattr(source, "read"):
        source = source.read()
    elif isinstance(source, os.PathLike) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        with open(source, encoding="utf-8") as f:
            source = f.read()
    data = json.loads(source)
    if data.get("format") != FORMAT:
        raise ReproductionError(f"not an utfall evaluation record (format {data.get('format')!r}, expected {FORMAT!r})")
    return data


def load_evaluation(source: Any) -> Evaluation:
    """An :class:`Evaluation` from its JSON record (text, a path or an open file).

    The loaded evaluation has every table and number of the original, but not
    the match objects (``comparisons``), which are not recorded.
    """
    data = _read(source)
    results = data["results"]
    summary = frame(results["summary"])
    spec = data["specification"]
    return Evaluation(spec=spec, version=data["utfall_version"], fingerprints=data["fingerprints"],
                      individuals=frame(results["individuals"]), summary=summary,
                      trajectories={h: frame(t) for h, t in results["trajectories"].items()})


def reproduce(source: Any, cohort, *, n_threads: Optional[int] = None, progress: bool = False) -> Evaluation:
    """Re-runs a recorded evaluation on ``cohort`` and checks every number.

    Parameters
    ----------
    source : str, path, file, dict or Evaluation
        The JSON record (from :meth:`Evaluation.to_json`).
    cohort : Cohort
        The validator's copy of the data.
    n_threads : int, optional
        Threads for the re-run; the numbers do not depend on it.

    Returns
    -------
    Evaluation
        The re-run, identical to the record.

    Raises
    ------
    ReproductionError
        When an input table's fingerprint differs from the record (naming the
        table) or when any number of the re-run differs from the recorded one
        (naming the table, column and row). A different utfall version is a
        warning; the numbers must still agree.
    """
    data = _read(source)
    recorded = data["fingerprints"]
    current = cohort.fingerprints()
    changed = [t for t in sorted(set(recorded) | set(current)) if recorded.get(t) != current.get(t)]
    if changed:
        detail = "; ".join(f"table '{t}': recorded {str(recorded.get(t))[:12]}, now {str(current.get(t))[:12]}"
                           for t in changed)
        raise ReproductionError(f"the data differ from those of the recorded evaluation in table(s) "
                                f"{', '.join(repr(t) for t in changed)} ({detail})")
    if data["utfall_version"] != __version__:
        warnings.warn(f"the record was made with utfall {data['utfall_version']}, this is {__version__}",
                      stacklevel=2)
    again = evaluate_spec(cohort, data["specification"], n_threads=n_threads, progress=progress)
    found = differences(load_evaluation(data), again)
    if found:
        raise ReproductionError("the re-run differs from the recorded evaluation: " + "; ".join(found))
    return again
