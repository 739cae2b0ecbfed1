# Reference values for utfall.change_scores: R's binom.test (sign test on the
# non-zero changes), wilcox.test (signed-rank, one sample of changes, mu = 0,
# R's defaults: exact when n < 50 without ties or zeros, else the normal
# approximation with continuity correction and tie correction, zeros dropped)
# and boot's boot.ci for the sum of the determined changes at B = 200,000.
#
# Run: R_LIBS=/opt/utfall-rlib Rscript tests/data/change_scores/generate.R
# Writes reference.json beside this script (R 4.2.2, boot 1.3.28.1, jsonlite).
library(boot)
library(jsonlite)
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))

case <- function(name, before, after, higher_is_better = TRUE, boot_B = 0) {
  change <- if (higher_is_better) after - before else before - after
  d <- change[!is.na(change)]
  nz <- d[d != 0]
  bt <- binom.test(sum(nz > 0), length(nz), p = 0.5)
  wt <- suppressWarnings(wilcox.test(d, mu = 0))
  out <- list(name = name, before = before, after = after, higher_is_better = higher_is_better,
              n_positive = sum(d > 0), n_negative = sum(d < 0), n_neutral = sum(d == 0), net = sum(d),
              sign_p = bt$p.value, sign_ci = as.numeric(bt$conf.int),
              wilcoxon_V = unname(wt$statistic), wilcoxon_p = wt$p.value, wilcoxon_method = wt$method)
  if (boot_B > 0) {
    set.seed(20161)
    b <- boot(d, function(x, i) sum(x[i]), R = boot_B)
    ci <- boot.ci(b, conf = 0.95, type = c("perc", "basic", "norm", "bca"))
    out$boot <- list(B = boot_B, percentile = ci$percent[4:5], basic = ci$basic[4:5],
                     normal = ci$normal[2:3], bca = ci$bca[4:5], se = sd(b$t))
  }
  out
}

# 1. Norrkoping-like school outcome: 60 participants, 46 determined (7 negative,
#    22 neutral, 17 positive, net +18), 4 without data, 10 not yet measurable.
set.seed(2016)
changes <- c(rep(-1, 5), rep(-2, 2), rep(0, 22), rep(1, 10), rep(2, 5), 3, 4)
before1 <- sample(8:16, 60, replace = TRUE)
after1 <- c(before1[1:46] + changes, rep(NA, 14))
before1[47:50] <- NA  # moved: no data
cases <- list(case("norrkoping_school", before1, after1, boot_B = 200000))

# 2. No ties, no zeros, n = 20: the exact signed-rank distribution.
set.seed(7)
b2 <- round(rnorm(20, 50, 10), 3); a2 <- round(b2 + rnorm(20, 1.5, 4), 3)
cases[[2]] <- case("exact_small", b2, a2)

# 3. n = 60 without ties: normal approximation, no tie correction.
set.seed(8)
b3 <- round(rnorm(60, 3, 1), 4); a3 <- round(b3 + rnorm(60, -0.2, 0.8), 4)
cases[[3]] <- case("normal_large", b3, a3, boot_B = 200000)

# 4. Lower is better (e.g. a risk score), small, with ties and zeros.
b4 <- c(5, 4, 4, 3, 6, 2, 5, 5, 3, 4, 2, 6)
a4 <- c(3, 4, 2, 3, 5, 2, 6, 3, 1, 4, 2, 2)
cases[[4]] <- case("lower_is_better_ties", b4, a4, higher_is_better = FALSE)

# 5. All changes in one direction, n = 9 (exact, smallest p-values).
b5 <- c(1.1, 2.3, 0.4, 5.5, 3.2, 2.2, 4.1, 0.9, 1.7)
a5 <- b5 + c(0.5, 1.25, 0.75, 2, 0.1, 0.3, 1.5, 0.05, 2.5)
cases[[5]] <- case("one_direction", b5, a5)

about <- paste0("R ", R.version$major, ".", R.version$minor, ": stats::binom.test, stats::wilcox.test; boot ",
                as.character(packageVersion("boot")), ": boot.ci; made by tests/data/change_scores/generate.R")
writeLines(toJSON(list(about = about, cases = cases), digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           file.path(here, "reference.json"))
