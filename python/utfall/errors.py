"""The exceptions of utfall.

Every exception subclasses :class:`UtfallError`; those about bad input also
subclass :class:`ValueError`, so ``except ValueError`` keeps working.

>>> import utfall
>>> issubclass(utfall.DataError, ValueError)
True
"""

from __future__ import annotations

from typing import Any, Optional

from ._options import options


class UtfallError(Exception):
    """Base class of every utfall exception."""


class DataError(UtfallError, ValueError):
    """Malformed or inconsistent input data.

    Attributes
    ----------
    table, column : str
        Where the problem is (``column`` may be empty when a whole row is at fault).
    row : int or None
        The row position in the table as the caller passed it.
    id : object or None
        The individual's id on that row, when known.
    problem : str
        What is wrong.
    """

    def __init__(
        self,
        message: str,
        table: str = "",
        column: str = "",
        row: Optional[int] = None,
        problem: str = "",
        id: Any = None,
    ) -> None:
        super().__init__(message)
        self.table = table
        self.column = column
        self.row = row
        self.problem = problem or message
        self.id = id


class SpecError(UtfallError, ValueError):
    """An argument outside its allowed values (a horizon, a method, a level)."""


class ComputationError(UtfallError, ValueError):
    """Valid input on which the computation cannot proceed (perfect separation,
    a singular design, a caliper that leaves no match)."""


class ReproductionError(UtfallError):
    """A re-run of a recorded result differs from the record, or its data do."""


class RecordError(ReproductionError, DataError):
    """A record refused before use: not JSON, not of the record's schema, larger than it
    declares, or nested too deep. Both a :class:`ReproductionError` (the record cannot be
    checked) and a :class:`DataError` (it is malformed input)."""


class UtfallWarning(UserWarning):
    """A result that is valid but needs attention (rows left out, nobody included)."""


class DisclosureWarning(UtfallWarning):
    """A file read or written that identifies individuals (a full audit record)."""


class BootstrapWarning(UtfallWarning):
    """A bootstrap result that needs attention (an undefined BCa, too few resamples)."""


def data_error(table: str, column: str, row: Optional[int], problem: str, id: Any = None) -> DataError:
    """A :class:`DataError` whose message names the table, column, row and id.

    The message names the id by a short per-session pseudonym unless
    ``utfall.options.show_ids`` is set (messages leave the process; the raw id
    stays on the exception's ``id`` attribute)."""
    where = f"table '{table}'"
    if column:
        where += f", column '{column}'"
    if row is not None:
        where += f", row {row}"
    if id is not None:
        where += f" ({options.describe_id(id)})"
    return DataError(f"{where}: {problem}", table=table, column=column, row=row, problem=problem, id=id)


def not_finite(table: str, column: str, row: Optional[int], value: Any, id: Any = None) -> DataError:
    """The one :class:`DataError` for a value that must be finite and is not (NaN, inf),
    worded as the core words it in every table: ``... row 3: is inf, not a finite number``."""
    return data_error(table, column, row, f"is {value}, not a finite number", id=id)


def check_limit(name: str, value: int, limit: int) -> int:
    """``value`` as an int, or a :class:`SpecError` naming ``name`` and the limit when
    it is below 1 or above ``limit`` (utfall's documented limits, ``utfall._core.MAX_*``)."""
    if value < 1:
        raise SpecError(f"{name} must be at least 1, got {value}")
    if value > limit:
        raise SpecError(f"{name} = {value} is above the limit of {limit} (see utfall's documented limits)")
    return int(value)
