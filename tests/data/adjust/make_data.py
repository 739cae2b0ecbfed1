"""Writes the small cohort of the bias-correction check (run from the repository root, once).

The cohort comes from utfall's synthetic register (30 participants, 150 historical, seed
21) and is committed as plain tables, so the check does not depend on the generator;
units.csv holds each individual's 2-year cost and covariates for R (generate.R).
"""

import utfall

c = utfall.synthetic.register(n_participants=30, n_historical=150, seed=21)
out = "tests/data/adjust"
c.individuals[["id", "group", "index_date", "age", "sex"]].to_csv(f"{out}/individuals.csv", index=False)
c.episodes.to_csv(f"{out}/episodes.csv", index=False)
c.tariffs.to_csv(f"{out}/tariffs.csv", index=False)
cohort = utfall.Cohort.from_frames(c.individuals[["id", "group", "index_date", "age", "sex"]], c.episodes,
                                   tariffs=c.tariffs, data_end="2021-10-31")
costs = cohort.costs("2y")
history = cohort.history("2y")
units = cohort.individuals[["id", "group", "age"]].copy()
units["treat"] = (units["group"] == "participant").astype(int)
units["y"] = costs["cost_total"].to_numpy()
units["prior_cost_total"] = history["prior_cost_total"].to_numpy()
units.drop(columns="group").to_csv(f"{out}/units.csv", index=False, float_format="%.17g")
