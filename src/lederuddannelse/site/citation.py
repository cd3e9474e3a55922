"""Citation metadata: one file (`citation.yml`), everything else generated from it.

A reader cites the book, or one chapter of it, from the page; a reference manager imports it
from the page's Highwire `citation_*` meta tags; GitHub and Zenodo read `CITATION.cff`. All of
those are rendered here from :class:`Citation`, so no citation text is typed twice and a
change of author, version or URL reaches every output in the next build. The version is the
package's ``__version__`` (the version that computed the numbers), never typed in the YAML.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lederuddannelse import __version__
from lederuddannelse.errors import LederuddannelseError, ParameterError
from lederuddannelse.params import parameter_words
from lederuddannelse.paths import project_root

CITATION_FILE = "citation.yml"
CFF_FILE = "CITATION.cff"


@dataclass(frozen=True)
class Author:
    """A person (family and given names, ORCID) or an organisation/team (``name``)."""

    name: str = ""
    family: str = ""
    given: str = ""
    orcid: str = ""
    affiliation: str = ""

    @property
    def is_person(self) -> bool:
        return bool(self.family)

    def reference(self) -> str:
        """Danish reference-list form: 'Hansen, J. M.' or the organisation's name."""
        if not self.is_person:
            return self.name
        initials = " ".join(f"{part[0]}." for part in re.split(r"[\s]+", self.given) if part)
        return f"{self.family}, {initials}" if initials else self.family

    def inverted(self) -> str:
        """'Family, Given' (Highwire, BibTeX) or the organisation's name."""
        if not self.is_person:
            return self.name
        return f"{self.family}, {self.given}" if self.given else self.family

    def bibtex(self) -> str:
        """BibTeX name: 'Family, Given'; an organisation in braces so it is not split."""
        return (
            _bib_escape(self.inverted()) if self.is_person else "{" + _bib_escape(self.name) + "}"
        )

    def cff(self) -> dict[str, str]:
        if not self.is_person:
            out = {"name": self.name}
        else:
            out = {"family-names": self.family}
            if self.given:
                out["given-names"] = self.given
        if self.orcid:
            out["orcid"] = self.orcid
        if self.affiliation:
            out["affiliation"] = self.affiliation
        return out


@dataclass(frozen=True)
class Citation:
    """The book's citation metadata (from `citation.yml`) plus the package version."""

    title: str
    authors: tuple[Author, ...]
    date: dt.date
    publisher: str
    license: str
    repository: str
    version: str = __version__
    branch: str = "main"
    url: str = ""
    doi: str = ""
    subtitle: str = ""
    language: str = "da"
    abstract: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)
    # `binder: true` in citation.yml: the repository is real and public. Until then it is a
    # placeholder, and no page links to it (nor to the GitHub Pages address derived from it).
    public: bool = False

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def site_url(self) -> str:
        """The published site (ends in '/'): `url`, or GitHub Pages of the repository."""
        if self.url:
            return self.url.rstrip("/") + "/"
        m = re.match(r"https://github\.com/([^/]+)/([^/]+?)/?$", self.repository)
        if not m:
            raise LederuddannelseError(
                f"{CITATION_FILE}: 'url' is empty and 'repository' ({self.repository}) is not a "
                "GitHub repository; give the published site's address as 'url'."
            )
        return f"https://{m.group(1)}.github.io/{m.group(2)}/"

    @property
    def published_url(self) -> str:
        """The site's address where it is known to exist (`url`, or GitHub Pages of a public
        repository); empty while the repository is a placeholder and `url` is empty."""
        return self.site_url if (self.url or self.public) else ""

    def page_url(self, pagename: str) -> str:
        """A page's published address; empty where the site's address is not known."""
        return f"{self.published_url}{pagename}.html" if self.published_url else ""

    def source_url(self, path: str) -> str:
        """A committed file in the repository (for example a chapter's MyST source); empty
        while the repository is a placeholder."""
        if not self.public:
            return ""
        return f"{self.repository.rstrip('/')}/blob/{self.branch}/{path}"

    @property
    def author_text(self) -> str:
        """Danish reference list: 'A, B og C'."""
        names = [a.reference() for a in self.authors]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]

    def as_config(self) -> dict[str, Any]:
        """A plain dict (for Sphinx's config: a change makes Sphinx rewrite every page)."""
        return {
            "title": self.title,
            "authors": [a.cff() for a in self.authors],
            "date": self.date.isoformat(),
            "publisher": self.publisher,
            "license": self.license,
            "repository": self.repository,
            "branch": self.branch,
            "url": self.url,
            "public": self.public,
            "doi": self.doi,
            "version": self.version,
            "language": self.language,
        }

    @classmethod
    def from_config(cls, conf: dict[str, Any]) -> "Citation":
        """The inverse of :meth:`as_config`."""
        authors = tuple(
            Author(
                name=a.get("name", ""),
                family=a.get("family-names", ""),
                given=a.get("given-names", ""),
                orcid=a.get("orcid", ""),
                affiliation=a.get("affiliation", ""),
            )
            for a in conf["authors"]
        )
        return cls(
            title=conf["title"],
            authors=authors,
            date=dt.date.fromisoformat(conf["date"]),
            publisher=conf["publisher"],
            license=conf["license"],
            repository=conf["repository"],
            branch=conf["branch"],
            url=conf["url"],
            doi=conf["doi"],
            version=conf["version"],
            language=conf["language"],
            public=conf["public"],
        )


def load_citation(path: Path | str | None = None) -> Citation:
    """Read and check `citation.yml`; every problem names the file and the key."""
    path = Path(path) if path else project_root() / CITATION_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise LederuddannelseError(f"{path}: citation metadata file not found.") from None
    for key in ("title", "authors", "date-released", "publisher", "license", "repository"):
        if not raw.get(key):
            raise LederuddannelseError(f"{path}: '{key}' is missing or empty.")
    authors = []
    for i, a in enumerate(raw["authors"]):
        if not isinstance(a, dict) or not (a.get("name") or a.get("family-names")):
            raise LederuddannelseError(f"{path}: authors[{i}] needs 'name' or 'family-names'.")
        orcid = str(a.get("orcid") or "")
        if orcid and not re.match(r"^https://orcid\.org/\d{4}-\d{4}-\d{4}-\d{3}[\dX]$", orcid):
            raise LederuddannelseError(
                f"{path}: authors[{i}].orcid {orcid!r} is not https://orcid.org/NNNN-NNNN-NNNN-NNNN."
            )
        authors.append(
            Author(
                name=str(a.get("name") or ""),
                family=str(a.get("family-names") or ""),
                given=str(a.get("given-names") or ""),
                orcid=orcid,
                affiliation=str(a.get("affiliation") or ""),
            )
        )
    date = raw["date-released"]
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise LederuddannelseError(f"{path}: 'date-released' must be YYYY-MM-DD.") from None
    doi = str(raw.get("doi") or "").removeprefix("https://doi.org/")
    return Citation(
        title=str(raw["title"]),
        authors=tuple(authors),
        date=date,
        publisher=str(raw["publisher"]),
        license=str(raw["license"]),
        repository=str(raw["repository"]),
        branch=str(raw.get("branch") or "main"),
        url=str(raw.get("url") or ""),
        doi=doi,
        subtitle=str(raw.get("subtitle") or ""),
        language=str(raw.get("language") or "da"),
        abstract=str(raw.get("abstract") or "").strip(),
        keywords=tuple(str(k) for k in raw.get("keywords") or ()),
        public=raw.get("binder") is True,
    )


def repository_notice(c: Citation) -> str:
    """What the build says, once, while `citation.yml`'s repository is a placeholder."""
    if c.public:
        return ""
    return (
        f"{CITATION_FILE}: the repository ({c.repository}) is taken as a placeholder "
        "(binder is not true), so no page links to it"
        + ("" if c.url else " or to a site address derived from it")
        + "; set binder: true once it is the real, public repository."
    )


# --- CITATION.cff ---------------------------------------------------------------------------


def cff_text(c: Citation) -> str:
    """`CITATION.cff` (format 1.2.0) for GitHub and Zenodo, with the book as preferred citation."""
    authors = [a.cff() for a in c.authors]
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "Hvis du bruger bogen, så citér den som angivet her "
        "(If you use this book, please cite it as below).",
        "type": "software",
        "title": c.title,
        "authors": authors,
        "version": c.version,
        "date-released": c.date.isoformat(),
        "license": c.license,
        "repository-code": c.repository,
        "url": c.site_url,
    }
    if c.doi:
        data["doi"] = c.doi
    if c.abstract:
        data["abstract"] = c.abstract
    if c.keywords:
        data["keywords"] = list(c.keywords)
    preferred: dict[str, Any] = {
        "type": "book",
        "title": c.title,
        "authors": [a.cff() for a in c.authors],
        "year": c.year,
        "publisher": {"name": c.publisher},
        "url": c.site_url,
        "languages": [_iso639_3(c.language)],
    }
    if c.doi:
        preferred["doi"] = c.doi
    data["preferred-citation"] = preferred
    header = (
        "# Generated from citation.yml by `python -m lederuddannelse citation cff -o "
        "CITATION.cff`;\n"
        "# do not edit by hand (tests/book/test_citation.py checks that it is current).\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _iso639_3(code: str) -> str:
    return {"da": "dan", "en": "eng"}.get(code, code)


# --- references: chapters and the book ------------------------------------------------------


def parameters_note(
    params: dict[str, Any], globals_: dict[str, Any], group: str, several_groups: bool
) -> str:
    """What sets this run apart, for a chapter published once per parameter group.

    Empty for a chapter published once with the book's global parameters; otherwise the group
    and the parameters that differ from the globals (the ones a reader must know to find the
    same numbers again).
    """
    differ = {k: v for k, v in params.items() if k not in globals_ or globals_[k] != v}
    if not differ and not several_groups:
        return ""
    return f"parametergruppe {group} ({parameter_words(differ) or 'bogens standardparametre'})"


def chapter_reference_html(c: Citation, title: str, url: str, note: str = "") -> str:
    """Danish reference-list entry of a chapter of the book (HTML)."""
    e = html.escape
    title_part = e(title) + (f" [{e(note)}]" if note else "")
    stop = "" if title_part[-1:] in "?!." else "."
    return (
        f"{e(c.author_text)} ({c.year}). {title_part}{stop} I: <em>{e(c.title)}</em> "
        f"(version {e(c.version)}). {e(c.publisher)}. {_link_html(c, url)}"
    ).rstrip()


def book_reference_html(c: Citation) -> str:
    """Danish reference-list entry of the whole book (HTML)."""
    e = html.escape
    return (
        f"{e(c.author_text)} ({c.year}). <em>{e(c.title)}</em> (version {e(c.version)}). "
        f"{e(c.publisher)}. {_link_html(c, c.published_url)}"
    ).rstrip()


def _link_html(c: Citation, url: str) -> str:
    target = f"https://doi.org/{c.doi}" if c.doi else url
    if not target:
        return ""
    extra = f" ({html.escape(url)})" if c.doi and url else ""
    return f'<a href="{html.escape(target)}">{html.escape(target)}</a>{extra}'


_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\^{}",
}


def _bib_escape(text: str) -> str:
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in text)


def bibtex_key(c: Citation, pagename: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", f"lederuddannelse{c.year}_{pagename}".lower()).strip("_")


def _bibtex(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def _common_fields(c: Citation) -> list[tuple[str, str]]:
    return [
        ("author", " and ".join(a.bibtex() for a in c.authors)),
        ("year", str(c.year)),
        ("publisher", _bib_escape(c.publisher)),
        ("edition", f"Version {_bib_escape(c.version)}"),
        ("version", _bib_escape(c.version)),
        ("doi", _bib_escape(c.doi)),
        ("url", c.published_url),
        ("language", "danish" if c.language == "da" else c.language),
    ]


def chapter_bibtex(c: Citation, pagename: str, title: str, url: str, note: str = "") -> str:
    """`@incollection` (a titled part of the book; Zotero: book section) of one chapter page."""
    fields = _common_fields(c)
    fields = [(k, url if k == "url" else v) for k, v in fields]
    fields.insert(1, ("title", "{" + _bib_escape(title) + "}"))
    fields.insert(2, ("booktitle", "{" + _bib_escape(c.title) + "}"))
    fields.append(("note", _bib_escape(note[0].upper() + note[1:]) if note else ""))
    return _bibtex("incollection", bibtex_key(c, pagename), fields)


def book_bibtex(c: Citation) -> str:
    fields = _common_fields(c)
    fields.insert(1, ("title", "{" + _bib_escape(c.title) + "}"))
    return _bibtex("book", bibtex_key(c, "bog"), fields)


# --- Highwire meta tags --------------------------------------------------------------------


def highwire_tags(c: Citation, title: str, url: str, chapter: bool) -> list[tuple[str, str]]:
    """(name, content) pairs of `citation_*` tags: one `citation_author` per author.

    A chapter carries `citation_book_title`, which makes Zotero file it as a book section.
    """
    tags = [("citation_title", title)]
    for a in c.authors:
        tags.append(("citation_author", a.inverted()))
        if a.orcid:
            tags.append(("citation_author_orcid", a.orcid))
    tags += [("citation_publication_date", c.date.strftime("%Y/%m/%d"))]
    if chapter:
        tags.append(("citation_book_title", c.title))
    tags += [
        ("citation_publisher", c.publisher),
        ("citation_language", c.language),
    ]
    if url:
        tags.append(("citation_public_url", url))
    if c.doi:
        tags.append(("citation_doi", c.doi))
    return tags


# --- re-executing -------------------------------------------------------------------------


def _cli_value(value: Any) -> str:
    """A value as `-p NAME VALUE` must spell it so that `parse_cli_value` gives it back."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = value if yaml.safe_load(value) == value else json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value)
    return shlex.quote(text)


def rerun_command(source: str, params: dict[str, Any], globals_: dict[str, Any], group: str) -> str:
    """The command that re-executes one run: ``-g group`` and every parameter that differs
    from ``globals_``, the book's defaults (parameters.yml's `global`): the group's own, and a
    data file or mapping the build's command line gave (named by file name, as pages name
    them). `run` starts from the group's parameters, so the command stays short while naming
    everything that is not the book's default."""
    parts = [
        "python",
        "-m",
        "lederuddannelse",
        "run",
        shlex.quote(source),
        "-g",
        shlex.quote(group),
    ]
    for name, value in params.items():
        if name not in globals_ or globals_[name] != value:
            parts += ["-p", name, _cli_value(value)]
    return " ".join(parts)


#: The last second the build date can show (datetime's year 9999).
MAX_EPOCH = int(dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc).timestamp())


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` as an integer within the years a page can show, or None."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        epoch = int(value)
    except ValueError:
        epoch = -1
    if not 0 <= epoch <= MAX_EPOCH:
        raise ParameterError(
            f"SOURCE_DATE_EPOCH = {value!r}: expected a whole number of seconds from 0 to "
            f"{MAX_EPOCH} (the build date, 1970 to 9999)."
        )
    return epoch


def build_date() -> str:
    """The date every page shows: SOURCE_DATE_EPOCH's (reproducible builds) or today's."""
    epoch = source_date_epoch()
    when = (
        dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
        if epoch is not None
        else dt.datetime.now(dt.timezone.utc)
    )
    return when.date().isoformat()
