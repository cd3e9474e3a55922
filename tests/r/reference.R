# Reference values from R's survey package for tests/stats/test_stats_vs_r.py.
#
# Usage: Rscript tests/r/reference.R [data.csv margins.csv out.csv weights_out.csv]
# Defaults: tests/fixtures/stats_data.csv, stats_margins.csv -> r_reference.csv, r_weights.csv.
# Three designs: "raked" = svydesign(ids=~1, weights=~base_weight) then rake() to the margins
# (tight convergence); "fixed" = the same raked weights treated as fixed; "unweighted" = all
# weights 1 (the book's weighted = false). Everything is written
# as one long CSV: design, stat, key, quantity, value.
suppressPackageStartupMessages({library(survey); library(MASS)})
options(digits = 17, survey.lonely.psu = "fail")

args <- commandArgs(trailingOnly = TRUE)
fix <- if (length(args) >= 4) NULL else "tests/fixtures"
path <- function(i, name) if (length(args) >= i) args[[i]] else file.path(fix, name)
dat <- read.csv(path(1, "stats_data.csv"), stringsAsFactors = FALSE)
mar <- read.csv(path(2, "stats_margins.csv"), stringsAsFactors = FALSE)
out_file <- path(3, "r_reference.csv")
w_file <- path(4, "r_weights.csv")
for (v in c("sex", "agegrp", "sector", "region", "role")) dat[[v]] <- factor(dat[[v]])

pop <- lapply(split(mar, mar$variable), function(m) {
  d <- data.frame(m$category, m$total); names(d) <- c(m$variable[1], "Freq"); d
})
vars <- c("sex", "agegrp", "sector")
d0 <- svydesign(ids = ~1, weights = ~base_weight, data = dat)
raked <- rake(d0, lapply(vars, function(v) as.formula(paste0("~", v))), pop[vars],
              control = list(maxit = 200, epsilon = 1e-13))
dat$w_raked <- weights(raked)
fixed <- svydesign(ids = ~1, weights = ~w_raked, data = dat)
dat$one <- 1
unweighted <- svydesign(ids = ~1, weights = ~one, data = dat)  # the book's weighted = false
write.csv(data.frame(id = dat$id, weight = dat$w_raked), w_file, row.names = FALSE)

rows <- list()
put <- function(design, stat, key, quantity, value) {
  # R's design effect needs a population scale (sum of weights > n); not defined unweighted
  if (design == "unweighted" && quantity == "deff") return(invisible())
  rows[[length(rows) + 1]] <<- data.frame(design = design, stat = stat, key = key,
                                          quantity = quantity, value = as.numeric(value))
}
tq <- function(level, df) qt(1 - (1 - level) / 2, df)
# svyciprop's logit method fits svyglm(y ~ 1) at glm's default tolerance (1e-8), which moves
# the CI by ~1e-10; this is the same computation converged fully. Beta is svyciprop's own.
ciprop <- function(p, design, v, meth, level) {
  if (meth != "logit") return(attr(p, "ci"))
  m <- svyglm(as.formula(paste0(v, " ~ 1")), design, family = quasibinomial,
              control = glm.control(epsilon = 1e-14, maxit = 100))
  as.numeric(plogis(confint(m, 1, level = level, ddf = degf(design))))
}

for (dn in c("raked", "fixed", "unweighted")) {
  des <- switch(dn, raked = raked, fixed = fixed, unweighted = unweighted)

  # --- means and shares, whole sample and NaN-domain --------------------------------
  for (v in c("trained", "x", "score", "career")) {
    sub <- subset(des, !is.na(des$variables[[v]]))
    m <- svymean(as.formula(paste0("~", v)), sub, deff = TRUE, na.rm = TRUE)
    df <- degf(sub)
    put(dn, "mean", v, "estimate", coef(m)); put(dn, "mean", v, "se", SE(m))
    put(dn, "mean", v, "deff", deff(m)); put(dn, "mean", v, "df", df)
    ci <- confint(m, df = df); put(dn, "mean", v, "ci_low", ci[1]); put(dn, "mean", v, "ci_high", ci[2])
  }
  for (v in c("trained", "career")) {
    sub <- subset(des, !is.na(des$variables[[v]]))
    for (lev in c(0.95, 0.9)) {
      for (meth in c("logit", "beta")) {
        # R's beta on a raked domain scales n.eff by qt(nrow(design) - 1) / qt(degf), i.e. the
        # full sample against the domain; we (and R for fixed weights) use the domain's n.
        if (meth == "beta" && dn == "raked" && v == "career") next
        p <- svyciprop(as.formula(paste0("~", v)), sub, method = meth, level = lev, na.rm = TRUE)
        ci <- ciprop(p, sub, v, meth, lev)
        key <- paste0(v, "@", lev)
        put(dn, paste0("ciprop_", meth), key, "estimate", p)
        put(dn, paste0("ciprop_", meth), key, "ci_low", ci[1])
        put(dn, paste0("ciprop_", meth), key, "ci_high", ci[2])
        put(dn, paste0("svyciprop_", meth), key, "ci_low", attr(p, "ci")[1])
        put(dn, paste0("svyciprop_", meth), key, "ci_high", attr(p, "ci")[2])
      }
    }
  }

  # --- domain means via svyby (one and two grouping variables) --------------------
  by1 <- svyby(~trained, ~region, des, svymean, deff = TRUE)
  for (i in seq_len(nrow(by1))) {
    key <- paste0("trained|region=", by1$region[i])
    put(dn, "by", key, "estimate", by1$trained[i]); put(dn, "by", key, "se", by1$se[i])
    put(dn, "by", key, "deff", by1[i, "DEff.trained"])
  }
  for (r in levels(dat$region)) {
    sub <- subset(des, region == r)
    for (meth in c("logit", "beta")) {
      if (meth == "beta" && dn == "raked") next  # R's beta on a raked domain uses the full n
      p <- svyciprop(~trained, sub, method = meth)
      ci <- ciprop(p, sub, "trained", meth, 0.95)
      key <- paste0("trained|region=", r)
      put(dn, paste0("by_ciprop_", meth), key, "ci_low", ci[1])
      put(dn, paste0("by_ciprop_", meth), key, "ci_high", ci[2])
    }
  }
  by2 <- svyby(~x, ~sector + role, des, svymean, deff = TRUE)
  for (i in seq_len(nrow(by2))) {
    key <- paste0("x|sector=", by2$sector[i], "|role=", by2$role[i])
    put(dn, "by", key, "estimate", by2$x[i]); put(dn, "by", key, "se", by2$se[i])
    put(dn, "by", key, "deff", by2[i, "DEff.x"])
    sub <- subset(des, sector == by2$sector[i] & role == by2$role[i])
    ci <- confint(svymean(~x, sub), df = degf(sub))
    put(dn, "by", key, "ci_low", ci[1]); put(dn, "by", key, "ci_high", ci[2])
  }
  byc <- svyby(~career, ~sector, des, svymean, na.rm = TRUE, deff = TRUE)
  for (i in seq_len(nrow(byc))) {
    key <- paste0("career|sector=", byc$sector[i])
    put(dn, "by", key, "estimate", byc$career[i]); put(dn, "by", key, "se", byc$se[i])
    put(dn, "by", key, "deff", byc[i, "DEff.career"])
  }

  # --- differences between two domains via svyglm --------------------------------
  diffs <- list(c("trained", "role", "mm", "me"), c("trained", "region", "r1", "r3"),
                c("career", "sector", "private", "public"), c("score", "sector", "public", "private"))
  for (dd in diffs) {
    v <- dd[1]; g <- dd[2]; a <- dd[3]; b <- dd[4]
    sub <- subset(des, des$variables[[g]] %in% c(a, b))
    sub <- update(sub, grp = relevel(factor(as.character(sub$variables[[g]])), ref = b))
    m <- svyglm(as.formula(paste0(v, " ~ grp")), sub)
    cf <- summary(m)$coefficients[2, ]
    key <- paste0(v, "|", g, "|", a, "-", b)
    put(dn, "diff", key, "estimate", cf[1]); put(dn, "diff", key, "se", cf[2])
    put(dn, "diff", key, "p_value", cf[4]); put(dn, "diff", key, "df", m$df.residual)
    ci <- confint(m)[2, ]; put(dn, "diff", key, "ci_low", ci[1]); put(dn, "diff", key, "ci_high", ci[2])
  }

  # --- regressions -------------------------------------------------------------------
  ctrl <- glm.control(epsilon = 1e-14, maxit = 100)
  models <- list(
    logistic = svyglm(trained ~ sector + role + x + sex, des, family = quasibinomial, control = ctrl),
    linear = svyglm(score ~ sector + region + x, des, family = gaussian, control = ctrl),
    logistic_dom = svyglm(career ~ sector + x, des, family = quasibinomial, control = ctrl)
  )
  for (mn in names(models)) {
    m <- models[[mn]]
    s <- summary(m)$coefficients
    ci <- confint(m)
    for (j in seq_len(nrow(s))) {
      key <- paste0(mn, ":", rownames(s)[j])
      put(dn, "glm", key, "estimate", s[j, 1]); put(dn, "glm", key, "se", s[j, 2])
      put(dn, "glm", key, "p_value", s[j, 4])
      put(dn, "glm", key, "ci_low", ci[j, 1]); put(dn, "glm", key, "ci_high", ci[j, 2])
    }
    put(dn, "glm", paste0(mn, ":df"), "df", m$df.residual)
  }
  prof <- data.frame(sector = c("public", "private"), role = c("mm", "me"), x = c(15, 5), sex = c("f", "m"))
  pr <- predict(models$logistic, newdata = prof, type = "link", se.fit = TRUE)
  for (i in 1:2) {
    key <- paste0("logistic:profile", i)
    put(dn, "predict", key, "link", pr[i]); put(dn, "predict", key, "link_se", SE(pr)[i])
  }

  # --- ordinal: svyolr with tight optimiser and small Hessian steps ----------------
  des2 <- update(des, desire_f = factor(desire))
  np <- 3 + 4
  o <- svyolr(desire_f ~ sector + role + x, des2,
              control = list(reltol = 1e-15, maxit = 10000, ndeps = rep(1e-5, np)))
  cf <- c(coef(o))
  se <- sqrt(diag(vcov(o)))
  for (j in seq_along(cf)) {
    key <- paste0("ordinal:", names(cf)[j])
    put(dn, "olr", key, "estimate", cf[j]); put(dn, "olr", key, "se", se[j])
  }

  # --- Rao-Scott chi-square ------------------------------------------------------
  for (tt in list(c("region", "role"), c("sector", "career"), c("agegrp", "region"))) {
    ch <- svychisq(as.formula(paste0("~", tt[1], "+", tt[2])), des, statistic = "F")
    key <- paste0(tt[1], "x", tt[2])
    put(dn, "chisq", key, "F", ch$statistic); put(dn, "chisq", key, "ndf", ch$parameter[1])
    put(dn, "chisq", key, "ddf", ch$parameter[2]); put(dn, "chisq", key, "p_value", ch$p.value)
  }
}

res <- do.call(rbind, rows)
write.csv(res, out_file, row.names = FALSE)
cat("wrote", nrow(res), "reference values to", out_file, "\n")
