"""The methods chapter ("Om undersøgelsen"): questions, definitions, weighting, uncertainty,
the small-cell rule and the data behind this edition.

Why a module and not prose: the reader should see the rule the code ran, not a description
of what we meant to run. So the questionnaire table is rendered from the codebook, the
weighting numbers come from :func:`lederuddannelse.data.weighting.weighting_diagnostics` on the
weights this run used, the small-cell rule is :meth:`SuppressionPolicy.describe`, and the
description of the synthetic data is read from the data file's own metadata.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lederuddannelse.analysis.compare import wrap
from lederuddannelse.chapters.shared import DEFINITE
from lederuddannelse.data.codebook import Condition, load_codebook
from lederuddannelse.data.files import read_metadata
from lederuddannelse.data.targets import report_fact
from lederuddannelse.data.weighting import WeightingDiagnostics, weighting_diagnostics
from lederuddannelse.report.charts import histogram_chart
from lederuddannelse.report.fmt import (
    N_HEADING,
    SUPPRESSED,
    ci_heading,
    level_pct,
    n_is,
    number,
    pct,
    pct_range,
    points,
    share,
    share_ci,
)
from lederuddannelse.report.markup import md_text
from lederuddannelse.report.tables import plain_table
from lederuddannelse.stats.design import SurveyDesign
from lederuddannelse.stats.disclosure import DisclosureSpec, LinkedSet, SuppressionPolicy

#: Variables that are not questions (identification and the weight).
_NOT_QUESTIONS = ("id", "weight")
#: Number of bins of the weight histogram: enough to show the shape, few enough that most
#: bins hold many respondents (bins with fewer than min_count are suppressed).
WEIGHT_BINS = 20


@dataclass
class Methods:
    questions: pd.DataFrame  # one row per question (codebook order)
    weighting: WeightingDiagnostics
    weight_bins: pd.DataFrame  # bin_start, bin_end, respondents, share, suppressed
    se_compare: pd.DataFrame  # the trained share under three variance assumptions
    metadata: dict | None  # the generator's metadata (None for a real file)
    calibration: pd.DataFrame | None


# --- the questions ---------------------------------------------------------------------------
def condition_text(cond: Condition | None) -> str:
    """A routing condition in Danish from the codebook: 'Branche: Bygge og anlæg'."""
    cb = load_codebook()
    if cond is None:
        return "Alle"
    labels = cb.value_labels(cond.variable)

    # the answer's head ('Ja, psykisk arbejdsmiljø var …' -> 'Ja'), each once; a label whose
    # first part is more than one word is a name with a comma ('Offentlig administration,
    # undervisning og sundhed') and is kept whole
    def head(label: str) -> str:
        first = label.split(",")[0].strip()
        return first if " " not in first else label

    heads = dict.fromkeys(head(labels.get(v, str(v))) for v in cond.values)
    return f"{cb.label(cond.variable)}: {' eller '.join(heads)}"


def _answers_text(var) -> str:
    labels = list(var.codes.values())
    if not labels:
        return ""
    if len(labels) > 4:
        return f"{labels[0]} … {labels[-1]} ({number(len(labels))} kategorier)"
    return " / ".join(labels)


def questions(ch=None) -> pd.DataFrame:
    """The questionnaire as a table: variable, label, question, answers, who was asked."""
    cb = load_codebook()
    rows = []
    for name in cb.variables:
        var = cb.variable(name)
        if var.type in _NOT_QUESTIONS:
            continue
        rows.append(
            {
                "Variabel": name,
                "Betegnelse": var.label,
                "Spørgsmål": var.question,
                "Svarkategorier": _answers_text(var),
                "Stillet til": condition_text(var.applies_to),
            }
        )
    return pd.DataFrame(rows)


# --- weighting -------------------------------------------------------------------------------
def weight_histogram(weights: np.ndarray, policy: SuppressionPolicy, bins: int = WEIGHT_BINS):
    """Equal-width bins of the weights with the respondents and their share in each.

    Disclosure: the bins run from the mean of the ``min_n`` smallest weights to the mean of
    the ``min_n`` largest (weights beyond fall in the outermost bins), so that no edge is one
    respondent's weight; a bin with 1 to ``min_count - 1`` respondents is suppressed together
    with the smallest other bins until the hidden bins hold at least ``min_count`` (all bins
    add up to the number of respondents, which the page shows).
    """
    w = np.sort(np.asarray(weights, dtype=float))
    lo, hi = extreme_means(w, policy.min_n)
    if not hi > lo:
        hi = lo + 1.0
    counts, edges = np.histogram(np.clip(w, lo, hi), bins=bins, range=(lo, hi))
    table = pd.DataFrame(
        {
            "bin_start": np.round(edges[:-1], 2),
            "bin_end": np.round(edges[1:], 2),
            "respondents": counts.astype(float),
            "share": np.round(counts / counts.sum(), 4),
            "_count": counts.astype(float),
        }
    )
    spec = DisclosureSpec(
        size=(),
        shown_counts=("respondents",),
        sides=("_count",),
        mask=("share",),
        sets=(LinkedSet((), "respondents", "min_count"),),
    )
    return policy.apply(table, spec)


def extreme_means(weights: np.ndarray, k: int) -> tuple[float, float]:
    """Means of the ``k`` smallest and the ``k`` largest weights: the weight range the book
    shows instead of the minimum and maximum, which are single respondents' weights."""
    w = np.sort(np.asarray(weights, dtype=float))
    k = max(1, min(int(k), len(w)))
    return float(w[:k].mean()), float(w[-k:].mean())


def se_comparison(ch) -> pd.DataFrame:
    """The share trained (this run's definition) under three variance assumptions.

    Shows the reader what the `raking_se` and `weighted` parameters change: raking-aware SEs
    (R's rake() design), the same weights treated as fixed, and the unweighted estimate.
    """
    cb = load_codebook()
    p = ch.params
    common = dict(conf_level=p["conf_level"], policy=ch.design.policy, **ch.design.design_args)
    designs = [
        (
            "Vægtet, standardfejl tager højde for rakingen",
            SurveyDesign(ch.data, "weight", rake_margins=ch.rake.margins, **common),
        ),
        ("Vægtet, vægtene behandles som faste", SurveyDesign(ch.data, "weight", **common)),
        ("Uvægtet", SurveyDesign(ch.data, "weight", weighted=False, **common)),
    ]
    rows = []
    for key, (name, design) in zip(("raking", "fixed", "unweighted"), designs):
        est = design.proportion(ch.trained)
        est.insert(0, "metode", name)
        est.insert(0, "key", key)
        rows.append(est)
    out = pd.concat(rows, ignore_index=True)
    out["variable"] = cb.label(ch.trained)
    return out


def _level_rows(cb) -> list[tuple[str, str, str, str, float, str]]:
    """Every level in ``data/targets.yml``: (id, finding, indicator in words, among whom,
    level, kind): the targets, then each assumed level of ``assumed_levels`` (the reasons and
    barriers among those asked, each point of the desire scale among all managers)."""
    from lederuddannelse.data.targets import ASSUMED_LEVEL_FINDINGS, assumed_levels, load_targets

    def among(domain: str) -> str:
        return "Alle ledere" if domain == "all" else condition_text(Condition.parse(domain))

    rows = [
        (
            tid,
            t.finding,
            cb.label(t.indicator) if t.indicator in cb else tid,
            among(t.domain),
            t.share,
            t.kind,
        )
        for tid, t in load_targets().items()
    ]
    levels = assumed_levels()
    for group in ("reasons", "barriers"):
        finding = ASSUMED_LEVEL_FINDINGS[group]
        for name, level in (levels.get(group) or {}).items():
            asked = cb.variable(name).applies_to
            rows.append(
                (name, finding, cb.label(name), condition_text(asked), float(level), "assumed")
            )
    points = cb.value_labels("desire")
    finding = ASSUMED_LEVEL_FINDINGS["desire"]
    for point, level in (levels.get("desire") or {}).items():
        label = f"{cb.label('desire')}: {points.get(int(point), point)}"
        rows.append((f"desire_{point}", finding, label, "Alle ledere", float(level), "assumed"))
    return rows


def _calibration(meta: dict | None) -> pd.DataFrame | None:
    """Every level the synthetic data were calibrated to (``data/targets.yml``: the report's
    published figures and every level this edition assumed) vs what the synthetic population
    achieved, in Danish; each level says whether the report published it or this edition
    assumed it."""
    if not meta or "calibration" not in meta:
        return None
    from lederuddannelse.data.targets import KIND_LABELS

    cb = load_codebook()
    achieved = meta["calibration"]
    rows = [
        {
            "Fund": finding,
            "Indikator": label,
            "Blandt": among,
            "Niveau": pct(level, 1),
            "Niveauets kilde": KIND_LABELS[kind].capitalize(),
            "Opnået i den syntetiske population": pct(achieved[tid]["population"], 1)
            if tid in achieved
            else "–",
        }
        for tid, finding, label, among, level, kind in _level_rows(cb)
    ]
    return pd.DataFrame(rows)


def compute(ch) -> Methods:
    diag = weighting_diagnostics(ch.data, ch.rake)
    meta = read_metadata(ch.data_path)
    return Methods(
        questions=questions(),
        weighting=diag,
        weight_bins=weight_histogram(ch.rake.weights.to_numpy(), ch.design.policy),
        se_compare=se_comparison(ch),
        metadata=meta,
        calibration=_calibration(meta),
    )


# --- glue ------------------------------------------------------------------------------------
def glue_all(ch, res: Methods) -> None:
    """Glue every number and rule the prose uses (Danish formatting)."""
    cb = load_codebook()
    p = ch.params
    d = res.weighting
    ch.glue("om_n", number(len(ch.data)))
    ch.glue("om_report_n", number(report_fact("respondents_over")))
    ch.glue("om_n_questions", number(len(res.questions)))
    # definitions
    codes = cb.value_labels("training")
    ch.glue("om_training_question", f"»{cb.question('training')}«")
    ch.glue("om_code_narrow", f"»{codes[1]}«")
    ch.glue("om_code_broad", f"»{codes[2]}«")
    ch.glue("om_definition", DEFINITE[p["definition"]])
    # weighting
    names = [cb.label(v).lower() for v in ch.rake.margins]
    listed = ", ".join(names[:-1]) + " og " + names[-1] if len(names) > 1 else names[0]
    ch.glue("om_weight_vars", listed)
    ch.glue("om_population", number(d.value("sum_of_weights")))
    ch.glue("om_population_source", population_source())
    ch.glue("om_iterations", number(d.value("iterations")))
    ch.glue("om_neff", number(d.value("kish_n_eff")))
    ch.glue("om_deff_w", number(d.value("deff_weighting"), 2))
    k = min(ch.design.policy.min_n, len(ch.data))
    low, high = extreme_means(ch.rake.weights.to_numpy(), k)
    ch.glue("om_wk", number(k))
    ch.glue("om_wlow", number(low, 1))
    ch.glue("om_whigh", number(high, 1))
    ch.glue("om_wmedian", number(d.value("median"), 1))
    ch.glue("om_wratio", number(high / low, 1))
    trimmed = int(d.value("trimmed"))
    ch.glue(
        "om_trimmed",
        "ingen vægte"
        if trimmed == 0
        else f"under {number(ch.design.policy.min_count)} vægte"
        if trimmed < ch.design.policy.min_count
        else f"{number(trimmed)} vægte",
    )
    shown = visible_margins(ch, res)
    m = shown.assign(absdiff=shown["unweighted_diff_pp"].abs())
    worst = m[~m["suppressed"]].sort_values("absdiff", ascending=False).iloc[0]
    ch.glue("om_worst_category", f"kategorien »{worst['label'].lower()}«")
    ch.glue("om_worst_sample", pct(worst["unweighted_share"]))
    ch.glue("om_worst_population", pct(worst["population_share"]))
    worst_after = float(d.margins["weighted_diff_pp"].abs().max())
    ch.glue(
        "om_max_after",
        "rammer alle andele populationens (afvigelserne er under en tiendedel procentpoint)"
        if worst_after < 0.05
        else f"afviger ingen andel mere end {points(worst_after / 100, 1)} fra populationens",
    )
    from lederuddannelse.data.weighting import margin_kinds

    kinds = margin_kinds()

    def variables(kind: str) -> str:
        found = sorted({v for (v, _), k in kinds.items() if k == kind})
        return " og ".join(cb.label(v).lower() for v in found)

    assumed, derived = variables("assumed"), variables("derived")
    ch.glue(
        "om_assumed_margins",
        " ".join(
            part
            for part in (
                f"Fordelingen på {assumed} er denne udgaves antagelse, fordi der ikke er fundet "
                "offentlige tal for ledere."
                if assumed
                else "",
                f"Fordelingen på {derived} er afledt af offentlige tal fra forskellige år og er "
                "derfor omtrentlig."
                if derived
                else "",
                "Kolonnen »Populationstallets kilde« viser for hver andel, hvor den kommer fra."
                if assumed or derived
                else "Alle populationstal er offentlig statistik.",
            )
            if part
        ),
    )
    ch.glue(
        "om_weighted_run",
        "Alle skøn i bogen er vægtede."
        if p["weighted"]
        else "Skønnene her er uvægtede (parameteren weighted). Vægtene er beskrevet, men "
        "skønnene bruger dem ikke, så de viser, hvad vægtningen ændrer.",
    )
    # uncertainty
    ch.glue("om_conf", level_pct(p["conf_level"]))
    ch.glue(
        "om_raking_run",
        "I denne kørsel er tallene uvægtede, så standardfejlene bygger ikke på vægte, og "
        "parameteren raking_se har ingen virkning."
        if not p["weighted"]
        else "Bogens standardfejl tager højde for rakingen (parameteren raking_se)."
        if p["raking_se"]
        else "Standardfejlene her behandler vægtene som faste (parameteren raking_se), og de "
        "bliver da typisk en anelse større.",
    )
    s = res.se_compare.set_index("key")
    for key in ("raking", "fixed"):
        r = s.loc[key]
        ch.glue(f"om_se_{key}", SUPPRESSED if r["suppressed"] else points(r["se"], 2))
    for key in ("raking", "unweighted"):
        r = s.loc[key]
        ch.glue(f"om_est_{key}", share(r))
        ch.glue(f"om_est_{key}_ci", share_ci(r, p["conf_level"]))
    ratio = s.loc["fixed", "se"] / s.loc["raking", "se"]
    ch.glue(
        "om_se_ratio",
        SUPPRESSED
        if not np.isfinite(ratio)
        else f"{pct(abs(ratio - 1))} {'større' if ratio >= 1 else 'mindre'}",
    )
    # small cells
    ch.glue("om_policy", ch.design.policy.describe())
    ch.glue("om_design", ch.design.describe_design())  # which design the numbers rest on
    # data
    meta = res.metadata
    if ch.synthetic and meta:
        ch.glue(
            "om_data_source",
            "Denne udgave bygger på et syntetisk datasæt med "
            f"{number(meta.get('n', len(ch.data)))} "
            f"besvarelser, trukket fra en syntetisk population på "
            f"{number(meta.get('population_size', 0))} ledere (generatorens startværdi, seed: "
            f"{meta.get('seed', '–')}, pakkeversion {meta.get('package_version', '–')}).",
        )
    else:
        ch.glue(
            "om_data_source",
            f"Tallene bygger på datafilen »{md_text(ch.data_path.name)}« med "
            f"{number(len(ch.data))} besvarelser. Filen er ikke lavet af bogens generator, så "
            "afsnittet nedenfor beskriver, hvordan bogens indbyggede data er lavet, ikke denne "
            "fil.",
        )


# --- figures and tables ----------------------------------------------------------------------
def questions_table(ch, res: Methods):
    return plain_table(
        res.questions, caption="Spørgeskemaets variable (fra kodebogen)", uid="om-spoergsmaal"
    )


def visible_margins(ch, res: Methods) -> pd.DataFrame:
    """The weighting margins as published: categories hidden book-wide (too few respondents,
    and their complements; see :class:`~lederuddannelse.stats.disclosure.DomainPlan`) show no
    count, no unweighted share and no deviation, since share x respondents gives the count.
    Shares are rounded to 0.1 percentage point, deviations to 0.1 point."""
    m = res.weighting.margins.copy()
    hidden = np.zeros(len(m), dtype=bool)
    for var in m["variable"].unique():
        rows = (m["variable"] == var).to_numpy()
        hidden |= rows & m["category"].isin(list(ch.design.plan.hidden(var))).to_numpy()
    small = ((m["respondents"] > 0) & (m["respondents"] < ch.design.policy.min_count)).to_numpy()
    hidden |= small
    for c in ("population_share", "unweighted_share", "weighted_share"):
        m[c] = m[c].round(3)
    for c in ("unweighted_diff_pp", "weighted_diff_pp"):
        m[c] = m[c].round(1) + 0.0
    m["respondents"] = m["respondents"].astype("Int64")
    m.loc[hidden, ["unweighted_share", "unweighted_diff_pp"]] = np.nan
    m.loc[hidden, "respondents"] = pd.NA
    m["suppressed"] = hidden
    return m


#: How the margins table names the kind of each population share (from margins.csv).
MARGIN_KIND_TEXT = {
    "statistics": "Offentlig statistik",
    "derived": "Afledt af offentlig statistik fra forskellige år",
    "assumed": "Antaget i denne udgave",
}


#: The works on the page "Litteratur" (references.bib) that a source of data/margins.csv names:
#: (words of the source, the work's BibTeX key, how the text names it, the year of the figures).
CITED_SOURCES = (
    ("statistics denmark 2016", "danmarksstatistik2019", "Danmarks Statistik 2019", "2016"),
)


def _cited(source: str) -> tuple[str, str, str, str] | None:
    return next((c for c in CITED_SOURCES if c[0] in source.lower()), None)


def _publisher_year(source: str) -> str:
    """'Danmarks Statistik 2019, tal for 2016' for a source of margins.csv that a work of the
    bibliography documents; else the publisher and year it names ('' if it names no year)."""
    import re

    cited = _cited(source)
    if cited:
        return f"{cited[2]}, tal for {cited[3]}"
    year = re.search(r"\b(19|20)\d\d\b", source)
    if not year:
        return ""
    publisher = "Danmarks Statistik, " if "statistics denmark" in source.lower() else ""
    return f"{publisher}{year.group(0)}"


def margin_source_text(kind: str, source: str) -> str:
    """A population share's source in the reader's words: its kind, and for published
    statistics the publisher and year the source of margins.csv names ('Offentlig statistik
    (Danmarks Statistik 2019, tal for 2016)')."""
    text = MARGIN_KIND_TEXT[kind]
    where = _publisher_year(source) if kind == "statistics" else ""
    return f"{text} ({where})" if where else text


def population_source() -> str:
    """Where the population total comes from, with year, from the published statistics of
    margins.csv (all its variables share one total): 'tallet er omtrentligt og gælder 2016
    (Danmarks Statistik 2019)', cited as the work on the page "Litteratur" (glued text cannot
    carry a citation role, so the citation is written out)."""
    from lederuddannelse.data.weighting import margin_sources

    published = [s for kind, s in margin_sources().values() if kind == "statistics"]
    cited = next((c for c in map(_cited, published) if c), None)
    if cited:
        return f"tallet er omtrentligt og gælder {cited[3]} ({cited[2]})"
    where = next((w for w in map(_publisher_year, published) if w), "")
    if not where:
        return "tallet er summen af populationstallene i data/margins.csv"
    return f"tallet er fra {where} og er omtrentligt"


def margins_frame(ch, res: Methods) -> pd.DataFrame:
    """Margins before and after weighting, Danish columns; small groups suppressed. Each
    population share says whether it is published statistics or this edition's assumption."""
    from lederuddannelse.data.weighting import margin_sources

    m = visible_margins(ch, res)
    sources = margin_sources()
    return pd.DataFrame(
        {
            "Vægtningsvariabel": m["variable_label"],
            "Kategori": m["label"],
            "Populationen": [pct(v, 1) for v in m["population_share"]],
            "Populationstallets kilde": [
                margin_source_text(*sources.get((v, int(c)), ("assumed", "")))
                for v, c in zip(m["variable"], m["category"])
            ],
            "Stikprøven (uvægtet)": [
                SUPPRESSED if s else pct(v, 1)
                for v, s in zip(m["unweighted_share"], m["suppressed"])
            ],
            "Efter vægtning": [pct(v, 1) for v in m["weighted_share"]],
            N_HEADING: [
                SUPPRESSED if s else number(r) for r, s in zip(m["respondents"], m["suppressed"])
            ],
        }
    )


def margins_table(ch, res: Methods):
    return plain_table(
        margins_frame(ch, res),
        caption="Fordeling på vægtningsvariablene før og efter vægtning",
        uid="om-marginaler",
    )


def margins_download(ch, res: Methods) -> pd.DataFrame:
    return (
        visible_margins(ch, res)
        .drop(columns=["variable"])
        .rename(
            columns={
                "variable_label": "vaegtningsvariabel",
                "category": "kode",
                "label": "kategori",
                "population_share": "andel_population",
                "unweighted_share": "andel_uvaegtet",
                "weighted_share": "andel_vaegtet",
                "respondents": "antal_svar",
                "unweighted_diff_pp": "afvigelse_uvaegtet_pp",
                "weighted_diff_pp": "afvigelse_vaegtet_pp",
                "suppressed": "undertrykt",
            }
        )
    )


def weights_chart(ch, res: Methods):
    """Figure: the distribution of the raked weights, with the effective sample size."""
    d = res.weighting
    chart = histogram_chart(
        res.weight_bins,
        title=wrap(
            f"De fleste vægte ligger mellem {number(res.weight_bins['bin_start'].iloc[0], 1)} og "
            f"{number(res.weight_bins['bin_end'].iloc[-1], 1)}; "
            f"den effektive stikprøve er {number(d.value('kish_n_eff'))} besvarelser",
            55,
        ),
        subtitle=[
            f"Fordeling af vægtene efter raking. {n_is(d.value('n'))}. Yderste søjler: "
            f"gennemsnittet af de {number(min(ch.design.policy.min_n, int(d.value('n'))))} "
            "mindste/største vægte og alt derunder/derover.",
            f"Kilde: {ch.source_line}",
        ],
        x_title="Vægt (antal ledere i populationen, som en besvarelse repræsenterer)",
    )
    return chart


def weights_download(res: Methods) -> pd.DataFrame:
    return res.weight_bins.rename(
        columns={
            "bin_start": "vaegt_fra",
            "bin_end": "vaegt_til",
            "respondents": "antal_svar",
            "share": "andel",
            "suppressed": "undertrykt",
        }
    )


def weight_summary_table(ch, res: Methods):
    """The weight summary (Kish n_eff, deff, percentiles, iterations) as a table."""
    d = res.weighting
    policy = ch.design.policy
    s = d.summary.set_index("measure")["value"].to_dict()
    n = int(s["n"])
    k = max(1, min(policy.min_n, n))
    s["low"], s["high"] = extreme_means(ch.rake.weights.to_numpy(), k)
    s["ratio"] = s["high"] / s["low"]
    names = {
        "n": ("Antal besvarelser", 0),
        "sum_of_weights": ("Sum af vægte (ledere i populationen)", 0),
        "mean": ("Gennemsnitlig vægt", 1),
        "low": (f"Gennemsnit af de {number(k)} mindste vægte", 1),
        "median": ("Median", 1),
        "high": (f"Gennemsnit af de {number(k)} største vægte", 1),
        "ratio": ("Forhold mellem de to gennemsnit", 1),
        "cv": ("Variationskoefficient", 2),
        "kish_n_eff": ("Effektiv stikprøvestørrelse (Kish)", 0),
        "deff_weighting": ("Designeffekt af vægtningen (1 + CV²)", 2),
        "iterations": ("Iterationer i rakingen", 0),
    }
    if 0.05 * n >= policy.min_n:  # a percentile with at least min_n respondents beyond it
        names = {
            **{key: names[key] for key in ("n", "sum_of_weights", "mean", "low")},
            "p05": ("5. percentil", 1),
            "median": names["median"],
            "p95": ("95. percentil", 1),
            **{key: names[key] for key in list(names)[5:]},
        }
    rows = [{"Mål": lab, "Værdi": number(s[key], dec)} for key, (lab, dec) in names.items()]
    trimmed = int(s.get("trimmed", 0))
    rows.append(
        {
            "Mål": "Trimmede vægte",
            "Værdi": f"under {number(policy.min_count)}"
            if 0 < trimmed < policy.min_count
            else number(trimmed),
        }
    )
    frame = pd.DataFrame(rows)
    return plain_table(frame, caption="Vægtene efter raking", uid="om-vaegte-resume")


def se_table(ch, res: Methods):
    """The trained share under three variance assumptions: estimate, CI, SE, deff, n."""
    rows = []
    for _, r in res.se_compare.iterrows():
        hidden = bool(r["suppressed"])
        rows.append(
            {
                "Beregning": r["metode"],
                "Andel": SUPPRESSED if hidden else pct(r["estimate"], 1),
                ci_heading(ch.params["conf_level"]): ""
                if hidden
                else pct_range(r["ci_low"], r["ci_high"], 1),
                "Standardfejl (procentpoint)": "" if hidden else number(100 * r["se"], 2),
                "Designeffekt": "" if hidden else number(r["deff"], 2),
                N_HEADING: number(r["n"]),
            }
        )
    return plain_table(
        pd.DataFrame(rows),
        caption=f"{load_codebook().label(ch.trained)}: tre måder at beregne usikkerheden",
        uid="om-standardfejl",
    )


def calibration_table(ch, res: Methods):
    if res.calibration is None:
        return None
    return plain_table(
        res.calibration,
        caption="Kalibreringsmål for de syntetiske data og det opnåede niveau i populationen",
        uid="om-kalibrering",
    )


def key_figures(ch, res: Methods) -> list:
    """The chapter's opening numbers: answers, questions, the effective sample size after
    weighting, and the population the weights add up to."""
    from lederuddannelse.report.keyfigures import KeyFigure

    d = res.weighting
    return [
        KeyFigure(number(len(ch.data)), "besvarelser ligger til grund for tallene"),
        KeyFigure(number(len(res.questions)), "spørgsmål i spørgeskemaet"),
        KeyFigure(
            number(d.value("kish_n_eff")),
            "effektiv stikprøvestørrelse efter vægtning",
            interval=f"Designeffekt af vægtningen: {number(d.value('deff_weighting'), 2)}",
        ),
        KeyFigure(
            number(d.value("sum_of_weights")),
            "ledere i populationen, som vægtene repræsenterer",
            interval=population_source()[:1].upper() + population_source()[1:],
        ),
    ]
