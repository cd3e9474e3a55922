# Export R's California API samples (survey's data(api)) for tests/stats/test_stats_designs_vs_r.py.
#
# Usage: Rscript tests/r/api_export.R [outdir]   (default tests/fixtures)
# Writes api_strat.csv, api_clus1.csv (with 15 JK1 and 50 bootstrap replicate weights, combined
# with the sampling weight; the bootstrap drawn with set.seed(2023)) and api_clus2.csv: only the
# columns the tests use, a three-level api3 (api00 cut at 600 and 750) and api_margins.csv
# (the population's awards and sch.wide, for raking). The replicate weights are data, not a result: the reference script
# (api_reference.R) reads them back, so R and Python see the same replicates.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[[1]] else "tests/fixtures"
data(api)
keep <- c("cds", "stype", "dnum", "snum", "api00", "api99", "ell", "meals", "sch.wide",
          "awards", "enroll", "pw", "fpc")
strat <- apistrat[, keep]
clus1 <- apiclus1[, keep]
clus2 <- apiclus2[, c(setdiff(keep, "fpc"), "fpc1", "fpc2")]
d1 <- svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
jk <- as.svrepdesign(d1, type = "JK1", compress = FALSE)
set.seed(2023)
bs <- as.svrepdesign(d1, type = "bootstrap", replicates = 50, compress = FALSE)
jkw <- unclass(as.matrix(weights(jk, "analysis"))); jkw <- matrix(jkw, nrow = nrow(clus1)); colnames(jkw) <- sprintf("jk%02d", seq_len(ncol(jkw)))
bsw <- matrix(unclass(as.matrix(weights(bs, "analysis"))), nrow = nrow(clus1)); colnames(bsw) <- sprintf("bs%02d", seq_len(ncol(bsw)))
clus1 <- cbind(clus1, jkw, bsw)
for (nm in c("strat", "clus1", "clus2")) {  # a three-level outcome for the ordinal model
  d <- get(nm); d$api3 <- as.integer(cut(d$api00, c(0, 600, 750, 1000))); assign(nm, d)
}
margins <- rbind(
  data.frame(variable = "awards", category = names(table(apipop$awards)),
             total = as.vector(table(apipop$awards))),
  data.frame(variable = "sch_wide", category = names(table(apipop$sch.wide)),
             total = as.vector(table(apipop$sch.wide))))
write.csv(margins, file.path(out, "api_margins.csv"), row.names = FALSE)
writeCSV <- function(d, name) {
  names(d) <- gsub(".", "_", names(d), fixed = TRUE)
  write.csv(d, file.path(out, name), row.names = FALSE)
}
writeCSV(strat, "api_strat.csv")
writeCSV(clus1, "api_clus1.csv")
writeCSV(clus2, "api_clus2.csv")
cat(sprintf("JK1 scale %.17g; bootstrap scale %.17g\n", jk$scale, bs$scale))
