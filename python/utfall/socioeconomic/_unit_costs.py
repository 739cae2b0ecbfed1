"""The unit-cost table: what one unit of each item costs, by year, with its source."""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Optional

import numpy as np
import pandas as pd

from .._frames import to_pandas
from ..errors import DataError, SpecError, data_error


class UnitCosts:
    """A user-supplied unit-cost table (pandas or polars), with its source recorded.

    Columns ``item`` and ``unit_cost`` (SEK per unit), optionally ``year``
    (calendar year: one row per item and year; without it a cost holds in
    every year) and ``unit`` (e.g. ``"SEK per care day"``). ``columns=`` maps
    the roles to the user's own column names. The table is fingerprinted
    (SHA-256 of its rows in a canonical order) for the audit record.

    Examples
    --------
    >>> import pandas as pd
    >>> uc = UnitCosts(pd.DataFrame({"item": ["HVB day"], "unit_cost": [3500.0]}), source="Norrköping 2016 tariffs")
    >>> uc.lookup("HVB day", [2016, 2017]).tolist()
    [3500.0, 3500.0]
    """

    def __init__(self, table: Any, source: str, columns: Optional[Dict[str, str]] = None) -> None:
        if not isinstance(source, str) or not source.strip():
            raise SpecError("unit_costs: source= must say where the unit costs come from (a report, a tariff, a year)")
        frame = to_pandas(table, "unit_costs")
        names = {"item": "item", "unit_cost": "unit_cost", "year": "year", "unit": "unit", **(columns or {})}
        for role in ("item", "unit_cost"):
            if names[role] not in frame.columns:
                raise data_error("unit_costs", names[role], None, f"is missing (columns: {list(frame.columns)})")
        out = pd.DataFrame({"item": frame[names["item"]].astype(str).to_numpy()})
        costs = pd.to_numeric(frame[names["unit_cost"]], errors="coerce").to_numpy(np.float64)
        bad = np.flatnonzero(~np.isfinite(costs))
        if len(bad):
            row = int(bad[0])
            raise data_error("unit_costs", names["unit_cost"], row,
                             f"is {frame[names['unit_cost']].iloc[row]!r} (item {out['item'].iloc[row]!r}); "
                             "a unit cost must be a finite number")
        out["unit_cost"] = costs
        self.by_year = names["year"] in frame.columns
        if self.by_year:
            years = pd.to_numeric(frame[names["year"]], errors="coerce")
            bad = np.flatnonzero(years.isna().to_numpy() | (years.to_numpy(np.float64) % 1 != 0))
            if len(bad):
                raise data_error("unit_costs", names["year"], int(bad[0]), "must be a whole calendar year")
            out["year"] = years.astype(np.int64).to_numpy()
            keys = ["item", "year"]
        else:
            keys = ["item"]
        out["unit"] = frame[names["unit"]].astype(str).to_numpy() if names["unit"] in frame.columns else ""
        duplicated = np.flatnonzero(out.duplicated(keys).to_numpy())
        if len(duplicated):
            row = int(duplicated[0])
            raise data_error("unit_costs", names["item"], row,
                             f"item {out['item'].iloc[row]!r} appears twice"
                             + (f" for year {out['year'].iloc[row]}" if self.by_year else ""))
        self.table = out.sort_values(keys, kind="stable").reset_index(drop=True)
        self.source = source
        canonical = self.table.to_csv(index=False, float_format="%.17g").encode()
        self.fingerprint = hashlib.sha256(canonical).hexdigest()

    @property
    def items(self) -> List[str]:
        return sorted(set(self.table["item"]))

    def lookup(self, item: str, years: Any) -> np.ndarray:
        """The unit cost of ``item`` in each calendar year of ``years``.

        Raises
        ------
        SpecError
            An item that is not in the table (listing those that are).
        DataError
            A year the table has no cost for.
        """
        rows = self.table[self.table["item"] == item]
        if rows.empty:
            raise SpecError(f"unit cost {item!r} does not exist in the unit-cost table ({self.source}); "
                            f"it has {self.items}")
        years = np.asarray(years, dtype=np.int64)
        if not self.by_year:
            return np.full(len(years), float(rows["unit_cost"].iloc[0]))
        known = dict(zip(rows["year"].to_numpy().tolist(), rows["unit_cost"].to_numpy().tolist()))
        missing = [int(y) for y in years if int(y) not in known]
        if missing:
            raise DataError(f"table 'unit_costs', column 'year': item {item!r} has no unit cost for year(s) "
                            f"{missing} (it has {sorted(known)})", table="unit_costs", column="year",
                            problem=f"no unit cost for {item!r} in {missing}")
        return np.array([known[int(y)] for y in years], dtype=np.float64)

    def to_dict(self) -> Dict[str, Any]:
        return {"source": self.source, "sha256": self.fingerprint,
                "rows": [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                         for row in self.table.to_dict("records")]}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "UnitCosts":
        table = pd.DataFrame(data["rows"])
        if "unit" in table and (table["unit"] == "").all():
            table = table.drop(columns="unit")
        made = cls(table, source=data["source"])
        if made.fingerprint != data["sha256"]:
            raise DataError("table 'unit_costs': the recorded fingerprint does not match its rows", table="unit_costs")
        return made

    def __repr__(self) -> str:
        return f"UnitCosts({len(self.table)} rows, {len(self.items)} items; source: {self.source})"
