"""``utfall demo sickleave``: the sick-leave contract on the synthetic absence register."""

from __future__ import annotations


from ._evaluation import evaluate
from ._synthetic import synthetic_register


def _heading(title: str) -> str:
    return f"{title}\n{'=' * len(title)}"


def run_demo(seed: int = 2018, posts: int = 3000, bootstrap: int = 1000) -> str:
    """A text report: the register, concentration, the risk group, the evaluation and the saving.

    Examples
    --------
    >>> text = run_demo(seed=1, posts=200, bootstrap=50)
    >>> "Se and Sn" in text
    True
    """
    reg = synthetic_register(posts=posts, seed=seed)
    out = [_heading("Absence register"), repr(reg)]
    rate = reg.sick_leave_rate("2016-01", "2016-12", by="municipality")
    out.append("sick leave 2016 (net days / employed days): " + ", ".join(f"{k} {v:.1%}" for k, v in rate.items()))
    c = reg.concentration("2016-01-01", "2016-12-31", shares=(0.2,), n_resamples=0)
    top = float(c.measures["estimate"].to_numpy()[0])
    out += ["", _heading("Concentration of short-term days, 2016"),
            f"the 20 % of employees with the most short-term sick days hold {top:.0%} of them (seed 000: 75 %)"]
    turnover = reg.risk_turnover("2016-01-01", years=2)
    out += ["", _heading("Risk group (more than three spells in twelve months)"),
            turnover.to_string(index=False)]
    ev = evaluate(reg, by="municipality", seed=seed, bootstrap=bootstrap, clusters="workplace")
    out += ["", _heading("Se and Sn: expected and observed short-term sick days"),
            "reference 2015-09..2018-08, observation 2018-09..2021-08, national trend adjusted; "
            "Kommun A had the intervention; workplaces resampled",
            ev.summary().to_string()]
    a = ev.table.loc["Kommun A"]
    out += ["", _heading("The saving against the break-even"),
            f"Kommun A: reduction {a['percent']:.1%} [{a['percent_low']:.1%}, {a['percent_high']:.1%}], "
            f"saving {a['saving'] / 1e6:.1f} MSEK over 36 months; P(reduction >= 12 %) = {a['p_target']:.2f}; "
            f"P(reduction >= 10 %, the break-even) = "
            f"{float((ev.replicates['Kommun A']['percent'] >= 0.10).mean()):.2f}"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(run_demo())
