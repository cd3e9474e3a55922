"""Design-based estimates for a survey sample, agreeing with R's ``survey`` package.

Every chapter gets its estimates and their uncertainty from :class:`SurveyDesign`, so that one
set of formulas, checked against R (``tests/r/``), stands behind every number in the book.
The design is any of R's:

- ``svydesign(ids = ~psu1 + psu2, strata = ~stratum, fpc = ~fpc1 + fpc2, weights = ~w)``:
  ``SurveyDesign(df, "w", strata=..., psu=[...], fpc=[...], lonely_psu="fail")``, with Taylor
  linearisation (:mod:`~lederuddannelse.stats.structure`,
  :mod:`~lederuddannelse.stats.variance`); without strata, psu and fpc it is ``ids = ~1``;
- the same followed by ``rake()`` (``rake_margins``: raking-aware SEs; without margins the
  weights count as fixed, which usually gives slightly larger SEs);
- ``svrepdesign(repweights, type, scale, rscales, mse)``: ``repweights=[...]`` or a column
  prefix with ``rep_type`` (:mod:`~lederuddannelse.stats.replicate`).
- **Domains, not subsets.** A missing value (NaN) in the analysed variable means "not asked" or
  "outside the domain": such rows stay in the design with zero contribution, like R's domain
  estimation (``svyby``, ``subset()``). Rows with a missing grouping variable join no group.
- **Unweighted variant.** ``weighted=False`` sets every weight to 1 and ignores the margins.
- **Small cells.** Tables pass :class:`~lederuddannelse.stats.disclosure.SuppressionPolicy`.

Degrees of freedom follow R: ``degf()`` of the domain for means and shares (PSUs minus strata;
``n_domain - 1`` for ``ids = ~1``), ``degf + 1 - p`` for ``svyglm`` coefficients.

Public API (all tables are tidy frames, already protected by the policy):

- ``proportion(var, by=None, total=False)``, ``mean(...)``: grouping columns, ``variable,
  estimate, se, ci_low, ci_high, df, n, N, deff, suppressed``; ``proportion_across``;
- ``distribution(var, by=None)``: as above plus ``category, n_category``;
- ``multi_response(vars, by=None, labels=None)``: grouping columns, ``rank, item, label, ...``;
- ``difference(var, by, a, b)``: ``estimate_a, estimate_b, estimate, se, ci_low, ci_high, df,
  t, p_value, n_a, n_b, N_a, N_b, suppressed``;
- ``chisq(row_var, col_var)`` (:mod:`~lederuddannelse.stats.association`);
- ``logistic(formula)``, ``linear(formula)`` (:mod:`~lederuddannelse.stats.models`, statsmodels'
  GLM), ``ordinal(formula)`` (:mod:`~lederuddannelse.stats.ordinal`): a :class:`ModelResult`
  with ``.table`` and ``.predict(profiles)``;
- ``describe_design()`` (a Danish sentence for the pages), ``degf()``."""

from __future__ import annotations

import copy
from typing import Any, Sequence

import numpy as np
import pandas as pd

from lederuddannelse.data.design_block import design_columns_like
from lederuddannelse.errors import EstimationError, ParameterError
from lederuddannelse.stats.association import chisq_test
from lederuddannelse.stats.bundle import DesignData, design_variance, given_arguments
from lederuddannelse.stats.columns import check_column, factorize, prop_ci, t_quantile, t_sf
from lederuddannelse.stats.disclosure import (
    DisclosureSpec,
    DomainPlan,
    LinkedSet,
    SuppressionPolicy,
    protect_across,
    table_spec,
    text_column,
)
from lederuddannelse.stats.domain import domain_means
from lederuddannelse.stats.models import fit_glm
from lederuddannelse.stats.ordinal import fit_ordinal
from lederuddannelse.stats.results import ModelResult

__all__ = ["SurveyDesign", "ModelResult"]


# ---------------------------------------------------------------------------- design
class SurveyDesign:
    """A survey sample (R's svydesign or svrepdesign), optionally raked, with its estimators.

    Parameters
    ----------
    df:
        One row per respondent.
    weights:
        Name of the weight column, a Series aligned with ``df``, or ``None`` (all weights 1, or
        raked from 1 when ``rake_margins`` is given).
    strata, psu, fpc, nest, lonely_psu:
        R's ``svydesign``: one strata column; one or two PSU columns (stages); fpc per stage as
        population sizes or fractions (none: with replacement); ``lonely_psu`` as R's
        ``survey.lonely.psu``, default ``"fail"`` (:mod:`~lederuddannelse.stats.structure`).
    repweights, rep_type, scale, rscales, mse, fay_rho, combined_weights:
        R's ``svrepdesign`` (:mod:`~lederuddannelse.stats.replicate`); ``repweights`` is a list
        of columns or a column-name prefix; ``rep_type`` is required.
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
        strata: str | None = None,
        psu: str | Sequence[str] | None = None,
        fpc: str | Sequence[str] | None = None,
        nest: bool = False,
        lonely_psu: str = "fail",
        repweights: str | Sequence[str] | None = None,
        rep_type: str | None = None,
        scale: float | None = None,
        rscales: Sequence[float] | float | None = None,
        mse: bool = False,
        fay_rho: float | None = None,
        combined_weights: bool = True,
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
        self._factors: dict = {}  # codes and float arrays of columns (_codes, _numeric)
        self.rake_margins = rake_margins if (weighted and rake_margins) else None

        w_file = np.ones(self.n)
        if not self.weighted and repweights is None:
            pass  # every weight is 1: the weight column is not read
        elif weights is None:
            if self.rake_margins:
                from lederuddannelse.data.weighting import rake

                w_file = rake(df, self.rake_margins).weights.to_numpy(dtype=float)
            else:
                w_file = np.ones(self.n)
        elif isinstance(weights, str):
            self._check_var(weights)
            w_file = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float)
        else:
            w_file = np.asarray(weights, dtype=float)
        # the extremes decide (NaN makes the smallest NaN): no n-row temporaries
        if w_file.shape != (self.n,) or not (w_file.min() > 0 and np.isfinite(w_file.max())):
            raise EstimationError(
                "Weights must be positive and finite, one per respondent; check the weight "
                "column (missing or zero weights?)."
            )
        w = w_file if self.weighted else np.ones(self.n)
        self.w = w
        args = dict(strata=strata, psu=psu, fpc=fpc, nest=nest, lonely_psu=lonely_psu,
                    repweights=repweights, rep_type=rep_type, scale=scale, rscales=rscales,
                    mse=mse, fay_rho=fay_rho, combined_weights=combined_weights)  # fmt: skip
        #: the sampling design's arguments as given (for a variant of this design)
        self.design_args = given_arguments(args)
        self.structure, self.variance, self.repweight_columns = design_variance(
            df, w, w_file, **args, rake_margins=self.rake_margins, weighted=self.weighted,
            absent=self.absent,
        )  # fmt: skip

    def describe_design(self) -> str:
        """A Danish sentence saying which design (and weighting) the estimates rest on."""
        text = self.structure.describe() if self.structure is not None else self.variance.describe()
        if self.rake_margins:
            text += " Den tager højde for, at vægtene er tilpasset populationen (raking)."
        looks = design_columns_like([str(c) for c in self.df.columns])
        if looks and self.structure is not None and self.structure.simple:
            cols = ", ".join(c for hits in looks.values() for c in hits[:3])
            text += (
                f" Bemærk: datafilen har kolonner, der ligner et stikprøvedesign ({cols}), men "
                "der er ikke angivet noget design; er stikprøven udtrukket i strata eller "
                "klynger, er den beregnede usikkerhed forkert."
            )
        return text

    def degf(self) -> float:
        """R's ``degf()`` of the design: PSUs minus strata (replicates: rank minus one)."""
        return self.variance.degf()

    def fit_data(self) -> DesignData:
        """What the models and tests need from this design (:class:`DesignData`)."""
        return DesignData(
            df=self.df,
            w=self.w,
            variance=self.variance,
            policy=self.policy,
            conf_level=self.conf_level,
            absent=self.absent,
            hidden=self.plan.hidden,
            reveals=self.plan.reveals,
            memo=self._factors,
        )

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
        # the old columns' codes hold; a model's preparation depends on the plan: made again
        out._factors = {k: v for k, v in self._factors.items() if k[:1] != ("model",)}
        return out

    def _check_var(self, var: str) -> None:
        check_column(self.df, var, self.absent)

    def _numeric(self, var: str) -> np.ndarray:
        """The column as floats (NaN: missing), read once per design and read-only."""
        if ("num", var) in self._factors:
            return self._factors[("num", var)]
        self._check_var(var)
        s = self.df[var]
        if s.dtype == bool or str(s.dtype) == "boolean":
            y = s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        elif not (pd.api.types.is_numeric_dtype(s)):
            raise EstimationError(
                f"Variable {var!r} is not numeric (dtype {s.dtype}); recode it to numbers "
                "(or 0/1 for a share) before estimating."
            )
        else:
            y = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
        y.flags.writeable = False
        self._factors[("num", var)] = y
        return y

    def _binary(self, var: str) -> np.ndarray:
        y, key = self._numeric(var), ("binary", var)  # checked once per design (read-only y)
        if key not in self._factors and not ((y == 0) | (y == 1) | np.isnan(y)).all():
            vals = np.unique(y[~np.isnan(y)])
            shown = ", ".join(f"{v:g}" for v in vals[:8])
            raise EstimationError(
                f"Variable {var!r} is not binary: a share needs values 0/1 (NaN = not asked), "
                f"but it has {shown}{' ...' if len(vals) > 8 else ''}. Recode it to 0/1 "
                "(e.g. (x == category)), or use mean() for a scale."
            )
        self._factors[key] = True
        return y

    def _codes(self, var: str) -> tuple[np.ndarray, list]:
        """:func:`factorize` of a column, once per design (its frame is not changed)."""
        if var not in self._factors:
            self._check_var(var)
            codes, levels = factorize(self.df[var])
            codes.flags.writeable = False
            self._factors[var] = (codes, levels)
        return self._factors[var]

    def _groups(self, by: str | Sequence[str] | None) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
        """Group codes per row (-1: no group) and a frame of group labels (one row per group)."""
        if by is None:
            if ("all",) not in self._factors:  # one group of every row (read-only)
                codes = np.zeros(self.n, dtype=np.int64)
                codes.flags.writeable = False
                self._factors[("all",)] = (codes, pd.DataFrame(index=[0]))
            codes, labels = self._factors[("all",)]
            return codes, labels, []
        by_list = [by] if isinstance(by, str) else list(by)
        if not 1 <= len(by_list) <= 2:
            raise EstimationError("'by' takes one or two grouping variables.")
        key = ("by", *by_list)
        if key not in self._factors:  # kept per design, read-only
            codes = np.zeros(self.n, dtype=np.int64)
            labels = pd.DataFrame(index=[0])
            for b in by_list:
                c, levels = self._codes(b)
                K = len(levels)
                if K == 0:
                    raise EstimationError(f"Grouping variable {b!r} has no values (all missing).")
                codes = np.where((codes < 0) | (c < 0), -1, codes * K + c)
                labels = labels.merge(pd.DataFrame({b: levels}), how="cross")
            codes.flags.writeable = False
            self._factors[key] = (codes, labels)
        codes, labels = self._factors[key]
        return codes, labels, by_list

    # ------------------------------------------------------------------ core domain estimator
    def _domain(self, y: np.ndarray, codes: np.ndarray, G: int) -> dict[str, np.ndarray]:
        """Weighted mean of y in each of G domains (:func:`~.domain.domain_means`)."""
        every = codes is self._factors.get(("all",), (None,))[0]  # no codes to read then
        keep = every and not y.flags.writeable  # what a (read-only) y fixes is kept per y
        memo = self._factors.setdefault(("one", id(y)), {"y": y}) if keep else None
        return domain_means(self.w, self.variance, y, None if every else codes, G, memo)

    def _table(self, *args, **kwargs) -> tuple[pd.DataFrame, DisclosureSpec]:
        """:meth:`_columns` as a frame (before the policy)."""
        cols, spec = self._columns(*args, **kwargs)
        return pd.DataFrame(cols), spec

    def _columns(
        self,
        labels: pd.DataFrame,
        r: dict[str, np.ndarray],
        var: str,
        binary: bool,
        by_list: list[str],
        keep: np.ndarray,
        total: dict | None = None,
        about_hidden: bool = False,
    ) -> tuple[dict[str, Any], DisclosureSpec]:
        """A table's columns (name -> array) and how it adds up, before the policy."""
        if binary:
            lo, hi = prop_ci(
                r["estimate"], r["se"], r["df"], r["n"], self.conf_level, self.ci_method
            )
        else:
            q = t_quantile(self.conf_level, r["df"])
            lo, hi = r["estimate"] - q * r["se"], r["estimate"] + q * r["se"]
        cols: dict[str, Any] = {c: labels[c].to_numpy()[keep] for c in labels.columns}
        m = int(keep.sum())
        keep = slice(None) if m == len(keep) else keep  # every row: views of r's own arrays
        cols["variable"] = text_column([var] * m)
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
        cols["_hidden"] = self.plan.rows_hidden(labels, by_list)[keep] | about_hidden
        if total is not None:
            for c in cols:
                cols[c] = np.append(
                    cols[c].astype(object) if c in labels.columns or c == "variable" else cols[c],
                    total[c],
                )
        return cols, table_spec(counted, tuple(by_list))

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
        about = self.plan.about_hidden(y, binary)
        if total and by_list:
            r0 = self._domain(y, np.where(codes >= 0, 0, -1), 1)
            lab = pd.DataFrame({b: [total_label] for b in by_list})
            t0 = self._table(lab, r0, var, binary, [], np.array([True]), about_hidden=about)[0]
            row = t0.iloc[0].to_dict()
            row["_total"] = True
            tot = row
        cols, spec = self._columns(labels, r, var, binary, by_list, keep, tot, about_hidden=about)
        return (pd.DataFrame(cols), spec) if raw else self.policy.apply_columns(cols, spec)

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

    def proportion_across(self, var: str, related: Sequence[str], by: str) -> pd.DataFrame:
        """:meth:`proportion` of ``var`` by ``by``, a group hidden for any of the exactly
        ``related`` variables (any = narrow + broad) hidden for all (``protect_across``)."""
        names = list(dict.fromkeys([var, *related]))
        raw = {v: self._estimate(v, by, True, False, "", raw=True) for v in names}
        return protect_across(raw, by, self.policy)[var]

    def mean(
        self,
        var: str,
        by: str | Sequence[str] | None = None,
        *,
        total: bool = False,
        total_label: str = "I alt",
    ) -> pd.DataFrame:
        """Weighted mean of ``var`` (e.g. the 1–5 desire scale); columns as :meth:`proportion`,
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
        ccodes, levels = self._codes(var)
        if not levels:
            raise EstimationError(f"Empty domain: {var!r} has no values (all missing).")
        codes, labels, by_list = self._groups(by)
        parts = []
        # the categories the plan hides book-wide are hidden here too (with their counts), and
        # so is every category of a variable asked only within a hidden group
        gone = self.plan.hidden(var)
        about = self.plan.about_hidden(np.where(ccodes < 0, np.nan, 0.0), False)
        for k, lev in enumerate(levels):
            y = np.where(ccodes < 0, np.nan, (ccodes == k).astype(float))
            r = self._domain(y, codes, len(labels))
            keep = r["n"] > 0
            t, _ = self._table(labels, r, var, True, by_list, keep)
            t.insert(len(by_list) + 1, "category", lev)
            t["n_category"] = t["_pos"]
            t["_cat_hidden"] = about or lev in gone
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
        cat_hidden = t.pop("_cat_hidden").to_numpy(dtype=bool)
        out = self.policy.apply(t.assign(_hidden=hidden | cat_hidden), spec)
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
        y = self._numeric(var)
        known = ~np.isnan(y)
        binary = bool(known.any() and ((y[known] == 0) | (y[known] == 1)).all())
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
        Z = np.column_stack([ra["wr"] / ra["N"][0] - rb["wr"] / rb["N"][0]])
        est = float(ra["estimate"][0] - rb["estimate"][0])
        ina, inb = ra["valid"], rb["valid"]
        yz = np.nan_to_num(y)

        def refit(wr: np.ndarray) -> np.ndarray:
            wa, wb = wr * ina, wr * inb
            return np.array([(wa @ yz) / wa.sum() - (wb @ yz) / wb.sum()])

        se = float(np.sqrt(self.variance.cov(Z, np.array([est]), refit)[0, 0]))
        df = self.variance.degf(ina | inb) - 1
        q = float(t_quantile(self.conf_level, df))
        tstat = est / se if se > 0 else np.nan
        p = float(2 * t_sf(abs(tstat), df)) if df > 0 and np.isfinite(tstat) else np.nan
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
        return chisq_test(self.fit_data(), row_var, col_var)

    # ------------------------------------------------------------------ regression models
    # The fitting code lives in lederuddannelse.stats.models; the variance in stats.variance.
    def logistic(self, formula: str) -> ModelResult:
        """Weighted logistic regression (R's ``svyglm(family = quasibinomial)``).

        ``formula`` is patsy syntax, e.g. ``"trained ~ C(sector) + C(size) + interest"``; rows
        with a missing value in any variable are outside the model's domain. ``.table`` has
        coefficients and odds ratios with design-based (sandwich, raking-aware if the design
        is) SEs; ``.predict(profiles)`` gives predicted probabilities with CIs.
        """
        return fit_glm(self.fit_data(), formula, "logistic")

    def linear(self, formula: str) -> ModelResult:
        """Weighted linear regression (R's ``svyglm(family = gaussian)``), sandwich SEs."""
        return fit_glm(self.fit_data(), formula, "linear")

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
        return fit_ordinal(self.fit_data(), formula, maxit)
