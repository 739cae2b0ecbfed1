# MatchIt 4.7.2 references for utfall's s_weights and reestimate options (nearest neighbour, lalonde).
# Usage (from this folder): R_LIBS=/opt/utfall-rlib Rscript generate_options.R
# Writes lalonde_nearest_<spec>_{weights,pairs,balance_matched}.csv in the layout of generate.R.
suppressMessages(library(MatchIt))
data("lalonde", package = "MatchIt"); d <- lalonde; d$id <- rownames(d)
d$sw <- 0.5 + (seq_len(nrow(d)) %% 7) / 4          # sampling weights 0.5 .. 2
f_ps <- treat ~ age + educ + race + married + nodegree + re74 + re75
specs <- list(
  nearest_s_weights = list(method = "nearest", distance = "glm", s.weights = ~sw),
  nearest_reestimate = list(method = "nearest", distance = "glm", discard = "both", reestimate = TRUE, caliper = 0.2)
)
for (nm in names(specs)) {
  m <- suppressWarnings(do.call(matchit, c(list(formula = f_ps, data = d), specs[[nm]])))
  w <- data.frame(id = d$id, treat = d$treat, weight = m$weights,
                  subclass = if (is.null(m$subclass)) NA else as.character(m$subclass), distance = m$distance)
  write.csv(w, paste0("lalonde_", nm, "_weights.csv"), row.names = FALSE)
  mm <- m$match.matrix
  pairs <- data.frame(treated = rep(rownames(mm), ncol(mm)), slot = rep(seq_len(ncol(mm)), each = nrow(mm)),
                      control = as.vector(mm))
  pairs <- pairs[!is.na(pairs$control), ]
  write.csv(pairs, paste0("lalonde_", nm, "_pairs.csv"), row.names = FALSE)
  b <- as.data.frame(summary(m, un = FALSE)$sum.matched); b$term <- rownames(b)
  write.csv(b, paste0("lalonde_", nm, "_balance_matched.csv"), row.names = FALSE)
  cat(nm, ": matched treated", sum(m$weights[d$treat == 1] > 0), ", controls", sum(m$weights[d$treat == 0] > 0),
      ", discarded", sum(m$discarded), "\n")
}
cat("MatchIt", as.character(packageVersion("MatchIt")), "\n")
