"""Design-based estimates for a weighted survey, agreeing with R's ``survey`` package.

Every chapter gets its estimates and their uncertainty from :class:`SurveyDesign`, so that one
set of formulas, checked against R (``tests/r/reference.R``), stands behind every number in the
book. The design is R's ``svydesign(ids = ~1, weights = ~weight)``, optionally followed by
``rake()``:

- **Variance.** Each estimator is written as a sum of per-respondent influence values ``z``;
  its variance is ``n/(n-1) * sum((z - mean(z))**2)`` with ``n`` the *full* sample size (R's
  with-replacement, single-stage formula).
- **Raking-aware SEs.** When the weights came from raking, the margins are passed as
  ``rake_margins`` and the influence values are projected on the margins before the variance
  step (10 sweeps of "subtract ``w`` times the within-category mean of ``z/w``"), exactly as
  R's ``svyrecvar`` does for a ``rake()`` design. Without margins the weights count as fixed;
  that ignores that raking removes the variance explained by the margins and usually gives
  slightly larger SEs.
- **Domains, not subsets.** A missing value (NaN) in the analysed variable means "not asked" or
  "outside the domain" (e.g. reasons asked only of the trained). Such rows stay in the design
  with zero contribution, so the variance still uses the full sample, like R's domain
  estimation (``svyby``, ``subset()`` of a design). Rows with a missing grouping variable belong
  to no group.
- **Unweighted variant.** ``weighted=False`` sets every weight to 1 and ignores the margins:
  the same estimators as simple-random-sample statistics, so a chapter can show what weighting
  changes.
- **Small cells.** Every table passes through one
  :class:`~lederuddannelse.stats.disclosure.SuppressionPolicy` before it is returned.

Degrees of freedom follow R: ``n_domain - 1`` for means and shares (``degf()`` of the domain),
``n_model - p`` for regression coefficients (``df.residual`` of ``svyglm``/``svyolr``).

Public API (all tables are tidy frames, already protected by the policy):

- ``proportion(var, by=None, total=False)``, ``mean(...)``: grouping columns, ``variable,
  estimate, se, ci_low, ci_high, df, n, N, deff, suppressed``;
- ``distribution(var, by=None)``: as above plus ``category, n_category``;
- ``multi_response(vars, by=None, labels=None)``: grouping columns, ``rank, item, label, ...``;
- ``difference(var, by, a, b)``: ``estimate_a, estimate_b, estimate, se, ci_low, ci_high, df,
  t, p_value, n_a, n_b, N_a, N_b, suppressed``;
- ``chisq(row_var, col_var)``: ``chisq, F, ndf, ddf, p_value, n, N``;
- ``logistic(formula)``, ``linear(formula)``, ``ordinal(formula)``: a :class:`ModelResult`
  with ``.table`` and ``.predict(profiles)``.

Where the parts live: this module holds the estimators of shares, means, differences and the
test of association; the variance formulas (and the raking projection) are in
:mod:`lederuddannelse.stats.variance`, the regression fits and :class:`ModelResult` in
:mod:`lederuddannelse.stats.models`.

Agreement with R (tests/stats/test_stats_vs_r.py, survey 4.1.1): means, shares, SEs, CIs, design
effects, differences, chi-square and linear/logistic models to about 1e-13; ordinal models
to about 5e-8 (R's optimiser).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from lederuddannelse.errors import EstimationError, ParameterError
from lederuddannelse.stats.disclosure import (
    DisclosureSpec,
    DomainPlan,
    LinkedSet,
    SuppressionPolicy,
)
from lederuddannelse.stats.models import ModelResult, fit_glm, fit_ordinal
from lederuddannelse.stats.variance import DesignVariance, check_column, factorize, t_quantile

__all__ = ["SurveyDesign", "ModelResult"]


# ---------------------------------------------------------------------------- design
class SurveyDesign:
    """A weighted survey (``ids = ~1``), optionally raked, with design-based estimators.

    Parameters
    ----------
    df:
        One row per respondent.
    weights:
        Name of the weight column, a Series aligned with ``df``, or ``None`` (all weights 1, or
        raked from 1 when ``rake_margins`` is given).
    rake_margins:
        ``{column: Series of population totals by category}``: the margins the weights were
        raked to. Given → raking-aware SEs (R's ``rake()`` design); ``None`` → weights treated
        as fixed. With ``weights=None`` the design rakes equal base weights to these margins.
    weighted:
        ``False`` → every weight is 1 and the margins are ignored (unweighted robustness run).
    conf_level:
        Confidence level for every CI.
    ci_method:
        ``"logit"`` (default, as R's ``svyciprop``) or ``"beta"`` (Korn-Graubard) for shares.
    policy:
        The small-cell rule applied to every returned table; default ``SuppressionPolicy()``.
    """

    def __init__(
        self,
        df: pd.DataFrame,
        weights: str | pd.Series | None = "weight",
        *,
        rake_margins: dict[str, pd.Series] | None = None,
        weighted: bool = True,
        conf_level: float = 0.95,
        ci_method: str = "logit",
        policy: SuppressionPolicy | None = None,
        absent: Sequence[str] = (),
    ) -> None:
        if not isinstance(df, pd.DataFrame) or len(df) < 2:
            raise EstimationError(
                "A survey design needs a DataFrame with at least two respondents."
            )
        if not (0 < float(conf_level) < 1):
            raise ParameterError(f"conf_level must be between 0 and 1, got {conf_level!r}.")
        if ci_method not in ("logit", "beta"):
            raise ParameterError(f"ci_method must be 'logit' or 'beta', got {ci_method!r}.")
        self.df = df
        #: variables the data file does not have (a mapping lists them as absent)
        self.absent = tuple(absent)
        self.n = len(df)
        self.weighted = bool(weighted)
        self.conf_level = float(conf_level)
        self.ci_method = ci_method
        self.policy = policy if policy is not None else SuppressionPolicy()
        #: the categories hidden in every table (decided once from the whole file)
        self.plan = DomainPlan(self.policy, df)
        self.rake_margins = rake_margins if (weighted and rake_margins) else None

        if not self.weighted:
            w = np.ones(self.n)
        elif weights is None:
            if self.rake_margins:
                from lederuddannelse.data.weighting import rake

                w = rake(df, self.rake_margins).weights.to_numpy(dtype=float)
            else:
                w = np.ones(self.n)
        elif isinstance(weights, str):
            self._check_var(weights)
            w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float)
        else:
            w = np.asarray(weights, dtype=float)
        if w.shape != (self.n,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise EstimationError(
                "Weights must be positive and finite, one per respondent; check the weight "
                "column (missing or zero weights?)."
            )
        self.w = w
        self.variance = DesignVariance(df, w, self.rake_margins)

    def with_columns(self, columns: dict[str, Any]) -> SurveyDesign:
        """A design over the same respondents with derived columns added; this one unchanged.

        Why: the analysis layer derives columns to estimate on (an item within a domain, NaN
        outside; a dichotomised scale). Writing them into the data frame that a chapter and
        its design share would be hidden state (a column appears in the chapter's data as a
        side effect of a computation). The new design has a new frame (the old columns plus
        ``columns``) and shares the weights, the raking projection and the settings, so
        nothing is recomputed. A name that is already a column is an error (a derived column
        must not shadow the data).
        """
        import copy

        clash = sorted(set(columns) & set(self.df.columns))
        if clash:
            raise EstimationError(
                f"Derived column(s) {clash} already exist in the data; choose other names."
            )
        added = pd.DataFrame(
            {k: np.asarray(v, dtype=float) for k, v in columns.items()}, index=self.df.index
        )
        out = copy.copy(self)
        out.df = pd.concat([self.df, added], axis=1)
        out.plan = DomainPlan(self.policy, out.df)
        return out

    def _check_var(self, var: str) -> None:
        check_column(self.df, var, self.absent)

    def _numeric(self, var: str) -> np.ndarray:
        self._check_var(var)
        s = self.df[var]
        if s.dtype == bool or str(s.dtype) == "boolean":
            return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        if not (pd.api.types.is_numeric_dtype(s)):
            raise EstimationError(
                f"Variable {var!r} is not numeric (dtype {s.dtype}); recode it to numbers "
                "(or 0/1 for a share) before estimating."
            )
        return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    def _binary(self, var: str) -> np.ndarray:
        y = self._numeric(var)
        vals = np.unique(y[~np.isnan(y)])
        if not np.all(np.isin(vals, (0.0, 1.0))):
            shown = ", ".join(f"{v:g}" for v in vals[:8])
            raise EstimationError(
                f"Variable {var!r} is not binary: a share needs values 0/1 (NaN = not asked), "
                f"but it has {shown}{' ...' if len(vals) > 8 else ''}. Recode it to 0/1 "
                "(e.g. (x == category)), or use mean() for a scale."
            )
        return y

    def _groups(self, by: str | Sequence[str] | None) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
        """Group codes per row (-1: no group) and a frame of group labels (one row per group)."""
        if by is None:
            return np.zeros(self.n, dtype=np.int64), pd.DataFrame(index=[0]), []
        by_list = [by] if isinstance(by, str) else list(by)
        if not 1 <= len(by_list) <= 2:
            raise EstimationError("'by' takes one or two grouping variables.")
        codes = np.zeros(self.n, dtype=np.int64)
        labels = pd.DataFrame(index=[0])
        for b in by_list:
            self._check_var(b)
            c, levels = factorize(self.df[b])
            K = len(levels)
            if K == 0:
                raise EstimationError(f"Grouping variable {b!r} has no values (all missing).")
            codes = np.where((codes < 0) | (c < 0), -1, codes * K + c)
            labels = labels.merge(pd.DataFrame({b: levels}), how="cross")
        return codes, labels, by_list

    # ------------------------------------------------------------------ core domain estimator
    def _domain(self, y: np.ndarray, codes: np.ndarray, G: int) -> dict[str, np.ndarray]:
        """Weighted mean of y in each of G domains with design-based SE and design effect."""
        w = self.w
        valid = (codes >= 0) & ~np.isnan(y)
        c = np.where(valid, codes, -1)
        cv, yv, wv = c[valid], y[valid], w[valid]
        n_g = np.bincount(cv, minlength=G).astype(float)
        W = np.bincount(cv, weights=wv, minlength=G)
        WY = np.bincount(cv, weights=wv * yv, minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            est = WY / W
            resid = np.zeros(self.n)
            resid[valid] = yv - est[cv]
            vals = np.zeros(self.n)
            vals[valid] = wv * resid[valid] / W[cv]
            var = self.variance.grouped_var(c, vals, G)
            se = np.sqrt(np.maximum(var, 0))
            s2 = np.bincount(cv, weights=wv * resid[valid] ** 2, minlength=G) / W * n_g / (n_g - 1)
            vsrs = np.where(W > n_g, s2 * (W - n_g) / (W * n_g), s2 / n_g)
            deff = var / vsrs
        pos = np.bincount(cv, weights=(yv == 1).astype(float), minlength=G)
        neg = np.bincount(cv, weights=(yv == 0).astype(float), minlength=G)
        return {
            "estimate": est,
            "se": se,
            "n": n_g,
            "N": W,
            "deff": deff,
            "df": n_g - 1,
            "pos": pos,
            "neg": neg,
            "vals": vals,
            "codes": c,
        }

    def _prop_ci(self, p: np.ndarray, se: np.ndarray, df: np.ndarray, n: np.ndarray):
        """CI for shares: logit (R's svyciprop default) or Korn-Graubard beta.

        Both use t quantiles with the domain's n - 1 df, as R's ``svyciprop`` on a domain.
        Korn-Graubard's effective n is ``p(1-p)/se**2`` times ``(t(n_d-1)/t(df))**2``, which
        is 1 here (df = n_d - 1); R's code uses the full sample's n in that ratio for a domain
        of a raked design only (a quirk we do not copy; the effect is below 0.1 % of the n).
        A share of exactly 0 or 1 has SE 0; its interval is then Clopper-Pearson on the
        unweighted domain size, since neither formula is defined there.
        """
        from scipy import special, stats

        alpha = 1 - self.conf_level
        q = t_quantile(self.conf_level, df)
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.ci_method == "logit":
                lg = special.logit(p)
                sl = se / (p * (1 - p))
                lo, hi = special.expit(lg - q * sl), special.expit(lg + q * sl)
            else:
                ne = p * (1 - p) / se**2
                lo = stats.beta.ppf(alpha / 2, ne * p, ne * (1 - p) + 1)
                hi = stats.beta.ppf(1 - alpha / 2, ne * p + 1, ne * (1 - p))
            edge0, edge1 = (p == 0) & (n > 0), (p == 1) & (n > 0)
            lo = np.where(edge0, 0.0, np.where(edge1, stats.beta.ppf(alpha / 2, n, 1), lo))
            hi = np.where(edge1, 1.0, np.where(edge0, stats.beta.ppf(1 - alpha / 2, 1, n), hi))
        return lo, hi

    def _table(
        self,
        labels: pd.DataFrame,
        r: dict[str, np.ndarray],
        var: str,
        binary: bool,
        by_list: list[str],
        keep: np.ndarray,
        total: dict | None = None,
    ) -> pd.DataFrame:
        if binary:
            lo, hi = self._prop_ci(r["estimate"], r["se"], r["df"], r["n"])
        else:
            q = t_quantile(self.conf_level, r["df"])
            lo, hi = r["estimate"] - q * r["se"], r["estimate"] + q * r["se"]
        cols: dict[str, Any] = {c: labels[c].to_numpy()[keep] for c in labels.columns}
        m = int(keep.sum())
        cols["variable"] = np.full(m, var, dtype=object)
        for name, v in (
            ("estimate", r["estimate"]),
            ("se", r["se"]),
            ("ci_low", lo),
            ("ci_high", hi),
            ("df", r["df"]),
            ("n", r["n"]),
            ("N", r["N"]),
            ("deff", r["deff"]),
        ):
            cols[name] = np.asarray(v, dtype=float)[keep]
        # counts on each side of a 0/1 variable: a mean of 0/1 is a share, so the count rule
        # applies whichever method was asked for
        counted = binary or bool(np.all(r["pos"] + r["neg"] == r["n"]))
        if counted:
            cols["_pos"], cols["_neg"] = r["pos"][keep], r["neg"][keep]
        cols["suppressed"] = np.zeros(m, dtype=bool)
        cols["_total"] = np.zeros(m, dtype=bool)
        cols["_hidden"] = self.plan.rows_hidden(labels, by_list)[keep]
        if total is not None:
            for c in cols:
                cols[c] = np.append(
                    cols[c].astype(object) if c in labels.columns or c == "variable" else cols[c],
                    total[c],
                )
        t = pd.DataFrame(cols)
        sets: tuple[LinkedSet, ...] = ()
        if len(by_list) == 1:
            sets = (LinkedSet(),)
        elif len(by_list) == 2:
            sets = (LinkedSet((by_list[0],)), LinkedSet((by_list[1],)))
        spec = DisclosureSpec(
            sides=("_pos", "_neg") if counted else (),
            sets=sets,
            total="_total",
            hidden="_hidden",
        )
        return t, spec

    def _estimate(self, var: str, by, binary: bool, total: bool, total_label: str, raw=False):
        y = self._binary(var) if binary else self._numeric(var)
        codes, labels, by_list = self._groups(by)
        G = len(labels)
        r = self._domain(y, codes, G)
        keep = r["n"] > 0
        if not keep.any():
            where = f" in any group of {by_list}" if by_list else ""
            raise EstimationError(
                f"Empty domain: no respondent has a value of {var!r}{where} (all missing). "
                "Check the routing of the question and the domain asked for."
            )
        tot = None
        if total and by_list:
            r0 = self._domain(y, np.where(codes >= 0, 0, -1), 1)
            lab = pd.DataFrame({b: [total_label] for b in by_list})
            row = self._table(lab, r0, var, binary, [], np.array([True]))[0].iloc[0].to_dict()
            row["_total"] = True
            tot = row
        t, spec = self._table(labels, r, var, binary, by_list, keep, tot)
        return (t, spec) if raw else self.policy.apply(t, spec)

    # ------------------------------------------------------------------ public estimators
    def proportion(
        self,
        var: str,
        by: str | Sequence[str] | None = None,
        *,
        total: bool = False,
        total_label: str = "I alt",
    ) -> pd.DataFrame:
        """Weighted share of respondents with ``var == 1`` overall or by one or two groups.

        Columns: the grouping columns, ``variable, estimate, se, ci_low, ci_high, df, n, N,
        deff, suppressed``. ``n`` is unweighted, ``N`` the weighted domain size. CIs use
        ``ci_method``. ``total=True`` adds a row for all groups together (label ``total_label``).
        Matches R's ``svyciprop`` / ``svyby(..., svymean, deff = TRUE)``.
        """
        return self._estimate(var, by, True, total, total_label)

    def mean(
        self,
        var: str,
        by: str | Sequence[str] | None = None,
        *,
        total: bool = False,
        total_label: str = "I alt",
    ) -> pd.DataFrame:
        """Weighted mean of ``var`` (e.g. the 1-5 desire scale); columns as :meth:`proportion`,
        with a symmetric t interval (df = domain n - 1). Matches R's ``svymean``/``svyby``."""
        return self._estimate(var, by, False, total, total_label)

    def distribution(self, var: str, by: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Share of each category of ``var`` (overall or within groups of ``by``).

        Columns: the grouping columns, ``variable, category, estimate, se, ci_low, ci_high,
        df, n, N, deff, suppressed``; ``n`` is the domain's respondents, ``n_category`` the
        respondents in the category. Shares within a group add up to 1, so the policy treats
        the categories of a group as one linked set.
        """
        self._check_var(var)
        by_list = [] if by is None else ([by] if isinstance(by, str) else list(by))
        ccodes, levels = factorize(self.df[var])
        if not levels:
            raise EstimationError(f"Empty domain: {var!r} has no values (all missing).")
        codes, labels, by_list = self._groups(by)
        parts = []
        for k, lev in enumerate(levels):
            y = np.where(ccodes < 0, np.nan, (ccodes == k).astype(float))
            r = self._domain(y, codes, len(labels))
            keep = r["n"] > 0
            t, _ = self._table(labels, r, var, True, by_list, keep)
            t.insert(len(by_list) + 1, "category", lev)
            t["n_category"] = t["_pos"]
            parts.append(t)
        out = self._apply_distribution(pd.concat(parts, ignore_index=True), by_list)
        order = by_list + ["_cat"]
        out["_cat"] = out["category"].map({lev: k for k, lev in enumerate(levels)})
        return out.sort_values(order, kind="stable").drop(columns="_cat").reset_index(drop=True)

    def _apply_distribution(self, t: pd.DataFrame, by_list: list[str]) -> pd.DataFrame:
        """Two steps, so that a group's n is hidden only when the group is.

        First the groups (one row each, the groups of a breakdown adding up to the total):
        a group too small, hidden book-wide, or needed as a complement is suppressed with its
        n. Then the categories: a category's count is not an estimate, so only the count rule
        applies to it (with complements within the group and across groups), and a suppressed
        category hides its count and estimate but not the group's n, which the other
        categories of the group show anyway.
        """
        n = t["n"].to_numpy(dtype=float)
        if by_list:
            groups = t.drop_duplicates(by_list)[by_list + ["n", "_hidden"]].reset_index(drop=True)
            gspec = DisclosureSpec(
                sets=(LinkedSet(),)
                if len(by_list) == 1
                else tuple(LinkedSet((b,)) for b in by_list),
                hidden="_hidden",
                mask=(),
            )
            gout = self.policy.apply(groups.assign(suppressed=False), gspec)
            hidden = (
                t[by_list]
                .merge(gout[by_list + ["suppressed"]], on=by_list, how="left")["suppressed"]
                .to_numpy(dtype=bool)
            )
        else:
            hidden = n < self.policy.min_n
        spec = DisclosureSpec(
            size=(),
            shown_counts=("n_category",),
            sides=("_pos", "_neg"),
            sets=(LinkedSet(tuple(by_list), "n_category", "min_count"),)
            + tuple(
                LinkedSet(("category",) + tuple(b for b in by_list if b != o), "n", "min_n")
                for o in by_list
            ),
            total="_total",
            hidden="_hidden",
        )
        out = self.policy.apply(t.assign(_hidden=hidden), spec)
        shown_n = pd.array(np.nan_to_num(n).round().astype("int64"), dtype="Int64")
        shown_n[hidden | (n < self.policy.min_n)] = pd.NA
        out["n"] = shown_n
        return out

    def multi_response(
        self,
        vars: Sequence[str],
        by: str | Sequence[str] | None = None,
        labels: dict[str, str] | None = None,
    ) -> pd.DataFrame:
        """Several 0/1 items (e.g. reasons for taking the training) as a ranked table.

        Columns: grouping columns, ``rank, item, label, estimate, se, ci_low, ci_high, df, n,
        N, deff, suppressed``; ranked by estimate (largest first) within each group. Each item
        is its own domain estimate (respondents asked the item), so items may have different n.
        """
        if not vars:
            raise EstimationError("multi_response() needs at least one item.")
        parts = []
        for v in vars:
            t, spec = self._estimate(v, by, True, False, "", raw=True)
            parts.append(t)
        out = pd.concat(parts, ignore_index=True)
        by_list = [] if by is None else ([by] if isinstance(by, str) else list(by))
        out = out.rename(columns={"variable": "item"})
        names = out["item"].astype(str)
        out.insert(len(by_list) + 1, "label", [(labels or {}).get(v, v) for v in names])
        sets = tuple(LinkedSet(("item",) + tuple(b for b in by_list if b != o)) for o in by_list)
        spec = DisclosureSpec(sides=("_pos", "_neg"), sets=sets, total="_total", hidden="_hidden")
        out = self.policy.apply(out, spec)
        key = out["estimate"].fillna(-1.0)
        if by_list:
            rank = key.groupby([out[b] for b in by_list], sort=False).rank(
                ascending=False, method="first"
            )
        else:
            rank = key.rank(ascending=False, method="first")
        out.insert(len(by_list), "rank", rank.astype(int))
        out = out.sort_values(by_list + ["rank"], kind="stable").reset_index(drop=True)
        return out

    def difference(self, var: str, by: str, a: Any, b: Any) -> pd.DataFrame:
        """Difference of the mean/share of ``var`` between domains ``by == a`` and ``by == b``.

        One row: ``by, a, b, estimate_a, estimate_b, estimate (a - b), se, ci_low, ci_high, df,
        t, p_value, n_a, n_b, N_a, N_b, suppressed``. The SE combines the two domains'
        influence values (full-sample variance, raking-aware if the design is), which equals
        R's ``svyglm(var ~ by)`` on the two domains; the test is a t test with
        ``n_a + n_b - 2`` df, as ``summary.svyglm``.
        """
        from scipy import stats

        y = self._numeric(var)
        vals = np.unique(y[~np.isnan(y)])
        binary = bool(len(vals) and np.all(np.isin(vals, (0.0, 1.0))))
        self._check_var(by)
        # the by-table the book publishes for these domains decides what is suppressed, so a
        # difference never shows a domain (or its n) that the table hides
        published = self._estimate(var, by, binary, False, "")
        in_table = published[by].isin([a, b]).to_numpy(dtype=bool)
        hidden_by_table = published.loc[in_table, "suppressed"].to_numpy(dtype=bool)
        # each side's n as the table shows it (hidden only where the table hides it)
        table_n = {
            side: published.loc[(published[by] == lev).to_numpy(dtype=bool), "n"]
            for side, lev in (("a", a), ("b", b))
        }
        s = self.df[by]
        rows = {}
        for side, lev in (("a", a), ("b", b)):
            mask = (s == lev).to_numpy(dtype=bool, na_value=False)
            if not mask.any():
                present = ", ".join(repr(v) for v in factorize(s)[1][:10])
                raise EstimationError(
                    f"Empty domain: no respondent has {by} == {lev!r} (values present: {present})."
                )
            r = self._domain(y, np.where(mask, 0, -1), 1)
            if r["n"][0] == 0:
                raise EstimationError(
                    f"Empty domain: no respondent with {by} == {lev!r} has a value of {var!r} "
                    "(all missing there). Check the routing of the question."
                )
            rows[side] = r
        ra, rb = rows["a"], rows["b"]
        Z = np.column_stack([ra["vals"] - rb["vals"]])
        se = float(np.sqrt(self.variance.vcov(Z)[0, 0]))
        est = float(ra["estimate"][0] - rb["estimate"][0])
        df = ra["n"][0] + rb["n"][0] - 2
        q = float(t_quantile(self.conf_level, df))
        tstat = est / se if se > 0 else np.nan
        p = float(2 * stats.t.sf(abs(tstat), df)) if df > 0 and np.isfinite(tstat) else np.nan
        t = pd.DataFrame(
            [
                {
                    "by": by,
                    "a": a,
                    "b": b,
                    "variable": var,
                    "estimate_a": ra["estimate"][0],
                    "estimate_b": rb["estimate"][0],
                    "estimate": est,
                    "se": se,
                    "ci_low": est - q * se,
                    "ci_high": est + q * se,
                    "df": df,
                    "t": tstat,
                    "p_value": p,
                    "n_a": ra["n"][0],
                    "n_b": rb["n"][0],
                    "N_a": ra["N"][0],
                    "N_b": rb["N"][0],
                    "suppressed": bool(hidden_by_table.any()),
                    "_pos_a": ra["pos"][0] if binary else np.nan,
                    "_neg_a": ra["neg"][0] if binary else np.nan,
                    "_pos_b": rb["pos"][0] if binary else np.nan,
                    "_neg_b": rb["neg"][0] if binary else np.nan,
                }
            ]
        )
        spec = DisclosureSpec(
            size=("n_a", "n_b"),
            sides=("_pos_a", "_neg_a", "_pos_b", "_neg_b"),
            mask=(
                "estimate_a",
                "estimate_b",
                "estimate",
                "se",
                "ci_low",
                "ci_high",
                "t",
                "p_value",
                "N_a",
                "N_b",
                "df",
            ),
        )
        out = self.policy.apply(t, spec)
        if out["suppressed"].iloc[0]:
            for side, shown in table_n.items():
                n = shown.iloc[0] if len(shown) else pd.NA
                out[f"n_{side}"] = pd.array([n], dtype="Int64")
        return out

    def chisq(self, row_var: str, col_var: str) -> pd.DataFrame:
        """Rao-Scott adjusted test of association in a two-way table (R's ``svychisq``, "F").

        One row: ``row_var, col_var, chisq`` (Pearson's X² of the weighted table scaled to n),
        ``F, ndf, ddf, p_value, n`` (respondents with both variables), ``N``. Rows with a
        missing value in either variable are outside the domain (R's ``na.rm = TRUE``); like R,
        the scale and df use the full sample.
        """
        from scipy import stats

        rc, rlev = factorize(self._col(row_var))
        cc, clev = factorize(self._col(col_var))
        nr, nc = len(rlev), len(clev)
        if nr < 2 or nc < 2:
            raise EstimationError(
                f"A test of association needs at least two categories in each variable; "
                f"{row_var!r} has {nr} and {col_var!r} has {nc} (among respondents with values)."
            )
        ok = (rc >= 0) & (cc >= 0)
        if ok.sum() == 0:
            raise EstimationError(
                f"Empty domain: no respondent has values of both {row_var!r} and {col_var!r}."
            )
        cell = np.where(ok, rc + nr * cc, -1)  # rows vary fastest, as R's interaction()
        K = nr * nc
        w = self.w
        W = w[ok].sum()
        pw = np.bincount(cell[ok], weights=w[ok], minlength=K) / W
        Z = np.zeros((self.n, K))
        idx = np.flatnonzero(ok)
        Z[idx] = -pw[None, :] * (w[idx] / W)[:, None]
        Z[idx, cell[idx]] += w[idx] / W
        V = self.variance.vcov(Z)
        N = self.n
        nu = self.n - 1
        # contrast matrix: residuals of the interaction columns on the main effects
        rows_i = np.tile(np.arange(nr), nc)
        cols_i = np.repeat(np.arange(nc), nr)
        X1 = np.column_stack(
            [np.ones(K)]
            + [(rows_i == i).astype(float) for i in range(1, nr)]
            + [(cols_i == j).astype(float) for j in range(1, nc)]
        )
        X12 = np.column_stack(
            [
                ((rows_i == i) & (cols_i == j)).astype(float)
                for j in range(1, nc)
                for i in range(1, nr)
            ]
        )
        Q, _ = np.linalg.qr(X1)
        C = X12 - Q @ (Q.T @ X12)
        iD = np.diag(np.where(pw == 0, 0.0, 1.0 / np.where(pw == 0, 1.0, pw)))
        denom = C.T @ (iD / N) @ C
        numr = C.T @ iD @ V @ iD @ C
        Delta = np.linalg.solve(denom, numr)
        trD = np.trace(Delta)
        d0 = trD**2 / np.trace(Delta @ Delta)
        tab = (pw * N).reshape(nc, nr).T
        expected = np.outer(tab.sum(1), tab.sum(0)) / N
        with np.errstate(invalid="ignore", divide="ignore"):
            X2 = float(np.nansum((tab - expected) ** 2 / expected))
        F = X2 / trD
        p = float(stats.f.sf(F, d0, d0 * nu))
        # the same policy as the two breakdowns: a test about a category the book hides (too
        # few respondents, or its complement) or with a tiny cell is not published
        counts = np.bincount(cell[ok], minlength=K).reshape(nc, nr).T
        small = (
            (counts.sum(1) < self.policy.min_n).any()
            or (counts.sum(0) < self.policy.min_n).any()
            or ((counts > 0) & (counts < self.policy.min_count)).any()
            or bool(self.plan.hidden(row_var))
            or bool(self.plan.hidden(col_var))
        )
        t = pd.DataFrame(
            [
                {
                    "row_var": row_var,
                    "col_var": col_var,
                    "chisq": X2,
                    "F": F,
                    "ndf": d0,
                    "ddf": d0 * nu,
                    "p_value": p,
                    "n": int(ok.sum()),
                    "N": W,
                    "suppressed": bool(small),
                }
            ]
        )
        spec = DisclosureSpec(size=("n",), mask=("chisq", "F", "ndf", "ddf", "p_value", "N"))
        return self.policy.apply(t, spec)

    def _col(self, var: str) -> pd.Series:
        self._check_var(var)
        return self.df[var]

    # ------------------------------------------------------------------ regression models
    # The fitting code lives in lederuddannelse.stats.models; the variance in stats.variance.
    def logistic(self, formula: str) -> ModelResult:
        """Weighted logistic regression (R's ``svyglm(family = quasibinomial)``).

        ``formula`` is patsy syntax, e.g. ``"trained ~ C(sector) + C(size) + interest"``; rows
        with a missing value in any variable are outside the model's domain. ``.table`` has
        coefficients and odds ratios with design-based (sandwich, raking-aware if the design
        is) SEs; ``.predict(profiles)`` gives predicted probabilities with CIs.
        """
        return fit_glm(self, formula, "logistic")

    def linear(self, formula: str) -> ModelResult:
        """Weighted linear regression (R's ``svyglm(family = gaussian)``), sandwich SEs."""
        return fit_glm(self, formula, "linear")

    def ordinal(self, formula: str, maxit: int = 100) -> ModelResult:
        """Weighted proportional-odds logistic regression (R's ``svyolr``).

        Model: ``logit P(Y <= k) = zeta_k - x'beta``, so a positive coefficient means a higher
        category (e.g. more desire); ``odds_ratio = exp(beta)``. The outcome's order is its
        categorical order, or the sorted numeric values. ``.table`` has the slopes and then
        the cut-points (``term = "1|2"`` etc.); ``.predict(profiles)`` gives the predicted mean
        of the scale and the probability of each level. Fitted by Newton-Raphson on the
        weighted log-likelihood with analytic derivatives; SEs are the sandwich
        ``H^-1 (S'S) H^-1`` with the per-respondent scores projected like every other estimator.
        """
        return fit_ordinal(self, formula, maxit)
