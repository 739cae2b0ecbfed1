"""The audit trail of an evaluation: read it back, re-run it.

An evaluation decides a payment, so an independent validator must be able to
reproduce it digit for digit. :meth:`Evaluation.to_json` records the full
specification, the seed, the utfall version, a SHA-256 fingerprint of every
input table and every result number (:mod:`._record`); :func:`load_evaluation`
reads it back and :func:`reproduce` re-runs it on the validator's copy of the
data, raising :class:`utfall.ReproductionError` when the data or any number differ.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Callable, Dict, List, Optional

from .._core import __version__
from ..errors import DisclosureWarning, ReproductionError, SpecError, UtfallWarning
from ..privacy import Verification, key_check, pseudonym
from ._disclosure import aggregate_record, check_aggregate
from ._evaluate import evaluate_spec
from ._record import _plain, frame, record, result_differences, results
from ._result import Evaluation
from ._verify import check, malformed, parse, specification

_FULL_WARNING = ("the record is the full disclosure (disclosure='full'): it holds every participant's id, "
                 "calendar dates and costs; keep it where the register may be, and share the aggregate record "
                 "(ev.to_json(key=...)) instead")

#: Re-checks of records that embed an evaluation's record (a contract's settlement), by format:
#: ``check(record, cohort, n_threads=..., progress=..., **options)``. Registered by the subpackages
#: that make such records (imports still run one way: they import this module, not it them).
RECORD_CHECKS: Dict[str, Callable[..., Any]] = {}


def register_record_check(format: str, check: Callable[..., Any]) -> None:
    """Let :func:`reproduce` re-check records of ``format`` with ``check``."""
    RECORD_CHECKS[format] = check


def _read(source: Any) -> Dict[str, Any]:
    if isinstance(source, Evaluation):
        return record(source)
    if isinstance(source, dict):
        return source if source.get("format") in RECORD_CHECKS else check(source)
    try:
        if hasattr(source, "read"):
            source = source.read()
        elif isinstance(source, os.PathLike) or (
                isinstance(source, str) and not source.lstrip().startswith(("{", "["))):
            with open(source, encoding="utf-8") as f:
                source = f.read()
    except (OSError, UnicodeDecodeError) as err:
        raise ReproductionError(f"cannot read the record: {err}") from None
    if not isinstance(source, (str, bytes)):
        raise ReproductionError(f"a record is JSON text, a path, an open file, a dict or an Evaluation, "
                                f"not {type(source).__name__}")
    return parse(source, tuple(RECORD_CHECKS))


def load_evaluation(source: Any) -> Evaluation:
    """An :class:`Evaluation` from its JSON record (text, a path or an open file).

    The loaded evaluation has every table and number of the original, but not
    the match objects (``comparisons``), which are not recorded.
    """
    data = _read(source)
    if data.get("format") in RECORD_CHECKS:
        data = check(data.get("evaluation"))  # a record that embeds the evaluation's own (a settlement)
    if data.get("disclosure") == "aggregate":
        raise SpecError("load_evaluation reads the data holder's full record; an aggregate record is checked with "
                        "utfall.reproduce(record) (its internal consistency) or utfall.reproduce(record, cohort, "
                        "key=...) (against the register)")
    if data.get("disclosure", "full") == "full" and not isinstance(source, Evaluation):  # formats 1-2: full
        warnings.warn(_FULL_WARNING, DisclosureWarning, stacklevel=2)
    spec = specification(data)
    tables = data["results"]
    try:
        summary, individuals = frame(tables["summary"]), frame(tables["individuals"])
        trajectories = {h: frame(t) for h, t in tables["trajectories"].items()}
    except (TypeError, ValueError, KeyError, OverflowError) as err:
        raise malformed("results", f"holds a table that cannot be read ({type(err).__name__}: {err})") from None
    return Evaluation(spec=spec, version=data["utfall_version"], fingerprints=data["fingerprints"],
                      individuals=individuals, summary=summary, trajectories=trajectories,
                      not_counted=data.get("not_counted"), content_fingerprints=data.get("content_fingerprints"),
                      checks=data.get("validity"))


def reproduce(source: Any, cohort: Any = None, *, key: Any = None, n_threads: Optional[int] = None,
              progress: bool = False, **options: Any) -> Any:
    """Re-runs a recorded evaluation on ``cohort`` and checks every number.

    A full record (``disclosure="full"``) is re-run and compared digit for digit (it is
    warned about: it holds every id). An aggregate record (the default of
    :meth:`Evaluation.to_json`) is, with the data holder's ``key`` and the register,
    re-run, pseudonymised and suppressed again and compared digit for digit, sealed
    values included; a wrong key and a changed register are told apart. Without the
    key it is checked for what can be checked (:class:`utfall.privacy.Verification`):
    its totals, means and bootstrap interval against its own rows and seed, and, given
    the register, the data fingerprints and a re-run of everything but the pseudonyms
    and the sealed values (when the specification names no individual).

    Parameters
    ----------
    source : str, path, file, dict or Evaluation
        The JSON record (from :meth:`Evaluation.to_json`).
    cohort : Cohort, optional
        The validator's copy of the data (optional only for an aggregate record without the key).
    key : str or bytes, optional
        The data holder's key of an aggregate record.
    n_threads : int, optional
        Threads for the re-run; the numbers do not depend on it.

    **options
        Passed to the re-check of a record that embeds an evaluation (a settlement:
        ``outcomes=`` the validator's own change-score results).

    Returns
    -------
    Evaluation or Verification
        The re-run, identical to the record (for a settlement record: the re-run Settlement);
        for an aggregate record checked without the key, the :class:`~utfall.privacy.Verification`
        saying what was verified and what not.

    Raises
    ------
    ReproductionError
        When the record is malformed or edited (its top-level ``seed`` not its
        specification's, a specification utfall would not write), when an
        input table's content differs from the record (naming the table), or
        when any number of the re-run, or what it did not count, differs from
        the recorded one (naming the table, column and row). A table holding
        the recorded rows in another order is told apart: a
        :class:`~utfall.UtfallWarning`, and the numbers must still agree. A
        different utfall version is a warning; the numbers must still agree.
    """
    data = _read(source)
    if data.get("format") in RECORD_CHECKS:
        return RECORD_CHECKS[data["format"]](data, cohort, key=key, n_threads=n_threads, progress=progress,
                                             **options)
    if options:
        raise ReproductionError(f"reproduce of an evaluation record takes no options {sorted(options)}")
    if data.get("disclosure") == "aggregate":
        return _reproduce_aggregate(data, cohort, key, n_threads, progress)
    if data.get("disclosure", "full") == "full" and not isinstance(source, Evaluation):  # formats 1-2: full
        warnings.warn(_FULL_WARNING, DisclosureWarning, stacklevel=2)
    spec = specification(data)
    _need_cohort(cohort)
    reordered = _check_data(data, cohort)
    if data["utfall_version"] != __version__:
        warnings.warn(f"the record was made with utfall {data['utfall_version']}, this is {__version__}",
                      UtfallWarning, stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UtfallWarning)  # what was not counted is compared below, not warned again
        again = evaluate_spec(cohort, spec, n_threads=n_threads, progress=progress)
    found = result_differences(data["results"], results(again))
    if "not_counted" in data and _plain(data["not_counted"]) != _plain(again.not_counted):
        found.insert(0, f"what was not counted differs: recorded {data['not_counted']!r}, now {again.not_counted!r}")
    if found:
        order = (f" (the table(s) {', '.join(repr(t) for t in reordered)} hold the same rows in another order, "
                 "on which these results depend)") if reordered else ""
        raise ReproductionError("the re-run differs from the recorded evaluation" + order + ": " + "; ".join(found))
    return again


def _check_data(data: Dict[str, Any], cohort: Any) -> List[str]:
    """The tables whose rows are the recorded ones in another order (warned about); a changed table raises."""
    recorded, current = data["fingerprints"], cohort.fingerprints()
    changed = [t for t in sorted(set(recorded) | set(current)) if recorded.get(t) != current.get(t)]
    if not changed:
        return []
    content = data.get("content_fingerprints") or {}
    now = cohort.content_fingerprints()
    reordered = [t for t in changed if content.get(t) is not None and content.get(t) == now.get(t)]
    differ = [t for t in changed if t not in reordered]
    if differ:
        detail = "; ".join(f"table '{t}': recorded {str(recorded.get(t))[:12]}, now {str(current.get(t))[:12]}"
                           for t in differ)
        also = (f"; table(s) {', '.join(repr(t) for t in reordered)} hold the same rows in another order"
                if reordered else "")
        raise ReproductionError(f"the data differ from those of the recorded evaluation in table(s) "
                                f"{', '.join(repr(t) for t in differ)} ({detail}){also}")
    warnings.warn(f"the table(s) {', '.join(repr(t) for t in reordered)} hold the rows of the recorded evaluation "
                  "in another order (same content); the numbers are checked as usual", UtfallWarning, stacklevel=3)
    return reordered


def _need_cohort(cohort: Any) -> None:
    if not hasattr(cohort, "fingerprints") or not hasattr(cohort, "content_fingerprints"):
        raise ReproductionError(f"reproduce needs the Cohort the evaluation was run on, not {type(cohort).__name__}")


def _names_individuals(spec: Dict[str, Any]) -> bool:
    return (spec["matching"].get("estimator") == "given"
            or isinstance(spec["intervention_cost"], dict))


def _reidentify(spec: Dict[str, Any], cohort: Any, key: Any) -> Dict[str, Any]:
    """The specification with the pseudonyms of the register's individuals replaced by their ids."""
    ids = cohort.individuals["id"].tolist()
    back = {pseudonym(i, key): i for i in ids}

    def raw(p: Any) -> Any:
        if p not in back:
            raise ReproductionError("the record names an individual the register does not hold (pseudonym "
                                    f"{str(p)[:12]}): the register is another one")
        return back[p]

    spec = dict(spec)
    if spec["matching"].get("estimator") == "given":
        matching = dict(spec["matching"])
        for h, p in matching["pairs"].items():
            if not all(isinstance(p.get(c), list) for c in ("treated", "control")):
                raise malformed(f"specification.matching.pairs.{h}", "must hold lists 'treated' and 'control'")
        matching["pairs"] = {h: {**p, "treated": [raw(v) for v in p["treated"]],
                                 "control": [raw(v) for v in p["control"]]} for h, p in matching["pairs"].items()}
        spec["matching"] = matching
    if isinstance(spec["intervention_cost"], dict):
        spec["intervention_cost"] = {"per_participant": [[raw(i), c] for i, c in
                                                         spec["intervention_cost"]["per_participant"]]}
    return spec


def _rerun(data: Dict[str, Any], cohort: Any, spec: Dict[str, Any], n_threads: Optional[int],
           progress: bool) -> Any:
    reordered = _check_data(data, cohort)
    if data["utfall_version"] != __version__:
        warnings.warn(f"the record was made with utfall {data['utfall_version']}, this is {__version__}",
                      UtfallWarning, stacklevel=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UtfallWarning)
        again = evaluate_spec(cohort, specification({**data, "specification": spec}), n_threads=n_threads,
                              progress=progress)
    return again, reordered


def _reproduce_aggregate(data: Dict[str, Any], cohort: Any, key: Any, n_threads: Optional[int],
                         progress: bool) -> Any:
    specification(data)  # the recorded specification is one utfall writes (with pseudonyms for ids)
    threshold = data["threshold"]
    if key is not None:
        if key_check(key) != data["key_check"]:
            raise ReproductionError("the key is not the one the record was made with (its key check differs): "
                                    "no pseudonym can be checked with it")
        _need_cohort(cohort)
        again, reordered = _rerun(data, cohort, _reidentify(data["specification"], cohort, key), n_threads,
                                  progress)
        derived = aggregate_record(record(again), key, threshold)
        found = result_differences(data["results"], derived["results"])
        if _plain(data["not_counted"]) != _plain(derived["not_counted"]):
            found.insert(0, "what was not counted differs")
        if data["sealed"] != derived["sealed"]:
            where = sorted(k for k in set(data["sealed"]) | set(derived["sealed"])
                           if data["sealed"].get(k) != derived["sealed"].get(k))
            found.append(f"the sealed values differ at {where[:5]}")
        if found:
            order = (f" (the table(s) {', '.join(repr(t) for t in reordered)} hold the same rows in another order)"
                     if reordered else "")
            raise ReproductionError("the re-run differs from the recorded evaluation" + order + ": "
                                    + "; ".join(found))
        return again
    checked = check_aggregate(data)
    verified, not_verified = list(checked["verified"]), list(checked["not verified"])
    again = None
    if cohort is None:
        not_verified.append("the data fingerprints, the per-participant numbers and the matching (they need the "
                            "register: utfall.reproduce(record, cohort))")
    elif _names_individuals(data["specification"]):
        _need_cohort(cohort)
        _check_data(data, cohort)
        verified.append("the register's tables have the recorded fingerprints")
        not_verified.append("the re-run: the specification names individuals by pseudonym (given pairs or "
                            "per-participant costs), which only the key turns back into ids")
    else:
        _need_cohort(cohort)
        again, _ = _rerun(data, cohort, data["specification"], n_threads, progress)
        verified.append("the register's tables have the recorded fingerprints")
        derived = aggregate_record(record(again), b"\0" * 32, threshold)  # any key: pseudonyms are not compared
        for table in (data["results"]["individuals"], derived["results"]["individuals"]):
            table["index"] = {**table["index"], "values": list(range(len(table["index"]["values"])))}
        found = result_differences(data["results"], derived["results"])
        if _plain(data["not_counted"]) != _plain(derived["not_counted"]):
            found.insert(0, "what was not counted differs")
        if found:
            raise ReproductionError("the re-run differs from the recorded evaluation: " + "; ".join(found))
        if set(data["sealed"]) != set(derived["sealed"]):
            raise ReproductionError("the re-run suppresses other cells than the record")
        verified.append("the re-run on the register gives every shown number of the record, digit for digit, "
                        "and suppresses the same cells")
    not_verified.append("the pseudonyms (they need the key: utfall.reproduce(record, cohort, key=...))")
    if data["sealed"]:
        not_verified.append(f"{len(data['sealed'])} suppressed values, sealed under the key (they need the key)")
    return Verification(verified=verified, not_verified=not_verified, evaluation=again)
