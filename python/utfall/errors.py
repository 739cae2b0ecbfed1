"""The exceptions of utfall.

Every exception subclasses :class:`UtfallError`; those about bad input also
subclass :class:`ValueError`, so ``except ValueError`` keeps working.

>>> import utfall
>>> issubclass(utfall.DataError, ValueError)
True
"""

from __future__ import annotations

from typing import Any, Optional


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


class UtfallWarning(UserWarning):
    """A result that is valid but needs attention (rows left out, nobody included)."""


class BootstrapWarning(UtfallWarning):
    """A bootstrap result that needs attention (an undefined BCa, too few resamples)."""


def data_error(table: str, column: str, row: Optional[int], problem: str, id: Any = None) -> DataError:
    """A :class:`DataError` whose message names the table, column, row and id."""
    where = f"table '{table}'"
    if column:
        where += f", column '{column}'"
    if row is not None:
        where += f", row {row}"
    if id is not None:
        where += f" (id {id!r})"
    return DataError(f"{where}: {problem}", table=table, column=column, row=row, problem=problem, id=id)
