"""The built site as readers meet it: page weights, layout checks and screenshots in Chromium.

Used by the browser tests, by `make screenshots` and by `make bench`. Everything runs against a
local server on 127.0.0.1 with every other host blocked, so a page that would reach the network
is caught (and counted) instead of silently loading something.

- :func:`page_weights`: the bytes each page makes a browser fetch (HTML, scripts, styles, fonts,
  images), uncompressed and gzip-compressed ("transfer"), against the budget.
- :func:`check_site`: every page at each width: sideways scroll, charts and tables inside the main
  column (a table may scroll in its own box), overlapping axis tick labels, axe-core in light and
  dark mode, requests to other hosts, console errors.
- :func:`screenshots`: full-page PNGs of every page at 390 and 1280 px.
- :func:`code_cells`: per page, the code cells a reader can unfold and their lines.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import re
import shutil
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlparse

WIDTHS = (390, 768, 1280, 1920)
SCREENSHOT_WIDTHS = (390, 1280)
# bytes a page without charts may transfer (the theme's FontAwesome script, 540 kB gzip, is
# left out by _templates/layout.html; the theme's icons come from its CSS icon font)
TEXT_BUDGET = 400_000
CHART_BUDGET = 1_500_000  # bytes a page with charts may transfer
AXE = Path(__file__).resolve().parents[3] / "tests" / "site" / "vendor" / "axe.min.js"
SKIP_PAGES = {"genindex.html", "index.html"}  # index.html only redirects


def site_pages(site: Path) -> list[str]:
    """The site's pages a reader can reach (index.html is the redirect to the front page)."""
    return sorted(p.name for p in site.glob("*.html") if p.name not in SKIP_PAGES)


# ----------------------------------------------------------------------------- page weights
_REF = re.compile(
    r"""<(?:script|img|source)\b[^>]*?\bsrc=["']([^"']+)["']"""
    r"""|<link\b[^>]*?\brel=["'](?:stylesheet|preload|icon|shortcut icon)["']"""
    r"""[^>]*?\bhref=["']([^"']+)["']"""
    r"""|<link\b[^>]*?\bhref=["']([^"']+)["'][^>]*?\brel=["'](?:stylesheet|preload|icon)["']""",
    re.I,
)
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


def _local(site: Path, base: str, ref: str) -> Path | None:
    if ref.startswith(("data:", "#", "mailto:")):
        return None
    url = urlparse(urljoin(base, ref))
    if url.scheme not in ("", "file") or url.netloc:
        return None
    path = (site / url.path.lstrip("/")).resolve()
    return path if path.is_file() else None


@dataclass
class PageWeight:
    page: str
    has_charts: bool
    raw: int = 0
    transfer: int = 0  # gzip-compressed, as a static host with compression serves it
    files: list[str] = field(default_factory=list)

    @property
    def budget(self) -> int:
        return CHART_BUDGET if self.has_charts else TEXT_BUDGET

    @property
    def ok(self) -> bool:
        return self.transfer <= self.budget


def page_weights(site: Path) -> list[PageWeight]:
    """What each page loads: the HTML and every script, style sheet, preload, icon and image it
    references, plus what the style sheets reference (fonts, images), each file counted once.
    An upper bound: every font a style sheet declares counts, while a browser fetches only the
    fonts the page uses (the theme's CSS declares three icon fonts, a page uses one).

    ``transfer`` is the gzip size (what a browser receives from GitHub Pages or any static host
    that compresses); ``raw`` the bytes on disk (what it reads from ``file://``). Source maps are
    not counted: browsers fetch them only with developer tools open.
    """
    site = Path(site)
    out = []
    for name in site_pages(site):
        html = (site / name).read_text(encoding="utf-8")
        seen: dict[Path, None] = {(site / name).resolve(): None}
        queue = [(name, m.group(1) or m.group(2) or m.group(3)) for m in _REF.finditer(html)]
        while queue:
            base, ref = queue.pop()
            path = _local(site, base, ref)
            if path is None or path in seen:
                continue
            seen[path] = None
            if path.suffix == ".css":
                rel = path.relative_to(site.resolve()).as_posix()
                text = path.read_text(encoding="utf-8", errors="replace")
                # a browser fetches the first format it supports: count woff2 only
                refs = [u for u in _CSS_URL.findall(text) if not u.startswith("data:")]
                woff2 = [u for u in refs if ".woff2" in u]
                fonts = [u for u in refs if re.search(r"\.(woff|ttf|eot|otf)\b", u)]
                keep = [u for u in refs if u not in fonts] + woff2
                queue += [(rel, u) for u in keep]
        w = PageWeight(name, "altair-viz-" in html)
        for path in seen:
            data = path.read_bytes()
            w.raw += len(data)
            w.transfer += len(gzip.compress(data, 6))
            w.files.append(path.relative_to(site.resolve()).as_posix())
        out.append(w)
    return out


def weight_lines(weights: list[PageWeight]) -> list[str]:
    lines = [f"  {'page':28s}{'kind':>7s}{'transfer':>11s}{'raw':>11s}{'budget':>11s}"]
    for w in weights:
        lines.append(
            f"  {w.page:28s}{'chart' if w.has_charts else 'text':>7s}"
            f"{w.transfer / 1000:>9.0f}kB{w.raw / 1000:>9.0f}kB{w.budget / 1000:>9.0f}kB"
            f"  {'ok' if w.ok else 'OVER BUDGET'}"
        )
    return lines


# ----------------------------------------------------------------------------- the browser
@contextmanager
def serve(site: Path):
    """Serve ``site`` on 127.0.0.1 (a free port) for the duration of the block."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class MissingTool(RuntimeError):
    """A tool a check needs is not installed: the check fails, it never passes unchecked."""


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        raise MissingTool(
            "Chromium is not installed, so the pages cannot be checked in a browser: "
            "run `make system-deps` (as root; Debian's package `chromium`)."
        )
    return path


def axe_source() -> str:
    """axe-core's script (vendored beside the browser tests); a missing file is an error."""
    if not AXE.is_file():
        raise MissingTool(
            f"axe-core is missing ({AXE}), so accessibility cannot be checked: restore "
            "tests/site/vendor/axe.min.js from the repository (git checkout -- tests/site/vendor)."
        )
    return AXE.read_text(encoding="utf-8")


@contextmanager
def browser_context(base: str, blocked: list[str]):
    """A Chromium context in which only ``base`` can be reached (every other URL is recorded
    in ``blocked`` and aborted)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=require_chromium(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(30_000)

            def only_local(route):
                if route.request.url.startswith(base) or route.request.url.startswith("data:"):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", only_local)
            yield context
        finally:
            browser.close()


WAIT_CHARTS = """async () => {
  const boxes = [...document.querySelectorAll("div[id^='altair-viz-']")];
  const t0 = Date.now();
  while (Date.now() - t0 < 15000) {
    if (boxes.every(b => b.querySelector("svg.marks, canvas.marks")) &&
        (!window.leduCharts || window.leduCharts.idle())) return boxes.length;
    await new Promise(r => setTimeout(r, 50));
  }
  return -1;
}"""

LAYOUT = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    problems.push(`document scrolls sideways (${doc.scrollWidth} > ${window.innerWidth})`);
  const col = document.querySelector("#main-content, main, article") || document.body;
  const c = col.getBoundingClientRect();
  const inside = (r) => r.left >= c.left - 1 && r.right <= c.right + 1;
  document.querySelectorAll("div[id^='altair-viz-']").forEach((box, i) => {
    const svg = box.querySelector("svg.marks, canvas.marks");
    if (!svg) { problems.push(`chart ${i} did not render`); return; }
    const r = svg.getBoundingClientRect();
    const where = (q) => `${Math.round(q.left)}-${Math.round(q.right)}`;
    if (!inside(r))
      problems.push(`chart ${i} (${box.closest("figure")?.id || ""}) overflows the column: `
        + `${where(r)} vs ${where(c)}`);
    // tick labels of one axis must not overlap
    svg.querySelectorAll("g.role-axis").forEach((axis, k) => {
      // what a reader sees: Vega hides overlapping labels with opacity 0
      const texts = [...axis.querySelectorAll("g.role-axis-label text")]
        .filter(t => getComputedStyle(t).opacity !== "0" && t.getAttribute("opacity") !== "0");
      const labels = texts.map(t => t.getBoundingClientRect()).filter(b => b.width > 0);
      for (let a = 0; a < labels.length; a++) for (let b = a + 1; b < labels.length; b++) {
        const p = labels[a], q = labels[b];
        const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (w > 1 && h > 1) {
          problems.push(`chart ${i} axis ${k}: tick labels overlap `
            + `(${texts[a].textContent} / ${texts[b].textContent})`);
          return;
        }
      }
    });
  });
  document.querySelectorAll("article table").forEach((t, i) => {
    const r = t.getBoundingClientRect();
    if (inside(r)) return;
    let s = t.parentElement, ok = false;
    while (s && s !== col) {
      const st = getComputedStyle(s);
      if (/(auto|scroll)/.test(st.overflowX)) { ok = inside(s.getBoundingClientRect()); break; }
      s = s.parentElement;
    }
    const caption = t.querySelector("caption")?.textContent.trim().slice(0, 40);
    if (!ok) problems.push(`table ${i} (${caption}) overflows the column unseen`);
  });
  return problems;
}"""

AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => `${v.impact} ${v.id}: ${v.help} `
    + `(${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join('; ')})`)"""

NO_TRANSITIONS = (
    "*, *::before, *::after { transition: none !important; animation: none !important; }"
)

#: Unfold (true) or fold (false) every code cell folded behind "Vis koden"; returns how many.
SET_CODE = """(open) => {
  const cells = [...document.querySelectorAll("details.above-input")];
  cells.forEach(d => { d.open = open; });
  return cells.length;
}"""

SET_MODE = """(mode) => {
  document.documentElement.dataset.theme = mode;
  document.documentElement.dataset.mode = mode;
  try { localStorage.setItem("mode", mode); localStorage.setItem("theme", mode); } catch (e) {}
  if (window.leduCharts) window.leduCharts.refresh();
}"""


@dataclass
class Check:
    page: str
    width: int
    problems: list[str]
    weight: PageWeight | None = None  # what the page loaded (first width only)


def check_site(
    site: Path,
    widths=WIDTHS,
    axe_widths=WIDTHS,
    pages: list[str] | None = None,
    per_page=None,
) -> tuple[list[Check], list[str]]:
    """Every page at every width: layout problems, and axe-core in light and dark mode at
    ``axe_widths``. Returns the per page-and-width results and the blocked external URLs.

    Pages are loaded once each in one browser; the viewport is resized between widths, which
    is what a reader turning a tablet does (the charts must re-fit without a reload).
    ``per_page(page, name)`` (optional) runs further checks once per page, at the first width
    after the charts rendered, and returns its problems.
    """
    site = Path(site)
    pages = pages or site_pages(site)
    results: list[Check] = []
    blocked: list[str] = []
    axe = axe_source() if axe_widths else None
    with serve(site) as base, browser_context(base, blocked) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        loaded: dict[str, bytes] = {}

        def record(response):
            try:
                if response.url.startswith(base) and response.ok:
                    loaded[response.url.split("?")[0]] = response.body()
            except Exception:  # a response without a body (redirect, aborted)
                pass

        page.on("response", record)
        for name in pages:
            page.set_viewport_size({"width": widths[0], "height": 900})
            errors.clear()
            loaded.clear()
            page.goto(f"{base}/{name}", wait_until="load")
            # colours are checked as they end up, not halfway through the theme's transitions
            page.add_style_tag(content=NO_TRANSITIONS)
            for width in widths:
                page.set_viewport_size({"width": width, "height": 900})
                problems: list[str] = []
                if page.evaluate(WAIT_CHARTS) < 0:
                    state = page.evaluate("() => window.leduCharts && window.leduCharts.state()")
                    problems.append(f"charts did not render within 15 s: {state}")
                problems += page.evaluate(LAYOUT)
                # the same with every code cell unfolded (what "Vis al kode" shows)
                if page.evaluate(SET_CODE, True):
                    problems += [f"code unfolded: {p}" for p in page.evaluate(LAYOUT)]
                    if axe and width == axe_widths[0]:
                        if not page.evaluate("typeof axe !== 'undefined'"):
                            page.add_script_tag(content=axe)
                        problems += [f"axe (code unfolded): {v}" for v in page.evaluate(AXE_RUN)]
                    page.evaluate(SET_CODE, False)
                if per_page is not None and width == widths[0]:
                    problems += per_page(page, name)
                if axe and width in axe_widths:
                    if not page.evaluate("typeof axe !== 'undefined'"):
                        page.add_script_tag(content=axe)
                    for mode in ("light", "dark"):
                        page.evaluate(SET_MODE, mode)
                        page.evaluate(WAIT_CHARTS)
                        problems += [f"axe ({mode}): {v}" for v in page.evaluate(AXE_RUN)]
                    page.evaluate(SET_MODE, "light")
                    page.evaluate(WAIT_CHARTS)
                if errors:
                    problems.append(f"console errors: {errors[:3]}")
                    errors.clear()
                weight = None
                if width == widths[0]:
                    page.wait_for_load_state("networkidle")
                    html = (site / name).read_text(encoding="utf-8")
                    weight = PageWeight(name, "altair-viz-" in html)
                    for url, body in loaded.items():
                        weight.raw += len(body)
                        weight.transfer += len(gzip.compress(body, 6))
                        weight.files.append(url[len(base) :])
                results.append(Check(name, width, problems, weight))
    return results, blocked


def browser_weights(site: Path) -> list[PageWeight]:
    """What each page makes Chromium fetch (measured, at 1280 px): every response's body,
    raw and gzip-compressed."""
    results, _ = check_site(site, widths=(1280,), axe_widths=())
    return [r.weight for r in results if r.weight is not None]


def measured_weights(site: Path) -> tuple[list[PageWeight], str]:
    """Page weights measured in Chromium when it is installed, else the static estimate (an
    upper bound: it counts every web font a style sheet names, used or not)."""
    if chromium_path() is not None:
        return browser_weights(site), "measured in Chromium"
    return page_weights(site), "static estimate (no Chromium)"


def screenshots(
    site: Path, out: Path, widths=SCREENSHOT_WIDTHS, pages: list[str] | None = None, code=False
) -> list[Path]:
    """Full-page screenshots of every page (or ``pages``) at each width:
    ``out/{page}-{width}.png``; with ``code``, the page's first folded code cell is unfolded
    (``out/{page}-kode-{width}.png``)."""
    site, out = Path(site), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    blocked: list[str] = []
    with serve(site) as base, browser_context(base, blocked) as context:
        page = context.new_page()
        for name in pages or site_pages(site):
            for width in widths:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{base}/{name}", wait_until="load")
                page.evaluate(WAIT_CHARTS)
                stem = Path(name).stem
                if code:  # the first figure's code, opened as a reader opens it
                    toggle = page.locator("figure").first.locator(
                        "xpath=ancestor::div[contains(concat(' ', @class, ' '), ' cell ')][1]"
                        "//details[contains(@class, 'above-input')]/summary"
                    )
                    toggle.click()
                    page.evaluate(WAIT_CHARTS)
                    stem += "-kode"
                target = out / f"{stem}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
    return written


def result_table(results: list[Check], widths=WIDTHS) -> list[str]:
    """Pages × widths: 'ok' or the number of problems."""
    by = {(r.page, r.width): r for r in results}
    pages = list(dict.fromkeys(r.page for r in results))
    lines = [
        f"| page | {' | '.join(f'{w} px' for w in widths)} |",
        "|---" * (len(widths) + 1) + "|",
    ]
    for p in pages:
        cells = []
        for w in widths:
            r = by.get((p, w))
            cells.append(
                "–" if r is None else ("ok" if not r.problems else f"{len(r.problems)} problems")
            )
        lines.append(f"| {p} | {' | '.join(cells)} |")
    return lines


def code_cells(site: Path) -> list[tuple[str, int, int, int]]:
    """Per page with code: (page, code cells a reader can unfold, their lines, the lines of
    the longest), from the built HTML."""
    from bs4 import BeautifulSoup

    rows = []
    for name in site_pages(site):
        soup = BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")
        lines = [
            len(cell.find("pre").get_text().rstrip("\n").splitlines())
            for cell in soup.select("main div.cell_input")
        ]
        if lines:
            rows.append((Path(name).stem, len(lines), sum(lines), max(lines)))
    return rows


def main(argv: list[str] | None = None) -> int:
    from lederuddannelse.paths import project_root

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["screenshots", "check", "weights", "code"])
    ap.add_argument("--site", type=Path, default=None, help="built site (default _build/html)")
    ap.add_argument("--out", type=Path, default=None, help="screenshot folder (build/screenshots)")
    ap.add_argument("--page", action="append", help="screenshots: only this page (repeatable)")
    ap.add_argument(
        "--code", action="store_true", help="screenshots: with the first figure's code unfolded"
    )
    args = ap.parse_args(argv)
    root = project_root()
    site = args.site or root / "_build" / "html"
    if not (site / "index.html").is_file():
        print(f"No built site at {site}: run `make book` first.", file=sys.stderr)
        return 2
    if args.what == "weights":
        weights, how = measured_weights(site)
        print(f"Page weights ({how}); transfer = gzip, as a static host serves them:")
        print("\n".join(weight_lines(weights)))
        return 0 if all(w.ok for w in weights) else 1
    if args.what == "code":
        print(f"{'page':26} {'cells':>5} {'lines':>5} {'longest':>7}")
        for page, cells, lines, longest in code_cells(site):
            print(f"{page:26} {cells:5} {lines:5} {longest:7}")
        return 0
    try:
        require_chromium()
        if args.what == "check":
            axe_source()
    except MissingTool as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.what == "screenshots":
        files = screenshots(
            site, args.out or root / "build" / "screenshots", pages=args.page, code=args.code
        )
        print(f"Wrote {len(files)} screenshots to {files[0].parent}")
        return 0
    results, blocked = check_site(site)
    print("\n".join(result_table(results)))
    for r in results:
        for p in r.problems:
            print(f"{r.page} @ {r.width}px: {p}")
    if blocked:
        print(f"blocked requests to other hosts: {sorted(set(blocked))[:10]}")
    return 1 if blocked or any(r.problems for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
