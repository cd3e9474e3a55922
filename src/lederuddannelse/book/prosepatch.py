"""A prose edit published without Sphinx: the changed paragraphs patched into the rendered page.

Why: after an author changes a sentence, the chapter is only re-assembled (no kernel, see
:mod:`lederuddannelse.book.incremental`), but rendering it with Jupyter Book still costs a
Sphinx run (1.5 s, most of it importing Sphinx and its extensions). For the common edit (a
paragraph changed, added or removed) the new page differs from the old one only in those
paragraphs, whose HTML this module can write itself.

It is exact or it is not used. :func:`patch_site` works on the Sphinx output folder
(`build/site/_build/html`) and patches only when

- the staged book differs from the one Sphinx last rendered (:func:`record_rendered`) in
  chapter notebooks only, with the same package (Sphinx extension) and the same data settings;
- in each such notebook only Markdown cells changed (code cells, their outputs, the cell
  layout, the notebook's metadata other than the source's hash are equal), and within them
  only paragraphs made of plain text, emphasis, inline code, glued Markdown values
  (``{glue:md}``) and numbered references (``{numref}``) whose text the page already shows;
  no heading, list, directive, link, math or character that Sphinx's smart quotes would
  change;
- every old paragraph, rendered here, is found exactly once in the page as Sphinx wrote it
  (so this renderer agrees with Sphinx on that text), and the search index holds the page's
  words as recorded when Sphinx last rendered it (:func:`record_search_words`).

Anything else returns a reason and the build renders with Sphinx as before. The page's
search terms, its notebook and MyST downloads and `_sources` copy are updated with it. A
test compares a patched site with the one Sphinx renders from the same sources, byte for
byte. The staged notebook stays newer than Sphinx's record of it, so the next Sphinx run
reads it again.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lederuddannelse.book.downloads import downloadable_notebook
from lederuddannelse.book.notebooks import write_if_changed
from lederuddannelse.hashing import sha256_file

RENDERED = "rendered-stage.json"  # build/site/: the staged book Sphinx (or a patch) last rendered
SEARCH_WORDS = "search-words"  # build/site/_build/search-words/PAGE.json: a page's search terms
SEARCH_INDEX = "searchindex.js"
_INDEX_PREFIX, _INDEX_SUFFIX = "Search.setIndex(", ")"
_GLUE_MIME = "application/papermill.record/text/markdown"
# Characters Sphinx's smart quotes and MyST's extensions may change, that docutils escapes
# differently, or that start a link or markup this renderer does not write.
_NOT_PLAIN = re.compile(r"[\"'&<>@\\$|\[\]!]|--|\.\.\.|\{\{|://|www\.")
_LABEL = re.compile(r"^[\w.:-]+$")
_WORDS_AND_SPACES = re.compile(r"[^ \n]+| +|\n")  # docutils' split of literal text


class NotPatchable(Exception):
    """Why this edit needs Sphinx (the build then renders as usual)."""


# ============================================================================ bookkeeping
def stage_digests(stage: Path) -> dict[str, str]:
    """SHA-256 of every file of the staged book, by its path inside ``stage``."""
    return {
        str(p.relative_to(stage)): sha256_file(p)
        for p in sorted(stage.rglob("*"))
        if p.is_file() and "_build" not in p.relative_to(stage).parts
    }


def record_rendered(site: Path, digests: dict[str, str], package: str, env: dict[str, str]) -> None:
    """Remember what the output folder ``site`` (`build/site`) now shows."""
    data = {"files": digests, "package": package, "env": env}
    write_if_changed(site / RENDERED, json.dumps(data, indent=0, sort_keys=True))


def forget_rendered(site: Path) -> None:
    """Before Sphinx writes into ``site``: until it succeeds, nothing is known to be shown."""
    (site / RENDERED).unlink(missing_ok=True)


def search_term(lang: Any, word: str) -> str | None:
    """The term Sphinx's search index files ``word`` under (its ``IndexBuilder.feed``), or
    None when the word is not indexed (a stop word)."""
    stemmed = lang.stem(word).lower()
    if not lang.word_filter(stemmed) and lang.word_filter(word):
        stemmed = word
    return stemmed if lang.word_filter(stemmed) else None


DANISH = "sphinx.search.da.SearchDanish"  # the book's search language (language: da)


def record_search_words(app: Any, pagename: str, doctree: Any) -> None:
    """Called by the Sphinx extension for every page it writes: the page's body terms with
    their counts, so that a patch can tell which terms a page still has after an edit, and
    the language's stop words (see :class:`RecordedDanish`)."""
    indexer = getattr(app.builder, "indexer", None)
    collect = getattr(indexer, "_word_collector", None)
    out = Path(app.outdir).parent / SEARCH_WORDS / f"{pagename}.json"
    lang = getattr(indexer, "lang", None)
    spec = f"{type(lang).__module__}.{type(lang).__qualname__}"
    if collect is None or doctree is None or spec != DANISH:
        out.unlink(missing_ok=True)  # no patch without the page's words
        return
    counts: Counter = Counter()
    for word, n in Counter(collect(doctree).words).items():  # each word stemmed once
        if term := search_term(lang, word):
            counts[term] += n
    write_if_changed(out, _words_json(spec, counts, sorted(lang.stopwords)))


def _words_json(lang: str, terms: Counter, stopwords: list[str]) -> str:
    data = {"lang": lang, "terms": terms, "stopwords": stopwords}
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


class RecordedDanish:
    """Sphinx's Danish search language (``sphinx.search.da.SearchDanish``: the Snowball
    stemmer for Danish, Sphinx 7.4's word pattern and filter) with the stop words the page
    recorded. Importing Sphinx's search package costs 0.05 s, a tenth of a prose edit's build;
    a test compares the two on every word of the book."""

    _word_re = re.compile(r"\w+")

    def __init__(self, stopwords: list[str]) -> None:
        import snowballstemmer

        self.stopwords = frozenset(stopwords)
        self.stemmer = snowballstemmer.stemmer("danish")

    def split(self, text: str) -> list[str]:
        return self._word_re.findall(text)

    def stem(self, word: str) -> str:
        return self.stemmer.stemWord(word.lower())

    def word_filter(self, word: str) -> bool:
        return len(word) == 0 or not (
            (len(word) < 3 and 12353 < ord(word[0]) < 12436)
            or (ord(word[0]) < 256 and word in self.stopwords)
        )


# ============================================================================ rendering
@dataclass
class Rendered:
    """A paragraph's HTML as Sphinx writes it, and its text nodes (for the search index)."""

    html: str
    texts: list[str] = field(default_factory=list)


class ParagraphRenderer:
    """Sphinx's HTML for the paragraphs this module can patch (see the module's docstring)."""

    def __init__(self, extensions: list[str], glued: dict[str, str], page_html: str) -> None:
        from markdown_it.renderer import RendererHTML
        from myst_parser.config.main import MdParserConfig
        from myst_parser.parsers.mdit import create_md_parser

        self.md = create_md_parser(MdParserConfig(enable_extensions=set(extensions)), RendererHTML)
        # myst-nb parses a glued Markdown value as CommonMark
        self.commonmark = create_md_parser(MdParserConfig(commonmark_only=True), RendererHTML)
        self.glued = glued
        self.page_html = page_html

    def blocks(self, source: str) -> list[tuple[str, list[Any]]]:
        """The cell's top-level blocks: (their source lines, their tokens)."""
        lines = source.splitlines()
        out: list[tuple[str, list[Any]]] = []
        depth, current = 0, []
        for tok in self.md.parse(source):
            current.append(tok)
            depth += tok.nesting
            if depth == 0:
                start, end = current[0].map or (0, 0)
                out.append(("\n".join(lines[start:end]), current))
                current = []
        if current:
            raise NotPatchable("a Markdown cell did not parse into whole blocks")
        return out

    def paragraph(self, tokens: list[Any]) -> Rendered:
        kinds = [t.type for t in tokens]
        if kinds != ["paragraph_open", "inline", "paragraph_close"] or tokens[0].hidden:
            raise NotPatchable(f"a changed block is not a plain paragraph ({kinds[0]})")
        out = Rendered("<p>")
        self._inline(tokens[1].children or [], out, glue_ok=True)
        out.html += "</p>\n"
        return out

    def _inline(self, children: list[Any], out: Rendered, glue_ok: bool) -> None:
        for tok in children:
            if tok.type == "text":
                if _NOT_PLAIN.search(tok.content):
                    raise NotPatchable(f"text Sphinx may change: {tok.content[:40]!r}")
                out.html += html.escape(tok.content, quote=False)
                out.texts.append(tok.content)
            elif tok.type == "softbreak":
                out.html += "\n"
                out.texts.append("\n")
            elif tok.type in ("em_open", "em_close", "strong_open", "strong_close"):
                tag = "em" if tok.type.startswith("em") else "strong"
                out.html += f"<{'/' if tok.nesting < 0 else ''}{tag}>"
            elif tok.type == "code_inline":
                if _NOT_PLAIN.search(tok.content):
                    raise NotPatchable(f"inline code Sphinx may change: {tok.content[:40]!r}")
                out.html += '<code class="docutils literal notranslate">'
                for part in _WORDS_AND_SPACES.findall(tok.content):
                    if part.strip():
                        out.html += f'<span class="pre">{html.escape(part, quote=False)}</span>'
                    elif part in (" ", "\n"):
                        out.html += part
                    else:
                        out.html += "&#160;" * (len(part) - 1) + " "
                out.html += "</code>"
                out.texts.append(tok.content)
            elif tok.type == "myst_role" and glue_ok and tok.meta.get("name") == "glue:md":
                self._glue(tok.content, out)
            elif tok.type == "myst_role" and glue_ok and tok.meta.get("name") == "numref":
                out.html += self._numref(tok.content, out)
            else:
                name = tok.meta.get("name", "") if tok.type == "myst_role" else ""
                raise NotPatchable(f"markup this patch does not write: {tok.type} {name}".strip())

    def _glue(self, key: str, out: Rendered) -> None:
        if key not in self.glued:
            raise NotPatchable(f"glue key {key!r} has no Markdown value")
        tokens = self.commonmark.parseInline(self.glued[key])
        for tok in tokens:
            self._inline(tok.children or [], out, glue_ok=False)

    def _numref(self, label: str, out: Rendered) -> str:
        """A reference's HTML as the page already shows it (its number comes from Sphinx)."""
        if not _LABEL.match(label):
            raise NotPatchable(f"a reference with its own text: {label!r}")
        pattern = (
            rf'<a class="reference internal" href="[^"#]*#{re.escape(label)}">'
            r'<span class="std std-numref">([^<]*)</span></a>'
        )
        found = {m.group(0): m.group(1) for m in re.finditer(pattern, self.page_html)}
        if len(found) != 1:
            raise NotPatchable(f"the page shows no single reference to {label!r}")
        ((anchor, text),) = found.items()
        out.texts.append(html.unescape(text))
        return anchor


def _glued_markdown(nb: dict[str, Any]) -> dict[str, str]:
    values = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            value = output.get("data", {}).get(_GLUE_MIME)
            if name and isinstance(value, str):
                values[name] = value
    return values


# ============================================================================ one page
@dataclass
class PagePatch:
    name: str
    html: str
    words_removed: Counter
    words_added: Counter


def _check_same_but_prose(old: dict[str, Any], new: dict[str, Any]) -> list[int]:
    """Indices of the Markdown cells whose source changed; NotPatchable if anything else did."""
    old_meta = json.loads(json.dumps(old.get("metadata", {})))
    new_meta = json.loads(json.dumps(new.get("metadata", {})))
    for meta in (old_meta, new_meta):
        meta.get("lederuddannelse", {}).pop("source_sha256", None)
    if old_meta != new_meta or {k: v for k, v in old.items() if k not in ("cells", "metadata")} != {
        k: v for k, v in new.items() if k not in ("cells", "metadata")
    }:
        raise NotPatchable("the notebook's metadata changed")
    if len(old["cells"]) != len(new["cells"]):
        raise NotPatchable("cells were added or removed")
    changed = []
    for i, (a, b) in enumerate(zip(old["cells"], new["cells"])):
        if a == b:
            continue
        if a.get("cell_type") != "markdown" or b.get("cell_type") != "markdown":
            raise NotPatchable("a code cell or its output changed")
        if a.get("metadata") != b.get("metadata") or a.get("metadata", {}).get("tags"):
            raise NotPatchable("a Markdown cell's metadata or tags changed")
        changed.append(i)
    return changed


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def patch_page(
    name: str, old: dict[str, Any], new: dict[str, Any], page_html: str, extensions: list[str]
) -> PagePatch:
    """The page ``name``'s HTML after its notebook went from ``old`` to ``new``."""
    changed = _check_same_but_prose(old, new)
    old_sha = old.get("metadata", {}).get("lederuddannelse", {}).get("source_sha256")
    if old_sha and old_sha in page_html:
        raise NotPatchable("the page shows the source's hash")
    render = ParagraphRenderer(extensions, _glued_markdown(new), page_html)
    removed: Counter = Counter()
    added: Counter = Counter()
    text = page_html
    for i in changed:
        before = render.blocks(_source(old["cells"][i]))
        after = render.blocks(_source(new["cells"][i]))
        matcher = difflib.SequenceMatcher(
            None, [b[0] for b in before], [b[0] for b in after], autojunk=False
        )
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            gone = [render.paragraph(t) for _, t in before[i1:i2]]
            come = [render.paragraph(t) for _, t in after[j1:j2]]
            needle = "".join(r.html for r in gone)
            replacement = "".join(r.html for r in come)
            if not gone:  # an insertion: next to a neighbouring paragraph in the same cell
                if i1 > 0 and _is_paragraph(before[i1 - 1][1]):
                    anchor = render.paragraph(before[i1 - 1][1]).html
                    needle, replacement = anchor, anchor + replacement
                elif i1 < len(before) and _is_paragraph(before[i1][1]):
                    anchor = render.paragraph(before[i1][1]).html
                    needle, replacement = anchor, replacement + anchor
                else:
                    raise NotPatchable("a paragraph was added next to no other paragraph")
            if text.count(needle) != 1:
                raise NotPatchable("the old paragraph is not on the page exactly once")
            text = text.replace(needle, replacement, 1)
            for r in gone:
                removed.update(r.texts)
            for r in come:
                added.update(r.texts)
    return PagePatch(name, text, removed, added)


def _is_paragraph(tokens: list[Any]) -> bool:
    return [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]


# ============================================================================ search index
def _terms(lang: Any, texts: Counter) -> Counter:
    out: Counter = Counter()
    for text, n in texts.items():
        for word in lang.split(text):
            term = search_term(lang, word)
            if term:
                out[term] += n
    return out


def _as_set(value: Any) -> set[int]:
    return {value} if isinstance(value, int) else set(value or [])


def patch_search_index(index_js: str, page: str, before: Counter, after: Counter) -> str:
    """``searchindex.js`` with ``page``'s body terms going from ``before`` to ``after``."""
    if not (index_js.startswith(_INDEX_PREFIX) and index_js.endswith(_INDEX_SUFFIX)):
        raise NotPatchable("the search index is not in the form Sphinx writes")
    data = json.loads(index_js[len(_INDEX_PREFIX) : -len(_INDEX_SUFFIX)])
    if page not in data["docnames"]:
        raise NotPatchable(f"the search index has no page {page!r}")
    doc = data["docnames"].index(page)
    terms, titles = data["terms"], data["titleterms"]
    for term in before:
        if doc not in _as_set(titles.get(term)) and doc not in _as_set(terms.get(term)):
            raise NotPatchable("the search index does not hold the page's recorded words")
    for term in set(before) | set(after):
        if doc in _as_set(titles.get(term)):
            continue  # Sphinx files a page's title words under its titles only
        docs = _as_set(terms.get(term))
        docs = docs | {doc} if after.get(term, 0) > 0 else docs - {doc}
        if not docs:
            terms.pop(term, None)
        else:
            terms[term] = next(iter(docs)) if len(docs) == 1 else sorted(docs)
    return _INDEX_PREFIX + json.dumps(data, sort_keys=True) + _INDEX_SUFFIX


# ============================================================================ the site
def patch_site(
    stage: Path,
    site: Path,
    digests: dict[str, str],
    package: str,
    env: dict[str, str],
    root: Path,
) -> tuple[list[str], str]:
    """Patch the prose edits of the staged book into ``site`` (`build/site`).

    Returns the patched pages and '' (then the site is complete and recorded as rendered), or
    [] and the reason why Sphinx must render. Nothing is written unless every page patches.
    """
    try:
        return _patch_site(stage, site, digests, package, env, root), ""
    except NotPatchable as exc:
        return [], str(exc)


def _patch_site(
    stage: Path, site: Path, digests: dict[str, str], package: str, env: dict[str, str], root
) -> list[str]:
    try:
        rendered = json.loads((site / RENDERED).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NotPatchable("no record of what Sphinx last rendered") from exc
    if rendered.get("package") != package or rendered.get("env") != env:
        raise NotPatchable("the package or the data settings changed")
    was = rendered.get("files", {})
    changed = sorted(k for k in set(was) | set(digests) if was.get(k) != digests.get(k))
    if not changed:
        raise NotPatchable("nothing to patch")
    notebooks = [k for k in changed if k.endswith(".ipynb") and "/" not in k]
    if notebooks != changed or any(k not in was or k not in digests for k in changed):
        raise NotPatchable("files other than chapter notebooks changed")
    out = site / "_build" / "html"
    import yaml

    config = yaml.safe_load((stage / "_config.yml").read_text(encoding="utf-8")) or {}
    extensions = list((config.get("parse") or {}).get("myst_enable_extensions") or [])
    writes: dict[Path, bytes] = {}
    index_path = out / SEARCH_INDEX
    index_js = index_path.read_text(encoding="utf-8")
    for key in changed:
        name = key[: -len(".ipynb")]
        shown = out / "_sources" / key
        page_file = out / f"{name}.html"
        words_file = site / "_build" / SEARCH_WORDS / f"{name}.json"
        if not (shown.is_file() and page_file.is_file() and words_file.is_file()):
            raise NotPatchable(f"the rendered site lacks {name}'s page, source or words")
        old_bytes = shown.read_bytes()
        if hashlib.sha256(old_bytes).hexdigest() != was[key]:
            raise NotPatchable(f"{name}: the rendered page is not from the recorded notebook")
        new_bytes = (stage / key).read_bytes()
        old, new = json.loads(old_bytes), json.loads(new_bytes)
        patch = patch_page(name, old, new, page_file.read_text(encoding="utf-8"), extensions)
        try:
            recorded = json.loads(words_file.read_text(encoding="utf-8"))
            lang_spec, stopwords = recorded["lang"], list(recorded["stopwords"])
            before = Counter(dict(recorded["terms"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise NotPatchable(f"{name}: its recorded search words are unreadable") from exc
        if lang_spec != DANISH:
            raise NotPatchable(f"the search index is in another language ({lang_spec})")
        lang = RecordedDanish(stopwords)
        gone = _terms(lang, patch.words_removed)
        if gone - before:
            raise NotPatchable(f"{name}: the recorded words do not hold the old text")
        after = before - gone + _terms(lang, patch.words_added)
        index_js = patch_search_index(index_js, name, before, after)
        writes[page_file] = patch.html.encode("utf-8")
        writes[shown] = new_bytes
        download = out / "downloads" / key
        if download.is_file():
            writes[download] = downloadable_notebook(stage / key).encode("utf-8")
        source = new.get("metadata", {}).get("lederuddannelse", {}).get("source")
        if source and (out / "downloads" / Path(source).name).is_file():
            writes[out / "downloads" / Path(source).name] = (root / source).read_bytes()
        data = _words_json(lang_spec, after, stopwords)
        writes[words_file] = data.encode("utf-8")
    writes[index_path] = index_js.encode("utf-8")
    for path, data in writes.items():
        write_if_changed(path, data)
    record_rendered(site, digests, package, env)
    return [key[: -len(".ipynb")] for key in changed]
