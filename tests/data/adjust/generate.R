# Reference for utfall's bias-corrected matching estimator (evaluate(..., adjust=)):
# Matching::Match(BiasAdjust = TRUE) (Sekhon; Debian r-cran-matching 4.10-8), ATT,
# nearest neighbours with replacement (ties = TRUE, as BiasAdjust needs) on (age, prior_cost_total) with inverse-variance
# weights, M = 1 and M = 2, bias-adjusted on the same covariates.
# Input: units.csv (made by make_data.py: each individual's 2-year cost y and covariates).
# Run from the repository root: Rscript tests/data/adjust/generate.R
library(Matching)
out <- "tests/data/adjust"
u <- read.csv(file.path(out, "units.csv"))
X <- cbind(u$age, u$prior_cost_total)
rows <- list()
for (M in c(1, 2)) {
  m <- Match(Y = u$y, Tr = u$treat, X = X, Z = X, M = M, BiasAdjust = TRUE, estimand = "ATT",
             replace = TRUE, ties = TRUE, Weight = 1)
  raw <- Match(Y = u$y, Tr = u$treat, X = X, M = M, BiasAdjust = FALSE, estimand = "ATT",
               replace = TRUE, ties = TRUE, Weight = 1)
  # Ties (several controls at the same distance, e.g. prior cost 0) share the weight 1/k equally:
  # the same as utfall's mean over a set of k given comparison individuals.
  stopifnot(all(m$index.control == raw$index.control))
  write.csv(data.frame(treated = u$id[m$index.treated], control = u$id[m$index.control]),
            file.path(out, sprintf("pairs_M%d.csv", M)), row.names = FALSE, quote = FALSE)
  rows[[M]] <- data.frame(M = M, est_bias_adjusted = sprintf("%.17g", m$est),
                          est_unadjusted = sprintf("%.17g", raw$est))
}
write.csv(do.call(rbind, rows), file.path(out, "reference.csv"), row.names = FALSE, quote = FALSE)
cat("Matching", as.character(packageVersion("Matching")), "\n")
