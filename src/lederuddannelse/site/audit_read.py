"""The disclosure audit's reading: what readers can read, as raw tables and texts.

:mod:`lederuddannelse.site.audit` checks what readers can read; this module reads it (the
tables of HTML pages, chart data sets, CSV downloads and notebooks, as *raw* tables that need
neither pandas nor NumPy, and the pages' texts). The build audits the whole rendered site on
every render.
"""

from __future__ import annotations

import base64
import hashlib
import json
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from lederuddannelse.stats.limits import DEFAULT_MIN_COUNT, DEFAULT_MIN_N

#: Labels of statistics that are one respondent's value.
SINGLE_RESPONDENT_LABELS = ("Største vægt", "Mindste vægt", "Største / mindste vægt")


SKIPPED_PAGES = {"genindex.html", "search.html"}


@dataclass
class Finding:
    where: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.detail}"


@dataclass
class AuditReport:
    min_n: int
    min_count: int
    pages: int = 0
    frames: int = 0
    cells: int = 0
    hidden: int = 0
    sets: int = 0
    findings: list[Finding] = field(default_factory=list)
    #: equations over hidden cells per relation of ``audit_across`` (R1 ...), and "hidden
    #: cells": how many hidden cells at least one of them relates
    relations: dict[str, int] = field(default_factory=dict)
    #: the pages' reader-visible texts (file -> text), for the checks of tables against prose
    texts: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        head = (
            f"Disclosure audit (min_n = {self.min_n}, min_count = {self.min_count}): "
            f"{self.pages} page(s)/file(s), {self.frames} published tables/data sets, "
            f"{self.cells} counts ({self.hidden} hidden) in {self.sets} sets that add up: "
        )
        if self.ok:
            return head + "no small count, nothing recoverable."
        # the same table is published on the page and in two notebook copies: list it once
        places: dict[tuple[str, str, str], list[Finding]] = {}
        for f in self.findings:
            table = f.where.split(" ", 1)[1] if " " in f.where else ""
            places.setdefault((f.kind, f.detail, table), []).append(f)
        lines = [head + f"{len(self.findings)} problem(s), {len(places)} distinct:"]
        for group in list(places.values())[:50]:
            more = f" (and {len(group) - 1} notebook copies)" if len(group) > 1 else ""
            lines.append(f"  {group[0]}{more}")
        if len(places) > 50:
            lines.append(f"  ... and {len(places) - 50} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class RawFrame:
    """A published table as read from a file, before typing: what the audit's cache keeps.

    ``kind`` says how ``payload`` becomes a :class:`Frame`: "csv" (CSV text), "csvbytes" (a
    CSV file's bytes), "records" (chart data rows) or "html" ((header, rows) of strings).
    ``digest`` identifies the payload, so two audits of the same tables can be told apart
    without typing them (see :func:`audit`'s cache).
    """

    kind: str
    page: str
    where: str
    payload: Any
    digest: str


def _raw(kind: str, page: str, where: str, payload: Any) -> RawFrame:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    digest = hashlib.sha256(kind.encode() + b"\0" + data).hexdigest()
    return RawFrame(kind, page, where, payload, digest)


# What html.parser does not read as markup: a "<table" in them is no table.
_NOT_MARKUP = re.compile(r"<script.*?</script>|<style.*?</style>|<!--.*?-->", re.S | re.I)
_TABLE = re.compile(r"<table\b.*?</table>", re.S | re.I)


def _tables_of(html: str, page: str, where: str, first: int = 0) -> list[RawFrame]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    out = []
    for k, table in enumerate(soup.find_all("table"), start=first):
        head = table.find("thead")
        header = [th.get_text(" ", strip=True) for th in (head or table).find_all("th")]
        rows = []
        for tr in (table.find("tbody") or table).find_all("tr"):
            cells = [td.get_text(" ", strip=True) for td in tr.find_all(["td", "th"])]
            if cells and len(cells) == len(header) and cells != header:
                rows.append(cells)
        if not rows:
            continue
        name = table.get("id") or f"table {k + 1}"
        out.append(_raw("html", page, f"{where} table {name}", [header, rows]))
    return out


def _csv_frames(html: str, page: str, where: str) -> list[RawFrame]:
    out = []
    pattern = r'download="([^"]+)"\s+href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)"'
    for m in re.finditer(pattern, html):
        text = base64.b64decode(m.group(2)).decode("utf-8-sig")
        out.append(_raw("csv", page, f"{where} CSV {m.group(1)}", text))
    return out


def _vega_frames(html: str, page: str, where: str) -> list[RawFrame]:
    out, seen = [], set()
    dec = json.JSONDecoder()
    for m in re.finditer(r'"datasets"\s*:\s*', html):
        try:
            obj, _ = dec.raw_decode(html, m.end())
        except json.JSONDecodeError:
            continue
        for name, rows in obj.items() if isinstance(obj, dict) else []:
            if name in seen or not isinstance(rows, list) or not rows:
                continue
            seen.add(name)
            out.append(_raw("records", page, f"{where} chart data {name[:13]}", rows))
    return out


def _page_texts(html: str) -> str:
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", text)


def raw_frames_of_html(html: str, page: str, where: str) -> list[RawFrame]:
    return (
        _csv_frames(html, page, where)
        + _vega_frames(html, page, where)
        + _tables_of(html, page, where)
    )


def _notebook_htmls(data: bytes) -> list[str]:
    """Every HTML-ish output of a notebook (visible or glued, shown or hidden on the page)."""
    nb = json.loads(data.decode("utf-8"))
    out = []
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []):
            for mime, value in o.get("data", {}).items():
                if mime.endswith("text/html") or mime.endswith("text/markdown"):
                    out.append("".join(value) if isinstance(value, list) else str(value))
    return out


def _audited_files(target: Path) -> list[Path]:
    if target.is_dir():  # a site, or a folder of executed notebooks (build/book)
        files = sorted(p for p in target.glob("*.html") if p.name not in SKIPPED_PAGES)
        files += sorted(target.glob("*.ipynb"))
        files += sorted(target.glob("_sources/*.ipynb")) + sorted(target.glob("downloads/*.ipynb"))
        return files + sorted(target.glob("downloads/*.csv"))
    return [target]


def _read_file(f: Path, rel: str, data: bytes) -> tuple[list[RawFrame], str | None]:
    """The raw tables of one published file (``data``: its bytes) and its reader-visible
    text (None: no text)."""
    page = f.stem
    if f.suffix == ".csv":
        return [_raw("csvbytes", page, rel, data)], None
    if f.suffix == ".ipynb":
        raws: list[RawFrame] = []
        texts = []
        for k, h in enumerate(_notebook_htmls(data)):
            raws += raw_frames_of_html(h, page, f"{rel} output {k + 1}")
            texts.append(_page_texts(h))
        return raws, "\n".join(texts) if texts else None
    html = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text
    return raw_frames_of_html(html, page, rel), _page_texts(html)


FILES_CACHE = "files.pickle"  # in the audit's cache folder: what each file holds


def _reader_version() -> bytes:
    """What a cached reading depends on besides the file: this module's code."""
    return hashlib.sha256(Path(__file__).read_bytes()).digest()


def load_cache(cache: Path | None) -> dict:
    """A cache file's entries ({} when there is none or it cannot be read)."""
    if cache is None or not cache.is_file():
        return {}
    try:
        with open(cache, "rb") as fh:
            stored = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
        return {}  # a damaged or foreign cache is read again from the files
    return stored if isinstance(stored, dict) else {}


def save_cache(cache: Path, entries: dict) -> None:
    """Write a cache file's entries (the old file stays whole until the new one is written)."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(cache.name + ".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(entries, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache)


def collect_raw(
    target: Path, cache: Path | None = None
) -> tuple[list[RawFrame], dict[str, str], int]:
    """Raw tables and page texts of a site folder, a page, a notebook or a CSV file.

    ``cache``: a folder in which ``files.pickle`` keeps what each file held, keyed by its
    name, the sha256 of its bytes and this module's code: an unchanged file is not parsed
    again (the result is the same as without the cache)."""
    target = Path(target)
    files = _audited_files(target)
    raws: list[RawFrame] = []
    texts: dict[str, str] = {}
    read: set[str] = set()  # the notebooks are published twice (_sources/, downloads/)
    version = _reader_version()
    stored = load_cache(cache / FILES_CACHE if cache else None)
    kept: dict = {}
    for f in files:
        rel = f.name if not target.is_dir() else f.relative_to(target).as_posix()
        data = f.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest in read:
            continue
        read.add(digest)
        key = hashlib.sha256(version + rel.encode() + b"\0" + digest.encode()).hexdigest()
        if key not in stored:
            stored[key] = _read_file(f, rel, data)
        kept[key] = file_raws, text = stored[key]
        raws += file_raws
        if text is not None:
            texts[rel] = text
    if cache is not None:
        save_cache(cache / FILES_CACHE, kept)
    return raws, texts, len(files)


@dataclass
class Memo:
    """What the checks learn of one table alone (its typed form, its structure, the row sets
    that add up), kept by the table's content: a cached audit types and analyses only the
    tables that changed, while every check across tables runs over all of them. ``version``
    covers the audit's code, pandas and the codebook's vocabulary. Without a cache folder
    it starts empty, and the audit computes everything. (Used by ``audit.check_raw_tables``.)"""

    stored: dict
    version: bytes
    used: dict = field(default_factory=dict)

    def get(self, key: str, compute):
        k = hashlib.sha256(self.version + key.encode()).hexdigest()
        if k not in self.stored:
            self.stored[k] = compute()
        self.used[k] = self.stored[k]
        return self.used[k]


def sorted_vocabulary(vocabulary: tuple) -> tuple:
    """The codebook's vocabulary (``audit._grouping_vocabulary``) in a stable order."""
    names, values, codes = vocabulary
    return (
        sorted(names),
        [sorted(v) for v in values],
        sorted((k, sorted(m.items(), key=repr)) for k, m in codes.items()),
    )


#: The checks of the tables (``audit.check_raw_tables``): (raw tables, the pages' totals,
#: page_total, the report to fill, the cache folder or None). Passed in, so that this module
#: imports no pandas.
TableChecks = Callable[
    [list[RawFrame], dict[str, int], "int | None", "AuditReport", "Path | None"], None
]


def run_audit(
    target: Path | str,
    check_tables: TableChecks,
    min_n: int = DEFAULT_MIN_N,
    min_count: int = DEFAULT_MIN_COUNT,
    page_total: int | None = None,
    cache: Path | None = None,
) -> AuditReport:
    """Audit a built site folder (or one page, notebook or CSV); see ``audit.audit``.
    ``cache``: see :func:`collect_raw`."""
    raws, texts, nfiles = collect_raw(Path(target), cache)
    report = AuditReport(min_n=min_n, min_count=min_count, pages=nfiles, texts=texts)
    totals = _page_totals(texts) if page_total is None else {}
    check_tables(raws, totals, page_total, report, cache)
    _texts(texts, min_n, report)
    return report


def _page_totals(texts: dict[str, str]) -> dict[str, int]:
    """The number of respondents each page's notice states ('…, 6.000 besvarelser.')."""
    out = {}
    for where, text in texts.items():
        m = re.search(r"\),\s*([\d.]+)\s+besvarelser\.", text)
        if m:
            out[Path(where).stem] = int(m.group(1).replace(".", ""))
    return out


def _texts(texts: dict[str, str], min_n: int, report: AuditReport) -> None:
    for where, text in texts.items():
        for m in re.finditer(r"\bn\s*=\s*(\d[\d.]*)", text):
            v = int(m.group(1).replace(".", "") or 0)
            if 0 < v < min_n:
                report.findings.append(
                    Finding(where, "estimate on few respondents", f"the text says n = {v}")
                )
        for label in SINGLE_RESPONDENT_LABELS:
            if label in text:
                report.findings.append(
                    Finding(where, "one respondent's value", f"the page shows »{label}«")
                )


def gate(
    site: Path,
    check_tables: TableChecks,
    min_n: int,
    min_count: int,
    quiet: bool = False,
    cache: Path | None = None,
) -> AuditReport:
    """The build's gate: audit the rendered site before it is published; raise a
    :class:`~lederuddannelse.errors.DisclosureError` naming every problem if it is not clean.
    ``cache``: see :func:`collect_raw`."""
    from lederuddannelse.errors import DisclosureError

    report = run_audit(site, check_tables, min_n=min_n, min_count=min_count, cache=cache)
    if not report.ok:
        raise DisclosureError(
            report.summary()
            + "\nThe site was not published (the previously published site is unchanged). "
            "Find the table named above in its chapter and suppress the cell through the "
            "statistics layer (SurveyDesign and SuppressionPolicy), then build again."
        )
    if not quiet:
        print(report.summary(), flush=True)
    return report
