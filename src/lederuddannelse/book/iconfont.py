"""The theme's icon font, cut down to the icons the site shows.

pydata-sphinx-theme draws its icons (menu, search, sidebar toggles, colour-mode switch,
download, full screen, previous/next, admonitions) from FontAwesome's web fonts: the solid one
alone is 156 kB, and a reader's browser loads it on every first visit for about 20 glyphs.
After each build, :func:`subset_icon_fonts` rewrites every font file of the published site
(``_static/vendor/fontawesome/webfonts``: woff2 and its ttf fallback, solid, regular and
brands) to the glyphs the site can show, taken from the theme's full files, so the pages and
the theme's style sheet stay as they are (same file names, same code points).

Which glyphs: FontAwesome's style sheet maps each icon class to a code point
(``.fa-bars:before{content:"\\f0c9"}``); every ``fa-*`` class named in a written page or a
script of the site keeps its glyph, and so does every code point the style sheets use
elsewhere (admonition icons, the "on this page" chevron, the theme's ``--pst-icon-*``
variables), whether or not a page uses it today. So a new icon in a page, a theme template or
a script is kept without a list to maintain; a test checks that every icon class the pages use
has its glyph. Subsetting is deterministic (no time stamps), so builds stay reproducible.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Where the theme's fonts are, relative to the site and to the theme's static folder.
WEBFONTS = Path("vendor") / "fontawesome" / "webfonts"
FONT_SUFFIXES = (".woff2", ".ttf")
#: FontAwesome's code points lie in the Unicode private use area.
_PUA = r"[\ue000-\uf8ff]|\\[ef][0-9a-fA-F]{3}(?![0-9a-fA-F])"
_ICON_RULE = re.compile(r"\s*\.(fa-[\w-]+)::?before\s*")
_CLASS = re.compile(r"\bfa-[a-z0-9][a-z0-9-]*")


def theme_webfonts() -> Path:
    """The theme's full FontAwesome files (the source of every subset)."""
    import pydata_sphinx_theme

    return (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme"
        / "pydata_sphinx_theme"
        / ("static" / WEBFONTS)
    )


def _code_point(token: str) -> int:
    return int(token[1:], 16) if token.startswith("\\") else ord(token)


def css_icons(css_texts: list[str]) -> tuple[dict[str, set[int]], set[int]]:
    """From style sheets: each icon class's code points, and the code points used by any
    other rule (which a page may show without naming an icon class)."""
    by_class: dict[str, set[int]] = {}
    always: set[int] = set()
    for css in css_texts:
        css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
        for m in re.finditer(r"([^{}]+)\{([^{}]*)\}", css):
            selectors, body = m.groups()
            points = {_code_point(t) for t in re.findall(_PUA, body)}
            if not points:
                continue
            icons = [_ICON_RULE.fullmatch(s) for s in selectors.split(",")]
            if all(icons):
                for icon in icons:
                    by_class.setdefault(icon.group(1), set()).update(points)
            else:
                always |= points
    return by_class, always


def used_classes(texts: list[str]) -> set[str]:
    """Every ``fa-*`` class name a page or script mentions."""
    return {c for t in texts for c in _CLASS.findall(t)}


MEMO = "code-points.json"  # in the cache folder: what each file of the last site named


def needed_code_points(site: Path, cache: Path | None = None) -> set[int]:
    """The code points the written site can show (see the module docstring).

    With a ``cache`` folder, what each style sheet, page and script gave is kept there under
    the file's signature (:func:`lederuddannelse.hashing.signature`), so a build that wrote a
    few pages reads only those (reading all 3 MB costs a one-page render 0.07 s).
    """
    import json

    from lederuddannelse.hashing import signature

    site = Path(site)
    static = site / "_static"
    sheets = sorted(static.rglob("*.css"))
    texts = sorted(site.glob("*.html")) + [
        p
        for p in sorted(static.rglob("*.js"))
        if p.name != "fontawesome.js"  # the stub (its full version names every icon)
    ]
    memo = Path(cache) / MEMO if cache else None
    try:
        old = json.loads(memo.read_text(encoding="utf-8")) if memo else {}
    except (OSError, ValueError):
        old = {}
    sheets_key = [[str(p.relative_to(site)), signature(p.stat())] for p in sheets]
    if old.get("sheets") == sheets_key:
        by_class = {name: set(points) for name, points in old["by_class"].items()}
        always = set(old["always"])
    else:
        by_class, always = css_icons([p.read_text(encoding="utf-8") for p in sheets])
    named: dict[str, list] = {}
    for p in texts:
        rel, sig = str(p.relative_to(site)), signature(p.stat())
        known = old.get("texts", {}).get(rel)
        if known and known[0] == sig:
            named[rel] = known
        else:
            errors = "strict" if p.suffix == ".html" else "replace"
            text = p.read_text(encoding="utf-8", errors=errors)
            named[rel] = [sig, sorted(used_classes([text]))]
    if memo is not None:
        from lederuddannelse.book.notebooks import write_if_changed

        data = {
            "sheets": sheets_key,
            "by_class": {name: sorted(points) for name, points in sorted(by_class.items())},
            "always": sorted(always),
            "texts": named,
        }
        write_if_changed(memo, json.dumps(data, sort_keys=True))
    points = set(always)
    for name in {c for _, classes in named.values() for c in classes}:
        points |= by_class.get(name, set())
    return points


def subset_font(source: Path, points: set[int], flavor: str | None) -> bytes:
    """``source`` cut down to ``points`` (woff2 when ``flavor`` is "woff2", else sfnt)."""
    import io

    from fontTools import subset

    opts = subset.Options()
    opts.flavor = flavor
    opts.layout_features = ["*"]
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    font = subset.load_font(str(source), opts)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(points))
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, opts)
    return buf.getvalue()


def subset_icon_fonts(
    site: Path, source: Path | None = None, cache: Path | None = None
) -> dict[str, tuple[int, int]]:
    """Rewrite the site's icon fonts to the glyphs it needs; returns {file: (full, subset)}
    sizes in bytes. Idempotent: a file is written only when its bytes change. ``cache`` (a
    folder beside the build output) keeps each subset under a hash of its inputs, so a rebuild
    with the same icons copies instead of subsetting again (about a second)."""
    import hashlib
    from importlib.metadata import version

    from lederuddannelse.errors import LederuddannelseError

    fonts = Path(site) / "_static" / WEBFONTS
    if not fonts.is_dir():
        return {}
    source = Path(source) if source else theme_webfonts()
    points = needed_code_points(site, cache)
    sizes = {}
    for target in sorted(p for p in fonts.iterdir() if p.suffix in FONT_SUFFIXES):
        full = source / target.name
        if not full.is_file():
            raise LederuddannelseError(
                f"The theme's icon font {target.name} has no full version at {full}: the "
                "theme's layout changed; update lederuddannelse.book.iconfont.theme_webfonts."
            )
        key = hashlib.sha256(
            f"{version('fonttools')}|{sorted(points)}|".encode() + full.read_bytes()
        ).hexdigest()[:16]
        stored = Path(cache) / f"{target.stem}-{key}{target.suffix}" if cache else None
        if stored is not None and stored.is_file():
            data = stored.read_bytes()
        else:
            data = subset_font(full, points, "woff2" if target.suffix == ".woff2" else None)
            if stored is not None:
                from lederuddannelse.book.notebooks import write_if_changed

                for older in stored.parent.glob(f"{target.stem}-*{target.suffix}"):
                    older.unlink(missing_ok=True)  # another icon set's: keep one per file
                write_if_changed(stored, data)
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
        sizes[target.name] = (full.stat().st_size, len(data))
    return sizes
