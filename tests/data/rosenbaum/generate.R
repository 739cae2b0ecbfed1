# Reference values for utfall's Rosenbaum bounds (src/validity/rosenbaum.rs), made by the
# packages' own code on their own documented examples:
#   sensitivitymv 1.4.3 (Rosenbaum), senmv(): the examples of ?senmv, which reproduce
#     Rosenbaum (2007) Biometrics 63:456-464, Table 1 (erpcp, welders) and sect. 4.3
#     (tbmetaphase), Rosenbaum (2013) (lead150, lead250), Rosenbaum (2014) (mercury);
#   rbounds 2.2 (Keele), psens() and hlsens(): the examples of ?psens / ?hlsens, which
#     replicate Rosenbaum (2002) Observational Studies, ch. 4 (lead in children's blood).
# Neither package is in Debian: the script sources the packages' R/ files and loads their
# data/ from the CRAN sources (unpacked tarballs, or the cran/<pkg> GitHub mirror):
#   SENSITIVITYMV_SRC=/path/sensitivitymv RBOUNDS_SRC=/path/rbounds Rscript tests/data/rosenbaum/generate.R
out <- "tests/data/rosenbaum"
load_pkg <- function(dir) {
  env <- new.env()
  for (f in list.files(file.path(dir, "R"), full.names = TRUE)) sys.source(f, envir = env)
  for (f in list.files(file.path(dir, "data"), full.names = TRUE)) load(f, envir = env)
  env
}
mv <- load_pkg(Sys.getenv("SENSITIVITYMV_SRC"))
rb <- load_pkg(Sys.getenv("RBOUNDS_SRC"))
for (name in c("erpcp", "tbmetaphase", "lead150", "mercury", "mtm")) {
  write.csv(format(as.data.frame(mv[[name]]), digits = 17), file.path(out, paste0(name, ".csv")),
            row.names = FALSE, quote = FALSE, na = "")
}
rows <- list()
add <- function(case, data, gamma, r, method = "", inner = NA, trim = NA, tau = 0, negate = FALSE) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, data = data, negate = negate, method = method,
    inner = inner, trim = trim, tau = tau, gamma = gamma, pval = sprintf("%.17g", r$pval),
    deviate = sprintf("%.17g", r$deviate), statistic = sprintf("%.17g", r$statistic),
    expectation = sprintf("%.17g", r$expectation), variance = sprintf("%.17g", r$variance))
}
senmv <- mv$senmv
# The examples of ?senmv.
add("erpcp g3", "erpcp", 3, senmv(mv$erpcp, gamma = 3, trim = 1), trim = 1)
add("erpcp g2", "erpcp", 2, senmv(mv$erpcp, gamma = 2, trim = 1), trim = 1)
for (tau in c(0.34, 0.18, 0.185)) add("erpcp tau", "erpcp", 2, senmv(mv$erpcp, gamma = 2, trim = 1, tau = tau), trim = 1, tau = tau)
add("tb g2", "tbmetaphase", 2, senmv(mv$tbmetaphase, gamma = 2, trim = 1), trim = 1)
for (tau in c(0.94, 0.945)) add("tb tau", "tbmetaphase", 2, senmv(mv$tbmetaphase, gamma = 2, trim = 1, tau = tau), trim = 1, tau = tau)
add("lead150 g2", "lead150", 2, senmv(mv$lead150, gamma = 2, trim = 2), trim = 2)
add("mtm g11.7", "mtm", 11.7, senmv(-mv$mtm, gamma = 11.7, trim = 1), trim = 1, negate = TRUE)
add("mercury g15", "mercury", 15, senmv(mv$mercury, gamma = 15))
add("mercury g15 i", "mercury", 15, senmv(mv$mercury, gamma = 15, method = "i"), method = "i")
add("mercury g15 t", "mercury", 15, senmv(mv$mercury, gamma = 15, method = "t"), method = "t")
add("mercury g15 t tau2", "mercury", 15, senmv(mv$mercury, gamma = 15, method = "t", tau = 2), method = "t", tau = 2)
add("mercury g15 notont", "mercury", 15, senmv(mv$mercury, gamma = 15, trim = Inf, TonT = FALSE), trim = Inf)
# Beyond the examples: the weighted methods, and sets of different sizes (mtm has NA).
for (m in c("w", "q", "s", "l")) add(paste("mercury g5", m), "mercury", 5, senmv(mv$mercury, gamma = 5, method = m), method = m)
add("mtm g1", "mtm", 1, senmv(-mv$mtm, gamma = 1), negate = TRUE)
add("mtm g2 h", "mtm", 2, senmv(-mv$mtm, gamma = 2, method = "h"), method = "h", negate = TRUE)
add("erpcp vector", "erpcp_diff", 2.5, senmv(mv$erpcp[, 1] - mv$erpcp[, 2], gamma = 2.5))
write.csv(do.call(rbind, rows), file.path(out, "senmv.csv"), row.names = FALSE, quote = FALSE)

# ?psens and ?hlsens: Rosenbaum (2002), ch. 4, lead in the blood of children.
trt <- c(38, 23, 41, 18, 37, 36, 23, 62, 31, 34, 24, 14, 21, 17, 16, 20, 15, 10, 45, 39, 22, 35, 49, 48, 44, 35,
         43, 39, 34, 13, 73, 25, 27)
ctrl <- c(16, 18, 18, 24, 19, 11, 10, 15, 16, 18, 18, 13, 19, 10, 16, 16, 24, 13, 9, 14, 21, 19, 7, 18, 19, 12,
          11, 22, 25, 16, 13, 11, 13)
write.csv(data.frame(treated = trt, control = ctrl), file.path(out, "lead_pairs.csv"), row.names = FALSE, quote = FALSE)
ps <- rb$psens(trt, ctrl, Gamma = 6, GammaInc = 0.5)$bounds
hl <- rb$hlsens(trt, ctrl, Gamma = 6, GammaInc = 0.5)$bounds
d <- trt - ctrl
walsh <- outer(d, d, "+")[upper.tri(diag(length(d)), diag = TRUE)] / 2
write.csv(data.frame(gamma = ps$Gamma, psens_lower = ps[, 2], psens_upper = ps[, 3], hlsens_lower = hl[, 2],
                     hlsens_upper = hl[, 3], walsh_median = median(walsh)),
          file.path(out, "psens_hlsens.csv"), row.names = FALSE, quote = FALSE)
print(ps); print(hl)
