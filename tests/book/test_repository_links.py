"""Issue 24, point 12: while citation.yml's repository is a placeholder (``binder`` not true),
no page links to it (nor to the GitHub Pages address derived from it), and the build says so
once; with ``binder: true`` the links are there."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from lederuddannelse.book import build as b
from lederuddannelse.site import citation as cit

PLACEHOLDER = cit.load_citation(ROOT / cit.CITATION_FILE)


def _public(tmp_path, url: str = ""):
    text = (ROOT / cit.CITATION_FILE).read_text(encoding="utf-8")
    text = text.replace("binder: false", "binder: true").replace('url: ""', f'url: "{url}"')
    path = tmp_path / cit.CITATION_FILE
    path.write_text(text, encoding="utf-8")
    return cit.load_citation(path)


def test_a_placeholder_repository_gives_no_address(tmp_path):
    c = PLACEHOLDER
    assert not c.public and not c.url, "citation.yml names a real repository now: update"
    assert c.source_url("chapters/02_udbredelse.md") == ""
    assert c.published_url == "" and c.page_url("udbredelse-alle") == ""
    ref = cit.chapter_reference_html(c, "Udbredelse", c.page_url("udbredelse-alle"))
    assert "<a " not in ref and "github" not in ref
    assert "github" not in cit.book_reference_html(c)
    assert "url" not in cit.chapter_bibtex(c, "udbredelse-alle", "Udbredelse", "")
    tags = dict(cit.highwire_tags(c, "Udbredelse", c.page_url("udbredelse-alle"), chapter=True))
    assert "citation_public_url" not in tags
    assert "no page links to it" in cit.repository_notice(c)
    # the Citation survives Sphinx's config round trip with the switch
    back = cit.Citation.from_config(c.as_config())
    assert (back.public, back.published_url, back.source_url("x.md")) == (False, "", "")
    # a public repository: links to the source and to its GitHub Pages site
    on = _public(tmp_path)
    assert on.source_url("x.md") == f"{on.repository}/blob/main/x.md"
    assert on.page_url("a") == on.site_url + "a.html" and "github.io" in on.site_url
    assert cit.repository_notice(on) == ""
    back = cit.Citation.from_config(on.as_config())
    assert (back.public, back.published_url) == (True, on.site_url)


def test_the_build_says_once_that_the_repository_is_a_placeholder(in_root, capsys):
    b.prepare(in_root, None, None, None, quiet=False)
    out = capsys.readouterr()
    assert (out.out + out.err).count("no page links to it") == 1, out


@pytest.mark.book
def test_no_page_links_to_the_placeholder_repository(built_book):
    _, _, site = built_book
    m = re.match(r"https://github\.com/([^/]+)/([^/]+)", PLACEHOLDER.repository)
    owner, name = m.group(1), m.group(2)
    pages = sorted(site.glob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert PLACEHOLDER.repository not in text, page.name
        assert f"{owner}.github.io/{name}" not in text, page.name
        assert "Kildefilen i kodearkivet" not in text, page.name
    for bib in (site / "downloads").glob("*.bib"):
        assert "github" not in bib.read_text(encoding="utf-8"), bib.name
