"""Placebo in time: later historical individuals evaluated as if they were participants."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from .. import expected as ex
from .._seeds import Purpose, child_seed, seed_or_new
from ..errors import ComputationError, SpecError
from ..evaluation import make_spec
from ..glm import design_matrix, fit_glm
from ..matching import match

#: Matching options that only make sense on a Cohort (the placebo matches a prepared table).
COHORT_ONLY = ("lookback", "person", "reuse", "progress", "horizon")


def _frame(cohort: Any, columns: Sequence[str], lookback: Any) -> pd.DataFrame:
    """The covariates of every individual: columns of ``individuals`` or ``prior_*`` of the history."""
    ind = cohort.individuals.reset_index(drop=True)
    out = pd.DataFrame(index=np.arange(len(ind)))
    history = None
    for name in columns:
        if name in ind.columns and name not in ("id", "group", "index_date", "end_of_data"):
            out[name] = ind[name].to_numpy()
        else:
            if history is None:
                history = cohort.history(lookback).reset_index(drop=True)
            if name not in history.columns:
                raise SpecError(f"placebo_in_time: unknown covariate {name!r}")
            out[name] = history[name].to_numpy()
    return out


class PlaceboResult:
    """The distribution of "savings" of pseudo-cohorts without intervention (see :func:`placebo_in_time`).

    Attributes
    ----------
    distribution : pandas.DataFrame
        One row per pseudo-cohort and horizon: ``cohort``, ``horizon``, ``n_matched``,
        ``expected_total``, ``actual_total``, ``savings_total``, ``savings_mean`` (SEK).
    split : pandas.Timestamp
        Historical individuals indexed from this date on are the pseudo-participants.
    observed : dict
        Horizon -> the evaluation's savings mean per participant (when given).
    pseudo_cohorts : list of pandas.Index
        The ids of each pseudo-cohort's pseudo-participants.
    """

    def __init__(self, *, distribution: pd.DataFrame, split: pd.Timestamp, n_later: int, n_earlier: int,
                 n_participants: int, seed: int, observed: Dict[str, float], spec: Dict[str, Any],
                 pseudo_cohorts: Optional[List[Any]] = None) -> None:
        self.distribution, self.split, self.seed = distribution, split, seed
        self.n_later, self.n_earlier, self.n_participants = n_later, n_earlier, n_participants
        self.observed, self.spec = observed, spec
        self.pseudo_cohorts = pseudo_cohorts or []

    def summary(self) -> pd.DataFrame:
        """Per horizon: drift (the centre, SEK per pseudo-cohort and per participant, and % of
        expected), spread (sd, 2.5 and 97.5 percentiles), and for an evaluation its savings
        mean, the savings net of drift and the permutation p-values."""
        rows = []
        for key, d in self.distribution.groupby("horizon", sort=False):
            h = str(key)
            totals, means = d["savings_total"].to_numpy(), d["savings_mean"].to_numpy()
            row = {"horizon": h, "n_cohorts": len(d), "drift_total": float(totals.mean()),
                   "drift_mean": float(means.mean()),
                   "drift_percent": float(100 * totals.mean() / d["expected_total"].mean()),
                   "sd_total": float(totals.std(ddof=1)) if len(d) > 1 else np.nan,
                   "low_total": float(np.quantile(totals, 0.025)), "high_total": float(np.quantile(totals, 0.975))}
            if h in self.observed:
                obs = self.observed[h]
                row["observed_mean"] = obs
                row["net_of_drift_mean"] = obs - float(means.mean())
                row["p_savings"] = float((1 + np.sum(means >= obs)) / (len(means) + 1))
                centred = np.abs(means - means.mean())
                row["p_two_sided"] = float((1 + np.sum(centred >= abs(obs - means.mean()))) / (len(means) + 1))
            rows.append(row)
        return pd.DataFrame(rows).set_index("horizon")

    def to_dict(self) -> Dict[str, Any]:
        return {"split": self.split.isoformat(), "seed": self.seed, "n_later": self.n_later,
                "n_earlier": self.n_earlier, "summary": self.summary().reset_index().to_dict("list")}

    def __repr__(self) -> str:
        s = self.summary()
        parts = [f"{h}: drift {r.drift_total / 1e6:+.2f} MSEK ({r.drift_percent:+.1f} %), sd {r.sd_total / 1e6:.2f}"
                 for h, r in s.iterrows()]
        return (f"PlaceboResult({len(self.distribution['cohort'].unique())} pseudo-cohorts of "
                f"{self.n_participants} from {self.n_later} later historical individuals (indexed from "
                f"{self.split.date()}) against {self.n_earlier} earlier; " + "; ".join(parts) + ")")

    def _repr_html_(self) -> str:
        return f"<p>{self!r}</p>" + str(self.summary().to_html(float_format=lambda v: f"{v:,.4g}"))

    def plot(self, horizon: Optional[str] = None, ax: Any = None) -> Any:
        """The placebo distribution of savings per participant (SEK) with the evaluation's savings."""
        import matplotlib.pyplot as plt

        h = horizon or self.distribution["horizon"].iloc[-1]
        d = self.distribution[self.distribution["horizon"] == h]
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        ax.hist(d["savings_mean"] / 1e3, bins=40, color="0.7", label="placebo pseudo-cohorts (no intervention)")
        ax.axvline(d["savings_mean"].mean() / 1e3, color="k", ls="--", label="drift (centre)")
        if h in self.observed:
            ax.axvline(self.observed[h] / 1e3, color="C3", lw=2, label="evaluation")
        ax.set_xlabel("savings per participant (kSEK)")
        ax.set_ylabel("pseudo-cohorts")
        ax.set_title(f"Placebo in time at {h}")
        ax.legend()
        return ax


def placebo_in_time(cohort: Any, matching: Any = None, horizons: Any = ("2y", "3y"), n_cohorts: int = 1000,
                    seed: Optional[int] = None, *, split: Any = None, outcome: str = "cost",
                    care_types: Optional[Sequence[str]] = None, evaluation: Any = None,
                    progress: bool = True) -> PlaceboResult:
    """The distribution of "savings" without intervention, from historical individuals of a later period.

    Each pseudo-cohort draws as many historical individuals of the later period (index
    date on or after ``split``) as there are participants, with probabilities that
    reweight the later period to the participants' covariate profile, and evaluates
    them against the earlier historical individuals with the same specification as the
    evaluation. Repeated ``n_cohorts`` times, this gives the savings one would report
    with no intervention at all: their centre is the drift between periods (practice,
    tariffs, placement policy not captured by the price index), their spread the noise.

    Parameters
    ----------
    cohort : Cohort
    matching : dict
        As :func:`utfall.evaluate`'s: the arguments of :func:`utfall.match` or
        ``{"estimator": "stratum", "exact": [...]}`` or the model-based estimator (fitted once
        per horizon on the earlier individuals) (default: the evaluation's).
    horizons : sequence of str
    n_cohorts : int
    seed : int, optional
        Pseudo-cohort ``k`` uses the stream ``child_seed(seed, PLACEBO, k)``.
    split : date, optional
        The first index date of the later period (default: the median index date of the
        historical individuals complete at the longest horizon).
    outcome, care_types
        As :func:`utfall.evaluate`.
    evaluation : Evaluation, optional
        Its specification is used when ``matching`` is None, and its savings are compared
        with the placebo distribution (:meth:`PlaceboResult.summary`).
    progress : bool

    Returns
    -------
    PlaceboResult

    Notes
    -----
    Sampling: a logistic regression of "participant" against "later historical" on the
    matching covariates gives each later individual the weight ``p / (1 - p)``; a
    pseudo-cohort is a weighted draw without replacement (Efraimidis and Spirakis: the
    ``n`` largest ``log(u) / w``). Pseudo-participants are drawn among those complete at
    the longest horizon, so their windows are whole; comparison individuals are the
    earlier ones complete at each horizon. The expected outcome of a pseudo-participant
    is the mean over its comparison individuals, as in :func:`utfall.evaluate`; the
    p-value ``(1 + #{placebo >= observed}) / (n + 1)`` compares savings per participant.

    Raises
    ------
    SpecError
        Fewer later-period individuals than participants, fewer than two earlier ones,
        fixed pairs or a model-based estimator (no specification to repeat).

    Examples
    --------
    >>> import utfall
    >>> c = utfall.synthetic.register(n_participants=30, n_historical=200, seed=5)
    >>> p = utfall.validity.placebo_in_time(c, {"covariates": ["age", "prior_cost_total"], "lookback": "2y"},
    ...                                     horizons=["2y"], n_cohorts=20, seed=1, progress=False)
    >>> len(p.distribution)
    20
    """
    if matching is None:
        if evaluation is None:
            raise SpecError("placebo_in_time: give matching= (as for utfall.evaluate) or evaluation=")
        base = evaluation.spec
        spec = dict(base, seed=seed_or_new(seed))
    else:
        spec = dict(make_spec(matching, horizons, outcome, care_types, None, False, seed, "observed"))
    m = spec["matching"]
    if m["estimator"] not in ("matched", "stratum", "model"):
        raise SpecError(f"placebo_in_time: the {m['estimator']!r} estimator has no specification to repeat on "
                        f"pseudo-cohorts; use matching arguments or strata")
    n_cohorts = int(n_cohorts)
    if n_cohorts < 1:
        raise SpecError("n_cohorts must be at least 1")
    hs = spec["horizons"]
    parts = ex.outcome_parts(cohort, spec["outcome"], spec["care_types"])
    fulls = {h: cohort.costs(h) for h in hs}
    totals = {h: fulls[h][parts].to_numpy(np.float64).sum(axis=1) for h in hs}
    complete = {h: fulls[h]["complete"].to_numpy(bool) for h in hs}
    historical = ~cohort.participants
    index = cohort.individuals["index_date"].to_numpy("datetime64[D]")
    longest = max(hs, key=lambda h: fulls[h]["window_end"].sub(fulls[h]["window_start"]).max())
    candidates = np.flatnonzero(historical & complete[longest])
    cut = np.datetime64(pd.Timestamp(split), "D") if split is not None else \
        np.sort(index[candidates])[len(candidates) // 2] if len(candidates) else None
    later = candidates[index[candidates] >= cut] if cut is not None else candidates[:0]
    n_p = int(cohort.participants.sum())
    if n_p == 0 or cut is None:
        raise SpecError("placebo_in_time: the cohort needs participants and historical individuals with complete "
                        f"follow-up at {longest}")
    if len(later) < n_p:
        raise SpecError(f"placebo_in_time: {len(later)} historical individuals with complete follow-up at "
                        f"{longest} are indexed on or after {cut}, too few for pseudo-cohorts of the "
                        f"{n_p} participants; choose an earlier split= or a shorter horizon")
    earlier = {h: np.flatnonzero(historical & complete[h] & (index < cut)) for h in hs}
    short = [h for h in hs if len(earlier[h]) < 2]
    if short:
        raise SpecError(f"placebo_in_time: fewer than two earlier historical individuals (before {cut}) are "
                        f"complete at {short}")
    covariates = list(m.get("covariates") or []) if m["estimator"] in ("matched", "model") else list(m["exact"])
    exact = m.get("exact") if m["estimator"] == "matched" else None
    exact = [exact] if isinstance(exact, str) else list(exact or [])
    frame = _frame(cohort, list(dict.fromkeys(covariates + exact)), m.get("lookback"))
    weights = _profile_weights(frame, covariates + exact, np.flatnonzero(cohort.participants), later)
    args = {k: v for k, v in m.items() if k not in ("estimator", "covariates", *COHORT_ONLY)}
    frame["id"] = np.arange(len(frame))
    rows: List[Dict[str, Any]] = []
    drawn: List[Any] = []
    steps: Any = range(n_cohorts)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="placebo cohorts", leave=False, delay=1.0)
    predicted = {}
    if m["estimator"] == "model":  # one fit per horizon on the earlier pool, predicting every later individual
        for h in hs:
            predicted[h] = np.zeros(len(cohort))
            predicted[h][later] = ex.model_expected(cohort, m, h, fulls[h], parts, later, earlier[h])[0]
    same_pools = all(np.array_equal(earlier[h], earlier[hs[0]]) for h in hs)
    for k in steps:
        rng = np.random.default_rng(child_seed(spec["seed"], Purpose.PLACEBO, k))
        keys = np.log(rng.random(len(later))) / weights
        pseudo = np.sort(later[np.argsort(-keys, kind="stable")[:n_p]])
        drawn.append(cohort.ids[pseudo])
        sets = None
        for h in hs:
            if m["estimator"] == "model":
                exp, act = predicted[h][pseudo], totals[h][pseudo]
                rows.append({"cohort": k, "horizon": h, "n_matched": len(pseudo), "expected_total": float(exp.sum()),
                             "actual_total": float(act.sum()), "savings_total": float(exp.sum() - act.sum()),
                             "savings_mean": float((exp.sum() - act.sum()) / len(pseudo))})
                continue
            if sets is None or not same_pools:
                stream = child_seed(spec["seed"], Purpose.PLACEBO, k)
                sets = _compare(frame, pseudo, earlier[h], m, args, covariates, stream)
            treated, control = sets
            if len(treated) == 0:
                raise ComputationError(f"placebo_in_time: pseudo-cohort {k} at {h}: no pseudo-participant found a "
                                       f"comparison individual")
            order = np.unique(treated)
            exp = pd.Series(totals[h][control]).groupby(treated).mean().reindex(order).to_numpy()
            act = totals[h][order]
            rows.append({"cohort": k, "horizon": h, "n_matched": len(order), "expected_total": float(exp.sum()),
                         "actual_total": float(act.sum()), "savings_total": float(exp.sum() - act.sum()),
                         "savings_mean": float((exp.sum() - act.sum()) / len(order))})
    observed: Dict[str, float] = {}
    if evaluation is not None:
        s = evaluation.summary(readable=False)
        observed = {h: float(s.loc[h, "savings_mean"]) for h in hs if h in s.index}
    split_ts = pd.Timestamp(cut)
    return PlaceboResult(distribution=pd.DataFrame(rows), split=split_ts, n_later=len(later),
                         n_earlier=len(earlier[hs[0]]), n_participants=n_p, seed=int(spec["seed"]),
                         observed=observed, spec=spec, pseudo_cohorts=drawn)


def _profile_weights(frame: pd.DataFrame, covariates: List[str], participants: np.ndarray,
                     later: np.ndarray) -> np.ndarray:
    """Odds ``p / (1 - p)`` of being a participant rather than a later historical individual."""
    if not covariates:
        return np.ones(len(later))
    rows = np.concatenate([participants, later])
    sub = frame.iloc[rows][covariates].reset_index(drop=True)
    keep = [c for c in covariates if sub[c].nunique() > 1]
    if not keep:
        return np.ones(len(later))
    cols, names, _ = design_matrix(sub, keep, table="individuals")
    y = np.r_[np.ones(len(participants)), np.zeros(len(later))]
    try:
        fit = fit_glm(cols, y, names, "binomial")
    except ComputationError as err:
        raise ComputationError(f"placebo_in_time: the participants' covariate profile could not be modelled "
                               f"against the later historical individuals ({err})") from err
    p = fit.fitted[len(participants):]
    return np.asarray(p / (1 - p), dtype=np.float64)


def _compare(frame: pd.DataFrame, pseudo: np.ndarray, pool: np.ndarray, m: Dict[str, Any], args: Dict[str, Any],
             covariates: List[str], seed: int) -> Tuple[Any, ...]:
    """(treated, control) cohort positions of the pseudo-participants' comparison sets."""
    if m["estimator"] == "stratum":
        keys = frame[m["exact"]].astype(str).agg("\x1f".join, axis=1).to_numpy()
        by_key: Dict[str, np.ndarray] = {}
        for key in np.unique(keys[pool]):
            by_key[key] = pool[keys[pool] == key]
        treated, control = [], []
        for p in pseudo:
            members = by_key.get(keys[p])
            if members is not None:
                treated.append(np.full(len(members), p))
                control.append(members)
        if not treated:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(treated), np.concatenate(control)
    # In cohort order, as utfall.evaluate matches (ties are broken by data order).
    rows = np.sort(np.concatenate([pseudo, pool]))
    df = frame.iloc[rows].copy()
    df["_treat"] = np.isin(rows, pseudo)
    call = dict(args)
    call.setdefault("seed", seed)
    result = match(df, "_treat", covariates, id="id", progress=False, **call)
    pairs = result.pairs
    return pairs["treated"].to_numpy(np.int64), pairs["control"].to_numpy(np.int64)
