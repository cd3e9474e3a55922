"""The claims ledger's words: the report's findings F1a-F14 as Danish statements, the rule
deciding each (:data:`CRITERIA`), and the one vocabulary for majorities used on the pages and
in the ledger (:data:`MAJORITY_WORDS`, defined for readers in "Sådan læser du tallene").

Split from :mod:`lederuddannelse.analysis.findings`, which holds the checks and re-exports
these names.
"""

from __future__ import annotations

import pandas as pd

from lederuddannelse.report.fmt import p_below

ALPHA = 0.05  # significance level of every "holds" test


def estimable(row: pd.Series) -> bool:
    """Can a check judge this row: an estimate that is shown (not suppressed, not missing)?"""
    return not bool(row.get("suppressed", False)) and pd.notna(row.get("estimate"))


STATEMENTS = {
    "F1a": "Knap halvdelen af lederne ({any}) har taget en lederuddannelse i psykisk "
    "arbejdsmiljø (samlet definition).",
    "F1b": "{narrow} har taget en uddannelse, hvor psykisk arbejdsmiljø var det primære indhold "
    "(smal definition), og {broad} en, hvor det indgik som en del (bred definition).",
    "F2": "Størstedelen ({after_2020}) af dem, der har taget uddannelsen, tog den efter 2020.",
    "F3": "Ledere med uddannelsen begrunder den primært med et ønske om at udvikle sig som leder "
    "og få konkrete værktøjer. Interesse for psykisk arbejdsmiljø, tid og arbejdspladsens "
    "ressourcer har betydning både for, om lederne har taget uddannelsen, og for lysten til den.",
    "F4": "Langt størstedelen fik uddannelsen betalt af arbejdspladsen; hovedparten ønsker ikke "
    "uddannelsen, hvis de selv skal betale for den.",
    "F5": "Lysten er større, når troen på egne evner er lav, og når lederen forventer, at "
    "uddannelsen forbedrer medarbejdernes trivsel og reducerer sygefraværet.",
    "F6": "Konflikter og stressede medarbejdere hænger sammen med mere lyst; har medarbejderne de "
    "nødvendige ressourcer og trives de, er lysten signifikant mindre.",
    "F7": "Mangler arbejdspladsen en klar strategi for eller værktøjer til det psykiske "
    "arbejdsmiljø, er lysten større.",
    "F8": "En større andel af ledere af ledere end af ledere af medarbejdere har taget "
    "uddannelsen; ledere af ledere vurderer i højere grad, at arbejdspladsen prioriterer det "
    "psykiske arbejdsmiljø og afsætter økonomiske ressourcer og tid til uddannelse.",
    "F9": "Ledere af medarbejdere uden uddannelsen begrunder det med mangel på tid og i mindre "
    "grad med, at de allerede har de nødvendige kompetencer, og med manglende tiltro til, at "
    "uddannelsen vil gøre en forskel for medarbejderne. Omvendt vurderer de i højere grad end "
    "ledere af ledere, at den vil være relevant for dem og bidrage til at forbedre trivslen.",
    "F10": "Sammenlignet med ledere uden uddannelsen er den typiske leder med uddannelsen oftere "
    "en kvinde, ansat i den offentlige sektor i en organisation med mere end 250 medarbejdere, "
    "med mere end 25 års ledererfaring, leder af ledere og med et relativt stort "
    "ledelsesspænd.",
    "F11": "Lidt over halvdelen af lederne i offentlig administration, undervisning og sundhed "
    "har uddannelsen (bred definition); relativt få i bygge og anlæg, erhvervsservice samt "
    "ejendomshandel og udlejning.",
    "F12": "Mest lyst: en yngre kvinde i den offentlige sektor med et ledelsesspænd på 29–100 "
    "medarbejdere og 0–8 års erfaring. Mindst lyst: en ældre mand med en lang videregående "
    "uddannelse i en mindre privat organisation, med et mindre ledelsesspænd og mange års "
    "erfaring.",
    "F13": "Blandt ledere uden uddannelsen begrunder ledere i den private sektor det oftere end "
    "ledere i den offentlige sektor med, at den ikke er relevant for deres arbejde, og at den "
    "ikke vil gøre en positiv forskel for medarbejderne.",
    "F14": "Blandt ledere med uddannelsen begrunder ledere i den private sektor det signifikant "
    "oftere end ledere i den offentlige sektor med ønsket om at fremme deres karrieremuligheder.",
}

#: Thresholds of the criteria (findings.md): "størstedelen" and "hovedparten" are a majority,
#: "langt størstedelen" a large majority, "lidt over halvdelen" a whole interval above one half
#: and below three fifths (one rule, worded the same in the ledger and on "holder").
MAJORITY = 0.5
CLEAR_MAJORITY = 2 / 3
JUST_OVER_HALF = (0.5, 0.6)

#: The one vocabulary for majorities, on the pages and in the ledger ("Sådan læser du tallene"
#: defines it): a share is called this when its whole confidence interval is above the threshold.
MAJORITY_WORDS = {MAJORITY: "et flertal", CLEAR_MAJORITY: "et stort flertal"}
_THRESHOLD_WORDS = {MAJORITY: "halvdelen", CLEAR_MAJORITY: "to tredjedele"}


def share_above(row: pd.Series, threshold: float = MAJORITY) -> bool | None:
    """Is the share ``threshold``'s majority word (:data:`MAJORITY_WORDS`)? True when the whole
    interval is above it, False when the whole interval is below, None when the interval
    contains it or the share is suppressed: the data cannot decide."""
    if not estimable(row):
        return None
    if row["ci_low"] > threshold:
        return True
    if row["ci_high"] < threshold:
        return False
    return None


def majority_phrase(row: pd.Series, threshold: float = MAJORITY) -> str:
    """The vocabulary's words for a share: 'et flertal (hele konfidensintervallet ligger over
    halvdelen)', its negation, or why it cannot be said."""
    word, limit = MAJORITY_WORDS[threshold], _THRESHOLD_WORDS[threshold]
    verdict = share_above(row, threshold)
    if verdict is None and not estimable(row):
        return "ikke til at afgøre (for få svar)"
    if verdict is True:
        return f"{word} (hele konfidensintervallet ligger over {limit})"
    if verdict is False:
        return f"ikke {word} (hele konfidensintervallet ligger under {limit})"
    return f"ikke sikkert {word} (konfidensintervallet omfatter {limit})"


_SIG = p_below(ALPHA)
CRITERIA = {
    "F1a": "Holder, hvis konfidensintervallet for andelen (samlet definition) dækker rapportens "
    "tal ({any}).",
    "F1b": "Holder, hvis konfidensintervallerne for den smalle og den brede andel dækker "
    "rapportens tal (henholdsvis {narrow} og {broad}).",
    "F2": "Holder, hvis konfidensintervallet for andelen efter 2020 blandt ledere med "
    "uddannelsen dækker {after_2020}, og andelen er et flertal (hele intervallet over halvdelen).",
    "F3": "Holder, hvis de to grunde ligger øverst i rangordenen, og interesse, tid og "
    f"arbejdspladsens ressourcer hver har en positiv sammenhæng ({_SIG}) i både modellen for at "
    "have taget uddannelsen og modellen for lyst.",
    "F4": "Holder, hvis betalt af arbejdspladsen er et stort flertal (hele konfidensintervallet "
    "over {clear}), og vil ikke betale selv er et flertal (hele intervallet over {majority}).",
    "F5": "Holder, hvis troen på egne evner hænger negativt og de to forventninger positivt sammen "
    f"med lysten ({_SIG}), hver for sig i en ordinal model med det ene træk. Den samlede model "
    "med alle tolv træk vises som robusthedstjek.",
    "F6": "Holder, hvis konflikter og stress hænger positivt og ressourcer og trivsel negativt "
    f"sammen med lysten ({_SIG}), hver for sig i en ordinal model med det ene træk. Den samlede "
    "model vises som robusthedstjek.",
    "F7": "Holder, hvis strategi og værktøjer hver hænger negativt sammen med lysten "
    f"({_SIG}), hver for sig i en ordinal model med det ene træk. Den samlede model vises som "
    "robusthedstjek.",
    "F8": "Holder, hvis andelen er større blandt ledere af ledere end blandt ledere af "
    f"medarbejdere ({_SIG}) for alle tre: har taget uddannelsen, enige i prioritering og enige "
    "i penge og tid.",
    "F9": "Holder, hvis hver af de fem forskelle mellem ledertyperne har den retning, rapporten "
    f"angiver ({_SIG}): blandt ledere uden uddannelsen flere ledere af medarbejdere end ledere af "
    "ledere med mangel på tid og færre med kompetencerne allerede eller uden tiltro til en "
    "forskel; flere ledere af medarbejdere enige i relevans og i bedre trivsel. At rapportens "
    "første sætning er en sammenligning med ledere af ledere, er denne udgaves læsning; kun den "
    "anden sætning siger det udtrykkeligt.",
    "F10": "Holder, hvis hvert af de seks træk er hyppigere blandt ledere med uddannelsen end "
    f"blandt ledere uden ({_SIG}); et større ledelsesspænd er over 100 medarbejdere. "
    "{org_size_note}",
    "F11": "Holder, hvis hele konfidensintervallet for andelen (bred definition) i offentlig "
    "administration, undervisning og sundhed ligger over {low} og under {high}, og hver af de "
    f"tre nævnte brancher ligger under de øvrige brancher ({_SIG}).",
    "F12": "Holder, hvis den forudsagte lyst er større for profilen med mest lyst end for profilen "
    f"med mindst lyst ({_SIG}), og hvert nævnt træk for sig trækker i rapportens retning ({_SIG}) "
    "mod den nævnte sammenligningsgruppe; et ledelsesspænd på 29–100 sammenlignes med begge "
    "nabogrupper (11–28 og over 100) og med 1–10. Et træk, som rapporten kun nævner for "
    "profilen med mindst lyst (lang videregående uddannelse, en mindre organisation), "
    "sammenlignes med gennemsnittet af de øvrige grupper af samme forhold, hvor hver gruppe "
    "tæller én gang; mod én bestemt gruppe alene kan dommen blive en anden (se Lyst til "
    "uddannelse).",
    "F13": f"Holder, hvis begge årsager er hyppigere i den private end i den offentlige sektor "
    f"({_SIG}).",
    "F14": "Holder, hvis karrieremuligheder er hyppigere i den private end i den offentlige "
    f"sektor ({_SIG}).",
}
