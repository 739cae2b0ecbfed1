"""The audit record of a sick-leave evaluation and its re-check by :func:`utfall.reproduce`."""

from __future__ import annotations

import json
import warnings
from typing import Any, Dict, Optional

from .._core import __version__
from ..errors import ReproductionError
from ..evaluation import register_record_check
from ._evaluation import evaluate
from ._value import ValueOfADay, value_of_a_day

FORMAT = "utfall.sickleave.evaluation/1"
_DERIVED = ("salary", "qualifying_share", "day_1", "days_2_14", "value")


def reproduce_record(data: Dict[str, Any], register: Any, *, n_threads: Optional[int] = None, progress: bool = False,
                     **options: Any) -> Any:
    """Re-runs a recorded sick-leave evaluation on ``register`` and checks every number.

    The tables' fingerprints must match the record's; a value of a sick day that was
    computed is computed again from the register (with the recorded rates), a given
    one is reused. Raises :class:`utfall.ReproductionError` naming the changed table
    or the first number that differs.
    """
    recorded, current = data["fingerprints"], register.fingerprints()
    changed = [t for t in sorted(set(recorded) | set(current)) if recorded.get(t) != current.get(t)]
    if changed:
        raise ReproductionError(f"the data differ from those of the recorded sick-leave evaluation in table(s) "
                                f"{', '.join(repr(t) for t in changed)}")
    if data["version"] != __version__:
        warnings.warn(f"the record was made with utfall {data['version']}, this is {__version__}", stacklevel=3)
    spec = data["spec"]
    masks = dict(register._group_labels(spec["by"]))
    values: Dict[str, Any] = {}
    for label, v in spec["value_of_a_day"].items():
        if isinstance(v, dict):
            rates = {k: x for k, x in v.items() if k not in _DERIVED}
            values[label] = value_of_a_day(register, spec["reference"], masks[label], **rates)
        else:
            values[label] = float(v)
    again = evaluate(register, tuple(spec["reference"]), tuple(spec["observation"]), value_of_a_day=values,
                     by=spec["by"], seed=spec["seed"], bootstrap=spec["bootstrap"], clusters=spec["clusters"],
                     target=spec["target"], confidence_level=spec["confidence_level"], method=spec["method"])
    new = json.loads(again.to_json())
    for name in ("table", "monthly"):
        for r, (a, b) in enumerate(zip(data[name], new[name])):
            for column in a:
                if a[column] != b.get(column):
                    raise ReproductionError(f"the re-run differs from the record in table '{name}', column "
                                            f"'{column}', row {r}: recorded {a[column]!r}, now {b.get(column)!r}")
        if len(data[name]) != len(new[name]):
            raise ReproductionError(f"the re-run has {len(new[name])} rows in table '{name}', "
                                    f"the record {len(data[name])}")
    return again


register_record_check(FORMAT, reproduce_record)
__all__ = ["FORMAT", "ValueOfADay", "reproduce_record"]
