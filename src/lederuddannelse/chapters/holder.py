"""The page "Holder konklusionerne?" (08_holder): the claims ledger and its presentation.

The checks themselves (what each finding F1a-F14 says, its estimate and criterion, whether it
holds) are in :mod:`lederuddannelse.analysis.findings`; this module runs them under the
robustness variants, tabulates the verdicts, glues the counts for the prose and draws the
figure of the report's levels.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from lederuddannelse.analysis.compare import subtitle
from lederuddannelse.analysis.findings import (
    ALPHA,
    DEFINITION_DEPENDENT,
    ROBUSTNESS,
    TEST,
    Evidence,
    Finding,
    evaluate,
    interval_covers,
    report_level,
    variant,
)
from lederuddannelse.chapters.shared import (
    ASSUMED_MARK_NOTE,
    STATUS_TEXT,
    estimate_with_kind,
    short_label,
    status,
)
from lederuddannelse.data.codebook import load_codebook
from lederuddannelse.report.fmt import SUPPRESSED, count_of, level_pct, number

# Chapters (slugs) that show each finding in detail; the ledger links to their pages
CHAPTER_OF = {
    "F1a": ("udbredelse",),
    "F1b": ("udbredelse",),
    "F2": ("udbredelse",),
    "F3": ("motiver", "hvem", "lyst"),
    "F4": ("udbredelse",),
    "F5": ("lyst",),
    "F6": ("lyst",),
    "F7": ("lyst",),
    "F8": ("hvem", "ledertype"),
    "F9": ("motiver", "ledertype"),
    "F10": ("hvem",),
    "F11": ("udbredelse",),
    "F12": ("lyst",),
    "F13": ("motiver", "sektor"),
    "F14": ("motiver", "sektor"),
}


# ---------------------------------------------------------------------------- the ledger
NOT_APPLICABLE = "–"


def variants(ch) -> dict[str, Any]:
    """The robustness runs of the ledger: column title -> Chapter-like object.

    The chapter's own parameters first; then the narrow and broad definition (when different
    from the chapter's) and the other weighting.
    """
    out = {"Standard": ch}
    for d, title in (
        ("any", "Samlet definition"),
        ("narrow", "Smal definition"),
        ("broad", "Bred definition"),
    ):
        if ch.params["definition"] != d:
            out[title] = variant(ch, definition=d)
    other = not ch.params["weighted"]
    out["Vægtet" if other else "Uvægtet"] = variant(ch, weighted=other)
    return out


def ledger(ch) -> tuple[pd.DataFrame, dict[str, Finding]]:
    """The claims ledger: one row per finding with the report's statement, this edition's
    estimate, the criterion and the status under each variant; plus the default findings.

    A definition variant is only evaluated for the findings whose population depends on the
    definition (:data:`DEFINITION_DEPENDENT`); other cells are '–'.
    """
    runs = variants(ch)
    base = evaluate(ch)
    rows = []
    others = {
        title: evaluate(v)
        if v.params["definition"] == ch.params["definition"]
        else evaluate(v, DEFINITION_DEPENDENT)
        for title, v in list(runs.items())[1:]
    }
    for fid, f in base.items():
        row = {
            "Fund": fid,
            "Rapporten": f.statement,
            "Denne udgave": estimate_with_kind(ch, f),
            "Kriterium": f.criterion,
            "Standard": status(f.holds),
        }
        for title, res in others.items():
            row[title] = status(res[fid].holds) if fid in res else NOT_APPLICABLE
        rows.append(row)
    return pd.DataFrame(rows), base


def counts(table: pd.DataFrame, column: str = "Standard") -> dict[str, int]:
    """How many findings hold, do not hold, or cannot be decided in a ledger column."""
    col = table[column]
    return {
        "holds": int((col == STATUS_TEXT[True]).sum()),
        "fails": int((col == STATUS_TEXT[False]).sum()),
        "undecided": int((col == STATUS_TEXT[None]).sum()),
        "total": int((col != NOT_APPLICABLE).sum()),
    }


# ---------------------------------------------------------------------------- presentation
def scope_notice(ch) -> None:
    """Say what the ledger means on the data in use: on the synthetic data it checks the
    machinery (the data were calibrated to the report, so most claims should hold); on a real
    file it is an audit of the report."""
    from IPython.display import Markdown, display

    if ch.synthetic:
        text = (
            ":::{admonition} Hvad efterprøvningen viser her\n:class: note\n"
            "Denne udgave kører på syntetiske data. De er kalibreret til rapportens "
            "offentliggjorte tal og til denne udgaves egne antagelser, hvor rapporten ikke "
            "giver et tal, og de sammenhænge, rapporten beskriver, er bygget ind i dem. At et "
            "fund holder, følger derfor af, hvordan data er lavet. Det bekræfter kun, at "
            "beregningerne genfinder det, data er bygget til at vise, og siger intet om "
            "rapportens holdbarhed. Kører bogen på rapportens egne mikrodata, bliver kapitlet en "
            "**efterprøvning af rapporten**, hvor hvert udsagn prøves med de kriterier, der står "
            "i tabellen.\n:::"
        )
    else:
        text = (
            ":::{admonition} Efterprøvning af rapporten\n:class: important\n"
            "Denne udgave kører på en rigtig datafil. Hvert af rapportens udsagn prøves derfor "
            "på datafilen med de kriterier, der står i tabellen, og under hver "
            "robusthedsvariant, så tabellen er en **efterprøvning af rapporten**.\n:::"
        )
    display(Markdown(text))


def _ids(ids: list[str]) -> str:
    """'F2', 'F2 og F11', 'F1a, F2 og F11'."""
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} og {ids[-1]}"


#: A robustness column of the ledger as an adverbial for prose.
VARIANT_WORDS = {
    "Samlet definition": "med den samlede definition",
    "Smal definition": "med den smalle definition",
    "Bred definition": "med den brede definition",
    "Uvægtet": "uden vægte",
    "Vægtet": "med vægte",
}


#: Why a finding cannot be decided, as the end of »… kan ikke afgøres med disse data, fordi …«.
WHY_UNDECIDED = {
    "small": "et tal er undertrykt efter reglen om små celler",
    "model": "en model ikke kan estimeres",
    "interval": "konfidensintervallet omfatter en grænse i kriteriet",
    "absent": "datafilen mangler et spørgsmål, fundet bygger på",
}


def why_undecided(f: Finding) -> tuple[str, str]:
    """The reason ``f`` cannot be decided (a key of :data:`WHY_UNDECIDED`) and the size of the
    part that leaves it open ('' if none)."""
    open_parts = [c for c in f.components if c.role == TEST and c.holds is None]
    sizes = [f.estimate, *(c.size for c in open_parts)]
    if any(SUPPRESSED in text for text in sizes):
        return "small", ""
    if "kan ikke estimeres" in f.estimate:
        return "model", ""
    if open_parts:
        return "interval", open_parts[0].size
    return "absent", ""


def result_text(table: pd.DataFrame, base: dict[str, Finding]) -> str:
    """The findings that do not hold and those the data cannot decide, in sentences; for the
    latter, the reason that applies (:func:`why_undecided`) and the interval that leaves it
    open."""
    out = []
    failing = list(table.loc[table["Standard"] == STATUS_TEXT[False], "Fund"])
    if failing:
        out.append(f"{_ids(failing)} holder ikke.")
    undecided = list(table.loc[table["Standard"] == STATUS_TEXT[None], "Fund"])
    reasons = {fid: why_undecided(base[fid]) for fid in undecided}
    for key, why in WHY_UNDECIDED.items():
        ids = [fid for fid in undecided if reasons[fid][0] == key]
        if not ids:
            continue
        out.append(f"{_ids(ids)} kan ikke afgøres med disse data, fordi {why}.")
        if key == "interval":
            sizes = [f"{reasons[fid][1]} for {fid}" for fid in ids]
            out.append(
                f"Skønnet er {_ids(sizes)}; tabellen »Hvert fund delt op« viser, hvilken del "
                "der er åben."
            )
    return " ".join(out) or "Alle fund kan afgøres med disse data."


def variants_text(table: pd.DataFrame, variant_cols: list[str]) -> str:
    """'Med den smalle definition holder 5 af 6 fund, med den brede definition 4 af 6 og uden
    vægte 13 af 15.': the ledger's robustness columns in one sentence."""
    parts = []
    for k, col in enumerate(variant_cols):
        cv = counts(table, col)
        words = VARIANT_WORDS.get(col, col.lower())
        held = f"{number(cv['holds'])} af {number(cv['total'])}"
        parts.append(f"{words} holder {held} fund" if k == 0 else f"{words} {held}")
    if not parts:
        return ""
    text = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} og {parts[-1]}"
    return f"{text[:1].upper()}{text[1:]}."


def glue_ledger(ch, table: pd.DataFrame, base: dict[str, Finding]) -> None:
    """Glue the ledger's counts for the prose: 'x af y fund holder', per variant, and the IDs
    of the findings that do not hold or cannot be decided (and why, from ``base``)."""
    c = counts(table)
    ch.glue("holder_holds", number(c["holds"]))
    ch.glue("holder_total", number(c["total"]))
    ch.glue("holder_result", result_text(table, base))
    variant_cols = [
        col
        for col in table.columns
        if col not in ("Fund", "Rapporten", "Denne udgave", "Kriterium", "Standard")
    ]
    ch.glue("holder_variants", variants_text(table, variant_cols))
    changed = [
        fid
        for fid, row in table.set_index("Fund").iterrows()
        if any(row[col] not in (row["Standard"], NOT_APPLICABLE) for col in variant_cols)
    ]
    ch.glue(
        "holder_changed",
        f"Status skifter under mindst én variant for {_ids(changed)}."
        if changed
        else "Intet fund skifter status under varianterne.",
    )
    ch.glue("holder_alpha", number(ALPHA, 2))
    ch.glue("holder_def_dependent", _ids(list(DEFINITION_DEPENDENT)))
    ch.glue("holder_dash_text", dash_text())
    ch.glue("holder_level", level_pct(ch.params["conf_level"]))


#: Why a finding is not recomputed under the other definitions (a dash in their columns):
#: every finding not in :data:`DEFINITION_DEPENDENT`, with its reason.
DEFINITION_FREE = {
    "F1a": "fixed",
    "F1b": "fixed",
    "F11": "fixed",
    "F9": "untrained",
    "F13": "untrained",
    "F5": "all",
    "F6": "all",
    "F7": "all",
    "F12": "all",
}
_DASH_REASONS = {
    "fixed": "er i rapporten selv knyttet til en bestemt definition",
    "untrained": "bygger på spørgsmål, der er stillet til alle ledere eller kun til ledere "
    "uden nogen af uddannelserne",
    "all": "gælder alle ledere, uanset uddannelse",
}


def dash_text() -> str:
    """What the dashes in the ledger's definition columns mean, finding by finding."""
    parts = []
    for key, why in _DASH_REASONS.items():
        ids = [fid for fid, k in DEFINITION_FREE.items() if k == key]
        parts.append(f"{_ids(ids)} {why}.")
    return (
        "En tankestreg i kolonnerne for definitionerne betyder, at fundet ikke afhænger af "
        f"definitionen og derfor ikke beregnes igen. {' '.join(parts)}"
    )


TEXT_COLUMNS = ("Rapporten", "Denne udgave", "Kriterium")


#: Findings whose definition the report names (checked under it whatever the run's): their
#: verdicts link to the page under that definition.
FIXED_DEFINITION = {"F1a": "any", "F11": "broad"}
#: The ledger's definition columns and the definition each shows.
DEFINITION_COLUMNS = {
    "Samlet definition": "any",
    "Smal definition": "narrow",
    "Bred definition": "broad",
}


def _title(slug: str) -> str:
    """A chapter's title from its source's first heading, without glued parts."""
    import re

    from lederuddannelse.params import chapter_source

    try:
        text = chapter_source(slug).read_text(encoding="utf-8")
    except Exception:  # a listed chapter without its file: the build will say so
        return slug.capitalize()
    m = re.search(r"^# (.+)$", text, re.M)
    title = re.sub(r"\{glue(:\w+)?\}`[^`]*`", "", m.group(1)).strip() if m else ""
    return title or slug.capitalize()


def page_for(slug: str, definition: str | None) -> str | None:
    """The page (name) of chapter ``slug`` under ``definition``: its variant page if the
    chapter is published per definition, else its first page; None if not in this build."""
    from lederuddannelse.params import load_parameters
    from lederuddannelse.variants import definition_pages

    chapters = load_parameters().chapters
    if slug not in chapters:
        return None
    for name, d in definition_pages(slug):
        if d == definition:
            return name
    return f"{slug}-{next(iter(chapters[slug]['groups']))}"


def _link(page: str | None, text: str) -> str:
    import html

    if page is None:
        return html.escape(text)
    return f'<a href="{html.escape(page)}.html">{html.escape(text)}</a>'


def chapter_links(fid: str, definition: str | None = None) -> str:
    """HTML links to the published pages that show a finding, under ``definition`` (or the
    finding's own, :data:`FIXED_DEFINITION`); pages of this build only, so no link can break."""
    d = FIXED_DEFINITION.get(fid, definition)
    links = []
    for slug in CHAPTER_OF.get(fid, ()):
        page = page_for(slug, d)
        if page is not None:
            links.append(_link(page, _title(slug)))
    return ", ".join(links)


def status_table(ch, table: pd.DataFrame):
    """The ledger's verdicts: one row per finding, one column per run (compact, first). Each
    verdict under a definition links to the page that shows the finding under it (the first
    chapter of :data:`CHAPTER_OF`); the last column links every chapter that shows it."""
    import html

    from lederuddannelse.report.tables import plain_table

    shown = table.drop(columns=list(TEXT_COLUMNS)).copy()
    columns = {"Standard": ch.params["definition"], **DEFINITION_COLUMNS}
    linked = [col for col in columns if col in shown.columns]
    for col in linked:
        definition = columns[col]
        cells = []
        for fid, verdict in zip(shown["Fund"], shown[col]):
            slugs = CHAPTER_OF.get(fid, ())
            if verdict == NOT_APPLICABLE or not slugs:
                cells.append(html.escape(verdict))
                continue
            page = page_for(slugs[0], FIXED_DEFINITION.get(fid, definition))
            cells.append(_link(page, verdict))
        shown[col] = cells
    shown["Vises i"] = [chapter_links(fid, ch.params["definition"]) for fid in shown["Fund"]]
    # the link columns are HTML built here (every text in them escaped by _link): shown as
    # links, not escaped again like the table's other cells
    return plain_table(
        shown,
        caption="Holder fundet? Standardparametre og robusthedsvarianter (hver dom linker til "
        "siden, der viser fundet under den definition)",
        uid="holder-status",
    ).format(escape=None, subset=[*linked, "Vises i"])


def components_table(ch, findings: dict[str, Finding]):
    """Every part of every claim on its own: what it is, its size (estimate with CI and test),
    whether it holds and whether it decides the verdict or is a robustness check, so a reader
    sees which part decides a verdict and by how much."""
    from lederuddannelse.report.tables import plain_table

    names = {"fund": "Fund", "del": "Del af udsagnet", "rolle": "Rolle"}
    names |= {"stoerrelse": "Størrelse", "holder": "Holder"}
    return plain_table(
        components_frame(findings).rename(columns=names),
        caption="Hvert fund delt op: størrelsen af hver sammenhæng eller forskel og dens dom",
        uid="holder-dele",
    )


#: How the parts table names a component's role (findings.TEST, findings.ROBUSTNESS).
ROLE_WORDS = {TEST: "afgør", ROBUSTNESS: "robusthedstjek"}


def components_frame(findings: dict[str, Finding]) -> pd.DataFrame:
    """The parts of every claim as a frame (the table's source and the CSV download)."""
    return pd.DataFrame(
        [
            {
                "fund": fid,
                "del": c.what,
                "rolle": ROLE_WORDS[c.role],
                "stoerrelse": c.size,
                "holder": status(c.holds),
            }
            for fid, f in findings.items()
            for c in f.components
        ]
    )


def ledger_table(ch, table: pd.DataFrame):
    """The ledger's text: the report's statement, this edition's estimate and the criterion."""
    from lederuddannelse.report.tables import plain_table

    return plain_table(
        table[["Fund", *TEXT_COLUMNS, "Standard"]],
        caption="Rapportens udsagn, denne udgaves skøn og kriteriet"
        + (f". {ASSUMED_MARK_NOTE}" if ch.synthetic else ""),
        uid="holder-fund",
    )


def level_table(ch) -> pd.DataFrame:
    """The findings that state a level (F1a, F1b, F2): estimate, CI, n and the report's number.

    Labels come from the codebook; the definitions are those the report names, and F2 counts
    among the trained under the chapter's definition.
    """
    cb = load_codebook()
    d = Evidence(ch).design
    rows = []
    for fid, var, key, label in (
        ("F1a", "trained_any", "any", short_label(cb.label("trained_any"))),
        ("F1b", "trained_narrow", "narrow", short_label(cb.label("trained_narrow"))),
        ("F1b", "trained_broad", "broad", short_label(cb.label("trained_broad"))),
        ("F2", "after_2020_tr", "after_2020", cb.label("after_2020")),
    ):
        r = d.proportion(var)
        r.insert(0, "udsagn", f"{label} ({fid})")
        r["rapportens_tal"] = report_level(key)
        rows.append(r)
    return pd.concat(rows, ignore_index=True)


def level_chart(ch, table: pd.DataFrame):
    """Figure: this edition's estimates of the report's levels (:func:`level_table`), with
    CIs and the report's numbers as ticks."""
    from lederuddannelse.report.charts import claim_check_chart

    covered = sum(bool(interval_covers(r, r["rapportens_tal"])) for _, r in table.iterrows())
    n = int(table["n"].max())
    chart = claim_check_chart(
        table,
        "udsagn",
        "rapportens_tal",
        title=f"{count_of(covered, len(table), 'niveauer', neuter=True).capitalize()} fra "
        "rapporten ligger inden for konfidensintervallet",
        subtitle=subtitle(ch, "Andel; rød streg: rapportens tal", n),
        conf_level=ch.params["conf_level"],
    )
    return chart


def key_figures(ch, ledger: pd.DataFrame) -> list:
    """The ledger's key figures: how many findings hold, do not hold, and cannot be decided
    with this edition's parameters."""
    from lederuddannelse.report.keyfigures import KeyFigure

    c = counts(ledger)
    of = f"af {number(c['total'])} fund"
    return [
        KeyFigure(number(c["holds"]), f"{of} holder"),
        KeyFigure(number(c["fails"]), f"{of} holder ikke"),
        KeyFigure(number(c["undecided"]), f"{of} kan ikke afgøres med disse data"),
    ]
