# optimal/full specs of /work/shared/fixtures/matchit_methods/generate.R with optmatch's tol tightened
suppressMessages({library(MatchIt); library(optmatch)})
data("lalonde", package = "MatchIt"); d <- lalonde; d$id <- rownames(d)
f_ps <- treat ~ age + educ + race + married + nodegree + re74 + re75
f_small <- treat ~ age + educ + re74 + re75
tol <- as.numeric(commandArgs(TRUE)[1])
specs <- list(
  optimal_1to1 = list(f_ps, method = "optimal", distance = "glm"),
  optimal_2to1 = list(f_ps, method = "optimal", distance = "glm", ratio = 2),
  optimal_mahal = list(f_small, method = "optimal", distance = "mahalanobis"),
  full_glm = list(f_ps, method = "full", distance = "glm"),
  full_glm_ate = list(f_ps, method = "full", distance = "glm", estimand = "ATE"))
for (nm in names(specs)) {
  s <- specs[[nm]]; m <- do.call(matchit, c(list(formula = s[[1]], data = d, tol = tol), s[-1]))
  w <- data.frame(id = d$id, treat = d$treat, weight = m$weights,
                  subclass = as.character(m$subclass), distance = if (is.null(m$distance)) NA else m$distance)
  write.csv(w, paste0("lalonde_", nm, "_tight_weights.csv"), row.names = FALSE)
  b <- as.data.frame(summary(m, un = FALSE)$sum.matched); b$term <- rownames(b)
  write.csv(b, paste0("lalonde_", nm, "_tight_balance_matched.csv"), row.names = FALSE)
}
m <- matchit(f_ps, data = d, method = "subclass", distance = "glm", subclass = 6)
b <- as.data.frame(summary(m, un = FALSE)$sum.across); b$term <- rownames(b)
write.csv(b, "lalonde_subclass_6_balance_across.csv", row.names = FALSE)
m <- matchit(f_ps, data = d, method = "subclass", distance = "glm", subclass = 6, estimand = "ATE")
w <- data.frame(id = d$id, treat = d$treat, weight = m$weights, subclass = as.character(m$subclass), distance = m$distance)
write.csv(w, "lalonde_subclass_6_ate_weights.csv", row.names = FALSE)
b <- as.data.frame(summary(m, un = FALSE)$sum.across); b$term <- rownames(b)
write.csv(b, "lalonde_subclass_6_ate_balance_across.csv", row.names = FALSE)
m <- matchit(f_ps, data = d, method = "subclass", distance = "glm", subclass = 10, min.n = 3)
w <- data.frame(id = d$id, treat = d$treat, weight = m$weights, subclass = as.character(m$subclass), distance = m$distance)
write.csv(w, "lalonde_subclass_10_min3_weights.csv", row.names = FALSE)
