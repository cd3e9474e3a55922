# Reference raking weights from R's survey package, for tests/data/test_data_weighting.py.
#
# Usage: Rscript tests/r/rake_reference.R INPUT.csv MARGINS.csv OUTPUT.csv
#   INPUT    respondents with resp_id and the weighting variables (tests/fixtures/rake_input.csv)
#   MARGINS  population totals, one row per category (data/margins.csv)
#   OUTPUT   resp_id, weight (committed as tests/fixtures/rake_reference.csv)
#
# Base weights: the INPUT's base_weight column if it has one (a file's own weights, as in
# open_chapter), else equal weights. Raking with maxit = 100 and epsilon = 1e-10 (R's defaults, maxit = 10
# and epsilon = 1, stop early; see survey-statistics.md).
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 3)
d <- read.csv(args[1])
m <- read.csv(args[2], encoding = "UTF-8")
vars <- unique(m$variable)
for (v in vars) d[[v]] <- factor(d[[v]], levels = m$category[m$variable == v])
d$w0 <- if ("base_weight" %in% names(d)) d$base_weight else 1
des <- svydesign(ids = ~1, weights = ~w0, data = d)
pop <- lapply(vars, function(v) {
  s <- m[m$variable == v, ]
  out <- data.frame(factor(s$category, levels = s$category), s$count)
  names(out) <- c(v, "Freq")
  out
})
smp <- lapply(vars, function(v) as.formula(paste0("~", v)))
raked <- rake(des, smp, pop, control = list(maxit = 100, epsilon = 1e-10, verbose = FALSE))
out <- data.frame(resp_id = d$resp_id, weight = sprintf("%.17g", weights(raked)))
write.csv(out, args[3], row.names = FALSE, quote = FALSE)
cat(sprintf("survey %s: wrote %d weights to %s\n", packageVersion("survey"), nrow(out), args[3]))
