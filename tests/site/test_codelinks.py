"""Which names of a page's code cells site/codelinks.py links, and to which reference entry."""

from __future__ import annotations

from docutils import nodes

from lederuddannelse.site.codelinks import _highlighted, link_spans

DESIGN = "lederuddannelse.stats.design.SurveyDesign"
DOCUMENTED = {
    "lederuddannelse.chapters.udbredelse",
    "lederuddannelse.chapters.udbredelse.definition_chart",
    "lederuddannelse.chapters.base.open_chapter",
    "lederuddannelse.chapters.base.Chapter.trained",
    "lederuddannelse.chapters.shared.among_trained",
    DESIGN,
    f"{DESIGN}.proportion",
    f"{DESIGN}.distribution",
}


def _links(*cells: str) -> list[list[tuple[str, str]]]:
    spans = link_spans(cells, DOCUMENTED.__contains__)
    return [[(code[a:b], name) for a, b, name in s] for code, s in zip(cells, spans)]


def test_names_are_followed_through_imports_annotations_and_return_types():
    imports = (
        "import pandas as pd\n"
        "from lederuddannelse.chapters import udbredelse\n"
        "from lederuddannelse.chapters.base import open_chapter\n"
        "from lederuddannelse.chapters.shared import among_trained\n"
        "from lederuddannelse.stats.design import SurveyDesign\n"
    )
    design = "ch = open_chapter(data_file='x')\ndesign: SurveyDesign = ch.design\n"
    estimate = (
        "# design.mean in a comment is no link\n"
        "shares = pd.concat([design.proportion(f'trained_{d}') for d in 'ab'])\n"
        "trained = among_trained(ch, 'paid_by', 'x')  # returns a SurveyDesign\n"
        "paid = trained.distribution('paid_by__trained')\n"
        "by = design.proportion(ch.trained, by='industry')\n"
        "udbredelse.definition_chart(ch, shares)\n"
    )
    got = _links(imports, design, estimate)
    assert got[0] == [
        ("udbredelse", "lederuddannelse.chapters.udbredelse"),
        ("open_chapter", "lederuddannelse.chapters.base.open_chapter"),
        ("among_trained", "lederuddannelse.chapters.shared.among_trained"),
        ("SurveyDesign", DESIGN),
    ]
    assert got[1] == [("open_chapter", "lederuddannelse.chapters.base.open_chapter")] + [
        ("SurveyDesign", DESIGN)
    ]
    assert got[2] == [
        ("proportion", f"{DESIGN}.proportion"),
        ("among_trained", "lederuddannelse.chapters.shared.among_trained"),
        ("distribution", f"{DESIGN}.distribution"),
        ("proportion", f"{DESIGN}.proportion"),
        ("trained", "lederuddannelse.chapters.base.Chapter.trained"),
        ("udbredelse", "lederuddannelse.chapters.udbredelse"),
        ("definition_chart", "lederuddannelse.chapters.udbredelse.definition_chart"),
    ]


def test_unknown_rebound_and_broken_code_is_left_alone():
    cells = (
        "from lederuddannelse.stats.design import SurveyDesign\n"
        "design: SurveyDesign = None\n"
        "design.proportion('a')\n",
        "design = 3\ndesign.proportion('a')\n",  # rebound to what is not a design
        "design.proportion(\n",  # a syntax error
        "from os import path\npath.join('a')\n",  # not the package: never imported
    )
    got = _links(*cells)
    assert got[0][-1] == ("proportion", f"{DESIGN}.proportion")
    assert got[1:] == [[], [], []]


def test_the_highlighted_code_is_the_code_with_its_names_linked():
    code = "x = 'æø'; design.proportion('trained')\n"
    start = code.index("proportion")
    children = _highlighted(code, "ipython3", [(start, start + 10, "p")], lambda n: f"k.html#{n}")
    assert "".join(c.astext() for c in children) == code.rstrip("\n")
    links = [c for c in children if isinstance(c, nodes.reference)]
    assert [(a.astext(), a["refuri"]) for a in links] == [("proportion", "k.html#p")]
    assert links[0][0]["classes"] == ["n"]
