"""The theme's icon fonts are published cut down to the icons the site shows: the full solid
font (156 kB) must not come back, and no icon the pages use may lose its glyph (an empty box)."""

from __future__ import annotations

import shutil

import pytest

from lederuddannelse.book import iconfont
from lederuddannelse.errors import LederuddannelseError

CSS = (
    '.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}'
    '.fa-house:before{content:"\\f015"}'
    '/* .fa-commented:before{content:"\\f1b0"} */'
    'html{--pst-icon-bell:"\uf0f3";color:red}'
    '.onthispage:after{content:"\\f107";font-family:Font Awesome\\ 6 Free}'
)


def cmap(data: bytes) -> set[int]:
    import io

    from fontTools.ttLib import TTFont

    return set(TTFont(io.BytesIO(data)).getBestCmap())


def fake_site(tmp_path, page: str, script: str = ""):
    site = tmp_path / "site"
    fonts = site / "_static" / iconfont.WEBFONTS
    fonts.mkdir(parents=True)
    for f in iconfont.theme_webfonts().iterdir():
        shutil.copy(f, fonts / f.name)
    (site / "_static" / "styles").mkdir()
    (site / "_static" / "styles" / "theme.css").write_text(CSS, encoding="utf-8")
    (site / "_static" / "theme.js").write_text(script, encoding="utf-8")
    (site / "index.html").write_text(page, encoding="utf-8")
    return site


def test_style_sheet_icons_by_class_and_elsewhere():
    by_class, always = iconfont.css_icons([CSS])
    assert by_class == {"fa-bars": {0xF0C9}, "fa-navicon": {0xF0C9}, "fa-house": {0xF015}}
    assert always == {0xF0F3, 0xF107}  # a variable and a pseudo-element; not the comment


def test_fonts_keep_exactly_the_icons_of_pages_scripts_and_style_sheets(tmp_path):
    site = fake_site(
        tmp_path, '<i class="fa-solid fa-bars"></i>', script="i.className = 'fa-solid fa-house'"
    )
    sizes = iconfont.subset_icon_fonts(site)
    assert set(sizes) == {p.name for p in iconfont.theme_webfonts().iterdir()}
    solid = site / "_static" / iconfont.WEBFONTS / "fa-solid-900.woff2"
    assert cmap(solid.read_bytes()) == {0xF0C9, 0xF015, 0xF0F3, 0xF107}
    full, small = sizes["fa-solid-900.woff2"]
    assert full > 100_000 and small < 5_000
    # idempotent: a second run leaves the files as they are
    before = {p.name: p.read_bytes() for p in solid.parent.iterdir()}
    iconfont.subset_icon_fonts(site)
    assert before == {p.name: p.read_bytes() for p in solid.parent.iterdir()}


def test_a_rebuild_with_the_same_icons_copies_the_cached_subsets(tmp_path):
    page = '<i class="fa-solid fa-bars"></i>'
    cache = tmp_path / "cache"
    first = fake_site(tmp_path / "a", page)
    iconfont.subset_icon_fonts(first, cache=cache)
    fonts = [p for p in cache.iterdir() if p.suffix in iconfont.FONT_SUFFIXES]
    assert len(fonts) == len(list(iconfont.theme_webfonts().iterdir()))
    solid = next(cache.glob("fa-solid-900-*.woff2"))
    solid.write_bytes(solid.read_bytes() + b"cached")  # marks what a copy brings
    second = fake_site(tmp_path / "b", page)
    iconfont.subset_icon_fonts(second, cache=cache)
    fonts = second / "_static" / iconfont.WEBFONTS
    assert (fonts / "fa-solid-900.woff2").read_bytes().endswith(b"cached")
    # another icon set: subset anew, and the cache keeps one version per file
    third = fake_site(tmp_path / "c", page + '<i class="fa-solid fa-house"></i>')
    iconfont.subset_icon_fonts(third, cache=cache)
    assert len(list(cache.glob("fa-solid-900-*.woff2"))) == 1
    solid = third / "_static" / iconfont.WEBFONTS / "fa-solid-900.woff2"
    assert 0xF015 in cmap(solid.read_bytes())


def test_what_each_file_names_is_kept_and_read_again_only_when_the_file_changed(tmp_path):
    import json
    import os

    site = fake_site(tmp_path, '<i class="fa-solid fa-bars"></i>')
    cache = tmp_path / "cache"
    assert iconfont.needed_code_points(site, cache) == {0xF0C9, 0xF0F3, 0xF107}
    memo = cache / iconfont.MEMO
    data = json.loads(memo.read_text(encoding="utf-8"))
    assert data["texts"]["index.html"][1] == ["fa-bars", "fa-solid"]
    # an unchanged page is not read again: what the memo says of it counts
    data["texts"]["index.html"][1].append("fa-house")
    memo.write_text(json.dumps(data), encoding="utf-8")
    assert 0xF015 in iconfont.needed_code_points(site, cache)
    # a page written again (Sphinx rewrote it), the same size and time: read again
    page = site / "index.html"
    st = page.stat()
    page.write_text('<i class="fa-solid fa-bar5"></i>', encoding="utf-8")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert iconfont.needed_code_points(site, cache) == {0xF0F3, 0xF107}
    # a changed style sheet is read again
    sheet = site / "_static" / "styles" / "theme.css"
    sheet.write_text(CSS + '.fa-bar5:before{content:"\\f0c9"}', encoding="utf-8")
    assert iconfont.needed_code_points(site, cache) == {0xF0C9, 0xF0F3, 0xF107}
    assert iconfont.needed_code_points(site, cache) == iconfont.needed_code_points(site)


def test_a_theme_without_the_full_font_is_a_clear_error(tmp_path):
    site = fake_site(tmp_path, "")
    (tmp_path / "empty").mkdir()
    with pytest.raises(LederuddannelseError, match="fa-brands-400.ttf has no full version"):
        iconfont.subset_icon_fonts(site, source=tmp_path / "empty")


@pytest.mark.book
def test_published_site_has_no_full_icon_font_and_every_icon_has_its_glyph(built_book):
    """Fails if the full FontAwesome font is published again, or a used icon lost its glyph."""
    _, _, site = built_book
    fonts = site / "_static" / iconfont.WEBFONTS
    published = sorted(fonts.iterdir())
    assert {p.name for p in published} == {p.name for p in iconfont.theme_webfonts().iterdir()}
    for p in published:
        full = iconfont.theme_webfonts() / p.name
        assert p.stat().st_size < min(10_000, full.stat().st_size // 10), (p.name, p.stat())
        assert len(cmap(p.read_bytes())) < len(cmap(full.read_bytes())) // 10, p.name
    solid = cmap((fonts / "fa-solid-900.woff2").read_bytes())
    css = [p.read_text(encoding="utf-8") for p in (site / "_static").rglob("*.css")]
    by_class, always = iconfont.css_icons(css)
    pages = [p.read_text(encoding="utf-8") for p in site.glob("*.html")]
    used = iconfont.used_classes(pages) & set(by_class)
    # the header's icons: menu, search, download, full screen, colour modes, contents
    assert {"fa-bars", "fa-magnifying-glass", "fa-download", "fa-expand", "fa-moon"} <= used
    every = set().union(*(cmap(p.read_bytes()) for p in published if p.suffix == ".woff2"))
    missing = {c for c in used if not by_class[c] <= solid} | {hex(p) for p in always - every}
    assert not missing, f"icons without a glyph (an empty box): {sorted(missing)}"
