# Reference fits for utfall's GLMs (src/glm): R's glm() with binomial, Gamma(link = "log")
# and statmod::tweedie(var.power, link.power = 0), on data simulated here.
# Run: R_LIBS=/opt/utfall-rlib Rscript tests/data/glm/generate.R   (from the repository root)
# Writes tests/data/glm/data.csv and tests/data/glm/reference.csv (coefficients, deviance,
# iterations to 17 significant digits). R 4.x, statmod 1.5.0 (Debian r-cran-statmod).
library(statmod)
set.seed(20261202)
n <- 600
x1 <- rnorm(n)
x2 <- runif(n, -1, 1)
x3 <- rbinom(n, 1, 0.4)
days <- sample(200:1100, n, replace = TRUE)
w <- runif(n, 0.5, 2)
any_cost <- rbinom(n, 1, plogis(-0.3 + 0.8 * x1 - 0.5 * x3))
amount <- rgamma(n, shape = 1.3, rate = 1.3 / exp(11 + 0.4 * x1 + 0.3 * x2 + 0.2 * log(days / 365)))
# Compound Poisson-gamma (Tweedie, 1 < p < 2): a Poisson number of gamma-distributed costs.
k <- rpois(n, exp(0.2 + 0.5 * x1 - 0.3 * x3))
tweedie_cost <- sapply(k, function(m) if (m == 0) 0 else sum(rgamma(m, shape = 2, rate = 2 / 40000)))
d <- data.frame(x1, x2, x3, days, w, any_cost, amount, tweedie_cost)
out <- "tests/data/glm"
write.csv(format(d, digits = 17), file.path(out, "data.csv"), row.names = FALSE, quote = FALSE)
d <- read.csv(file.path(out, "data.csv"))  # fit exactly the values written
pos <- d$tweedie_cost > 0
fits <- list(
  binomial = glm(any_cost ~ x1 + x2 + x3, family = binomial, data = d),
  binomial_weighted = glm(any_cost ~ x1 + x2 + x3, family = binomial, weights = w, data = d),
  gamma_log = glm(amount ~ x1 + x2 + x3, family = Gamma(link = "log"), data = d),
  gamma_log_offset = glm(amount ~ x1 + x2, family = Gamma(link = "log"), offset = log(days), data = d),
  gamma_log_positive_part = glm(tweedie_cost ~ x1 + x3, family = Gamma(link = "log"), data = d[pos, ]),
  tweedie_1.5 = glm(tweedie_cost ~ x1 + x2 + x3, family = tweedie(var.power = 1.5, link.power = 0), data = d),
  tweedie_1.3_weighted_offset = glm(tweedie_cost ~ x1 + x3, family = tweedie(var.power = 1.3, link.power = 0),
                                    weights = w, offset = log(days / 365), data = d)
)
rows <- do.call(rbind, lapply(names(fits), function(name) {
  f <- fits[[name]]
  stopifnot(f$converged)
  data.frame(fit = name, term = c(names(coef(f)), "deviance", "iterations"),
             value = sprintf("%.17g", c(unname(coef(f)), f$deviance, f$iter)))
}))
write.csv(rows, file.path(out, "reference.csv"), row.names = FALSE, quote = FALSE)
cat(R.version.string, "statmod", as.character(packageVersion("statmod")), "\n")
