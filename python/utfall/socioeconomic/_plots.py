"""Plots of a calculation: the hump per actor with its band, the actor-by-year heat map, the tornado."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

MSEK = 1e6


def _unit(calc: Any, scale: float) -> str:
    return f"M{calc.currency}" if scale == MSEK else (calc.currency if scale == 1 else f"{calc.currency} / {scale:g}")


def plot_hump(calc: Any, actors: Any = None, simulation: Any = None, ax: Any = None, scale: float = MSEK) -> Any:
    """Cumulative discounted position per actor (and society) over the years; the
    shaded band is the simulation's pointwise interval, the dotted line the end
    of the term of office, the marker each hump's lowest point. Returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5))
    names = list(calc.actors) + ["society"] if actors is None else \
        [actors] if isinstance(actors, str) else list(actors)
    cumulative = calc.table(discounted=True, cumulative=True)
    years = cumulative.columns.to_numpy()
    for k, name in enumerate(names):
        color = "black" if name == "society" else f"C{k}"
        y = cumulative.loc[name].to_numpy() / scale
        ax.plot(years, y, marker=".", color=color, linewidth=2.2 if name == "society" else 1.5, label=name)
        hump = calc.hump(None if name == "society" else name)
        if hump["year"] is not None:
            ax.plot([calc.base_year + hump["year"]], [hump["depth"] / scale], "v", color=color)
        if simulation is not None:
            band = simulation.band(None if name == "society" else name)
            ax.fill_between(years, band["low"] / scale, band["high"] / scale, color=color, alpha=0.15)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.axvline(calc.base_year + calc.term_years - 0.5, color="grey", linestyle=":",
               label=f"end of the term ({calc.term_years} years)")
    band_text = f", {simulation.confidence_level:.0%} band" if simulation is not None else ""
    ax.set_title(f"Cumulative position per actor, discounted (investment hump{band_text})")
    ax.set_xlabel("year")
    ax.set_ylabel(f"cumulative present value ({_unit(calc, scale)})")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_heatmap(calc: Any, discounted: bool = False, ax: Any = None, scale: float = MSEK,
                 annotate: Optional[bool] = None) -> Any:
    """The actor-by-year table as a heat map (gains green, costs red), society last. Returns the Axes."""
    import matplotlib.pyplot as plt

    table = calc.table(discounted=discounted) / scale
    values = table.to_numpy()
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.0, 0.55 * values.shape[1] + 3), 0.6 * values.shape[0] + 2))
    limit = float(np.max(np.abs(values))) or 1.0
    image = ax.imshow(values, cmap="RdYlGn", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in table.columns], rotation=45)
    ax.set_yticks(range(values.shape[0]), list(table.index))
    if annotate if annotate is not None else values.size <= 200:
        for (i, j), v in np.ndenumerate(values):
            if v != 0:
                ax.text(j, i, f"{v:,.1f}", ha="center", va="center", fontsize=7)
    what = "present value" if discounted else "nominal"
    ax.figure.colorbar(image, ax=ax, label=f"{what} ({_unit(calc, scale)})")
    ax.set_title(f"Cash flows by actor and year ({what}; gains positive, costs negative)")
    ax.set_xlabel("year")
    return ax


def plot_tornado(tornado: Any, ax: Any = None, scale: float = MSEK) -> Any:
    """Horizontal bars from the base NPV to the NPV at each parameter's low and high value. Returns the Axes."""
    import matplotlib.pyplot as plt

    t = tornado.table.iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * len(t) + 1.5))
    y = np.arange(len(t))
    base = tornado.base / scale
    lo = t["npv_low"].to_numpy() / scale
    hi = t["npv_high"].to_numpy() / scale
    ax.barh(y, lo - base, left=base, color="tab:red", label="parameter at its low value")
    ax.barh(y, hi - base, left=base, color="tab:blue", label="parameter at its high value")
    ax.axvline(base, color="black", linewidth=0.8)
    labels = [f"{name} ({r['low']:g} / {r['high']:g})" for name, r in t.iterrows()]
    ax.set_yticks(y, labels)
    unit = f"M{tornado.currency}" if scale == MSEK else tornado.currency
    ax.set_xlabel(f"NPV of {tornado.actor} ({unit})")
    ax.set_title(f"One-way sensitivity of the NPV of {tornado.actor} (factors low / high)")
    ax.legend(loc="best", fontsize="small")
    return ax
