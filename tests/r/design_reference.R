# Reference values from R's survey package under real designs, for
# tests/stats/test_stats_designs_vs_r.py: R's own California API samples (data(api), exported by
# api_export.R to tests/fixtures/api_*.csv, replicate weights included) and the project's
# synthetic stratified-cluster sample (tests/fixtures/synthetic_clustered.csv, made by
# lederuddannelse.data.synthetic_design).
#
# Usage: Rscript tests/r/design_reference.R [fixtures_dir out.csv]
# Designs: stratified (apistrat, with fpc; and raked to awards + sch_wide), one-stage cluster
# (apiclus1, with and without fpc), two-stage cluster (apiclus2, with and without fpc), a
# stratified cluster design with a lonely PSU under each survey.lonely.psu option, and replicate
# weights (JK1 with as.svrepdesign's scale and with svrepdesign's default; bootstrap with and
# without mse); the synthetic sample as stratified cluster with fpc and as ids = ~1.
# Output: one long CSV, design, stat, key, quantity, value.
suppressPackageStartupMessages({library(survey); library(MASS)})
options(digits = 17)
args <- commandArgs(trailingOnly = TRUE)
fix <- if (length(args) >= 1) args[[1]] else "tests/fixtures"
out_file <- if (length(args) >= 2) args[[2]] else file.path(fix, "design_reference.csv")
rd <- function(name) {
  d <- read.csv(file.path(fix, name), stringsAsFactors = FALSE)
  d$sw <- as.numeric(d$sch_wide == "Yes"); d$stype <- factor(d$stype)
  d$awards <- factor(d$awards); d$sch_wide <- factor(d$sch_wide); d$api3f <- factor(d$api3)
  d
}
strat <- rd("api_strat.csv"); clus1 <- rd("api_clus1.csv"); clus2 <- rd("api_clus2.csv")
mar <- read.csv(file.path(fix, "api_margins.csv"), stringsAsFactors = FALSE)
pop <- lapply(split(mar, mar$variable), function(m) {
  d <- data.frame(factor(m$category), m$total); names(d) <- c(m$variable[1], "Freq"); d
})
# a stratified cluster design with one lonely PSU: district 1 alone in stratum "a"
lon <- clus1; lon$st <- ifelse(lon$dnum == min(lon$dnum), "a", ifelse(lon$dnum < 400, "b", "c"))

options(survey.lonely.psu = "fail")
d_strat <- svydesign(ids = ~1, strata = ~stype, fpc = ~fpc, weights = ~pw, data = strat)
designs <- list(
  strat = d_strat,
  strat_raked = rake(d_strat, list(~awards, ~sch_wide), pop[c("awards", "sch_wide")],
                     control = list(maxit = 200, epsilon = 1e-13)),
  clus1 = svydesign(ids = ~dnum, fpc = ~fpc, weights = ~pw, data = clus1),
  clus1_nofpc = svydesign(ids = ~dnum, weights = ~pw, data = clus1),
  clus2 = svydesign(ids = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = clus2),
  clus2_nofpc = svydesign(ids = ~dnum + snum, weights = ~pw, data = clus2),
  jk1 = svrepdesign(data = clus1, repweights = "^jk", weights = ~pw, type = "JK1",
                    scale = 0.91483927785116681, combined.weights = TRUE),
  jk1_default = suppressWarnings(svrepdesign(data = clus1, repweights = "^jk", weights = ~pw,
                                             type = "JK1", combined.weights = TRUE)),
  boot = svrepdesign(data = clus1, repweights = "^bs", weights = ~pw, type = "bootstrap",
                     combined.weights = TRUE),
  boot_mse = svrepdesign(data = clus1, repweights = "^bs", weights = ~pw, type = "bootstrap",
                         combined.weights = TRUE, mse = TRUE)
)
syn <- read.csv(file.path(fix, "synthetic_clustered.csv"), stringsAsFactors = FALSE)
syn$sector <- factor(syn$sector); syn$size <- factor(syn$size); syn$desire_f <- factor(syn$desire)
synthetic <- list(
  syn_stratclus = svydesign(ids = ~workplace, strata = ~stratum, fpc = ~fpc, weights = ~weight,
                            data = syn),
  syn_simple = svydesign(ids = ~1, weights = ~weight, data = syn)
)
designs$jk1_raked <- rake(designs$jk1, list(~awards, ~sch_wide), pop[c("awards", "sch_wide")],
                          control = list(maxit = 200, epsilon = 1e-13))
lonely <- c("adjust", "average", "certainty", "remove")
for (lp in lonely) {
  designs[[paste0("lonely_", lp)]] <- svydesign(ids = ~dnum, strata = ~st, weights = ~pw, data = lon)
}
write.csv(data.frame(id = seq_len(nrow(strat)), weight = weights(designs$strat_raked)),
          file.path(dirname(out_file), paste0(sub(".csv$", "", basename(out_file)), "_weights.csv")),
          row.names = FALSE)

rows <- list()
put <- function(design, stat, key, quantity, value) {
  rows[[length(rows) + 1]] <<- data.frame(design = design, stat = stat, key = key,
                                          quantity = quantity, value = as.numeric(value))
}
ctrl <- glm.control(epsilon = 1e-14, maxit = 100)
# svyolr on a replicate design refits each replicate at polr's default tolerance (1e-8), which
# moves the SEs by ~1e-4; this is the same computation (svyolr.svyrep.design) converged fully.
olr_rep_se <- function(des, formula, start, control) {
  df <- model.frame(des)
  betas <- apply(weights(des, "analysis"), 2, function(w) {
    environment(formula) <- environment()
    m <- MASS::polr(formula, data = df, Hess = FALSE, start = start,
                    model = FALSE, weights = w, control = control)
    c(m$coefficients, m$zeta)
  })
  sqrt(diag(survey:::svrVar(t(betas), des$scale, des$rscales, mse = des$mse, coef = start)))
}
api_spec <- list(means = c("api00", "sw"), by = "stype", diff = c("api00", "stype", "E", "H"),
                 chisq = c("stype", "awards"), logistic = sw ~ ell + meals,
                 linear = api00 ~ ell + meals + stype, ordinal = api3f ~ ell + meals)
syn_spec <- list(means = c("desire", "trained"), by = "sector",
                 diff = c("desire", "sector", "offentlig", "privat"), chisq = c("size", "trained"),
                 logistic = trained ~ strategy + sector, linear = desire ~ strategy + size,
                 ordinal = desire_f ~ strategy + trained)
estimates <- function(dn, des, spec) {
  put(dn, "degf", "design", "df", degf(des))
  for (v in spec$means) {
    m <- svymean(as.formula(paste0("~", v)), des)
    put(dn, "mean", v, "estimate", coef(m)); put(dn, "mean", v, "se", SE(m))
    ci <- confint(m, df = degf(des))
    put(dn, "mean", v, "ci_low", ci[1]); put(dn, "mean", v, "ci_high", ci[2])
  }
  for (s in levels(des$variables[[spec$by]])) {
    sub <- subset(des, des$variables[[spec$by]] == s)
    for (v in spec$means) {
      m <- svymean(as.formula(paste0("~", v)), sub)
      key <- paste0(v, "|", spec$by, "=", s)
      put(dn, "by", key, "estimate", coef(m)); put(dn, "by", key, "se", SE(m))
      put(dn, "by", key, "df", degf(sub))
    }
  }
  # difference a - b through svyglm on the two domains
  d <- spec$diff
  sub <- subset(des, des$variables[[d[2]]] %in% d[3:4])
  sub <- update(sub, grp = relevel(factor(as.character(sub$variables[[d[2]]])), ref = d[4]))
  m <- svyglm(as.formula(paste0(d[1], " ~ grp")), sub)
  cf <- summary(m)$coefficients[2, ]
  key <- paste0(d[1], "|", d[3], "-", d[4])
  put(dn, "diff", key, "estimate", cf[1]); put(dn, "diff", key, "se", cf[2])
  put(dn, "diff", key, "df", m$df.residual); put(dn, "diff", key, "p_value", cf[4])
  ch <- svychisq(as.formula(paste0("~", spec$chisq[1], "+", spec$chisq[2])), des, statistic = "F")
  key <- paste(spec$chisq, collapse = " x ")
  put(dn, "chisq", key, "F", ch$statistic)
  put(dn, "chisq", key, "ndf", ch$parameter[1]); put(dn, "chisq", key, "ddf", ch$parameter[2])
  put(dn, "chisq", key, "p_value", ch$p.value)
  models <- list(
    logistic = svyglm(spec$logistic, des, family = quasibinomial, control = ctrl),
    linear = svyglm(spec$linear, des, family = gaussian, control = ctrl)
  )
  for (mn in names(models)) {
    s <- summary(models[[mn]])$coefficients
    for (j in seq_len(nrow(s))) {
      key <- paste0(mn, ":", rownames(s)[j])
      put(dn, "glm", key, "estimate", s[j, 1]); put(dn, "glm", key, "se", s[j, 2])
    }
    put(dn, "glm", paste0(mn, ":df"), "df", models[[mn]]$df.residual)
  }
  np <- length(all.vars(spec$ordinal)) - 1 + nlevels(des$variables[[all.vars(spec$ordinal)[1]]]) - 1
  tight <- list(reltol = 1e-15, maxit = 10000, ndeps = rep(1e-5, np))
  o <- svyolr(spec$ordinal, des, control = tight)
  cf <- c(coef(o)); se <- sqrt(diag(vcov(o)))
  if (inherits(des, "svyrep.design")) se <- olr_rep_se(des, spec$ordinal, cf, tight)
  for (j in seq_along(cf)) {
    put(dn, "olr", paste0("ordinal:", names(cf)[j]), "estimate", cf[j])
    put(dn, "olr", paste0("ordinal:", names(cf)[j]), "se", se[j])
  }
}
for (dn in names(designs)) {
  options(survey.lonely.psu = if (startsWith(dn, "lonely_")) sub("lonely_", "", dn) else "fail")
  estimates(dn, designs[[dn]], api_spec)
}
options(survey.lonely.psu = "fail")
for (dn in names(synthetic)) estimates(dn, synthetic[[dn]], syn_spec)
res <- do.call(rbind, rows)
write.csv(res, out_file, row.names = FALSE)
cat("wrote", nrow(res), "reference values to", out_file, "\n")
