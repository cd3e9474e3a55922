"""The build: a thin stage in front of papermill, jupyter-cache and Jupyter Book.

1. validate `parameters.yml`, every chapter's parameters cell and the data files;
2. per run, inject the parameters and ``build_digest`` (:mod:`lederuddannelse.book.keys`)
   with papermill; a run whose staged notebook records the same digest and source is
   unchanged; one that jupyter-cache matches by its code cells is merged from the cache
   without a kernel; the others execute in parallel (:mod:`lederuddannelse.book.execute`) and
   are stored in the cache (`build/jupyter-cache/`);
3. stage the book (:mod:`lederuddannelse.book.stage`); normalised notebooks are rewritten only
   when they change, so Sphinx re-renders only what changed;
4. `jupyter-book build` (execution off, warnings are errors) into `build/site/`;
5. audit the rendered site for disclosive cells (:mod:`lederuddannelse.site.audit`);
6. publish it to `_build/html` in one atomic step (:mod:`lederuddannelse.book.publishing`).

One build at a time (:class:`~lederuddannelse.book.processes.BuildLock`); with nothing changed
(:mod:`lederuddannelse.book.stamps`), nothing runs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lederuddannelse.book import publishing, stamps
from lederuddannelse.book.execute import Task, cell_timeout, execute_all
from lederuddannelse.book.keys import DIGEST_PARAMETER, KERNEL, Dependencies, key_form, package_hash
from lederuddannelse.book.notebooks import (
    check_glue,
    hide_data_path,
    merge_cached,
    normalise,
    parameters_cell_defaults,
    public_parameters,
    read_chapter,
    write_if_changed,
)
from lederuddannelse.book.processes import (
    BuildLock,
    build_tmpdir,
    clean_stale_tmp,
    terminate_as_interrupt,
    tmp_parent,
)
from lederuddannelse.book.stage import stage_book, staged_pages
from lederuddannelse.book.stamps import BUILD_DIR, PUBLISHED, STAGE
from lederuddannelse.data.embedded import ensure_embedded
from lederuddannelse.errors import (
    ChapterError,
    DataValidationError,
    LederuddannelseError,
    ParameterError,
)
from lederuddannelse.hashing import sha256_file, tree_hash
from lederuddannelse.params import (
    EMBEDDED,
    Run,
    apply_data_overrides,
    group_name_warnings,
    load_parameters,
    resolve_data_file,
    resolve_mapping_file,
    slug_of,
)
from lederuddannelse.sources import modules_hash
from lederuddannelse.variants import extra_page_lines, page_words

SITE = "site"  # build/site: Jupyter Book's output (build/site/_build/html)
FAILED = "failed"  # build/failed: executed notebooks of failed runs, for inspection
CACHE = "jupyter-cache"  # build/jupyter-cache: the executed notebooks, matched by code
RUNS = "runs"  # build/runs: notebooks re-executed by hand with `run`
TIMINGS = "timings.json"  # build/timings.json: seconds per run executed by the last build
PARAMETER_CELLS = "parameter-cells.json"  # build/parameter-cells.json: defaults per source
SNAPSHOTS = "snapshots"  # build/snapshots/<code key>/<sha256>.parquet: the validated data
AUDIT_CACHE = "audit-cache"  # build/audit-cache: what each audited file and table holds
RENDERED = "rendered.json"  # build/site/rendered.json: pages and output digests, last render
#: Environment variables telling the Sphinx extension which data the build used.
DATA_ENV = {
    "data_file": "LEDERUDDANNELSE_DATA_FILE",
    "data_mapping": "LEDERUDDANNELSE_DATA_MAPPING",
}
JUPYTER_BOOK = "from jupyter_book.cli.main import main; main()"  # its command line
#: Part of every staged notebook's key: a change of how notebooks are staged restages them.
STAGING_CODE = ("notebooks.py", "keys.py", "build.py")

_READ: dict[tuple[str, str], Any] = {}


def chapter(source: Path):
    """The chapter as a notebook, read once per content in this process (not to be changed)."""
    key = (str(source), sha256_file(source))
    if key not in _READ:
        _READ[key] = read_chapter(source)
    return _READ[key]


def _say(msg: str, quiet: bool) -> None:
    if msg and not quiet:
        print(msg, flush=True)


def where(run: Run, root: Path) -> str:
    return f"chapter '{run.slug}' (parameter group '{run.group}', {run.source.relative_to(root)})"


def validate_runs(runs: list[Run], root: Path | None = None) -> dict[Path, dict[str, Any]]:
    """Check that every group parameter exists in its chapter's parameters cell; returns the
    cells' defaults per chapter (kept per source hash in `build/`, so that an unchanged
    chapter is not read again)."""
    store = (root / BUILD_DIR / PARAMETER_CELLS) if root is not None else None
    try:
        known = json.loads(store.read_text(encoding="utf-8")) if store else {}
    except (OSError, ValueError):
        known = {}
    defaults: dict[Path, dict[str, Any]] = {}
    for run in runs:
        if run.source not in defaults:
            digest = sha256_file(run.source)
            if digest not in known:
                known[digest] = parameters_cell_defaults(chapter(run.source), run.source)
            defaults[run.source] = known[digest]
        missing = set(run.params) - set(defaults[run.source])
        if missing:
            raise ParameterError(
                f"{run.source}: the parameters cell lacks {sorted(missing)}, which "
                f"parameters.yml passes to group '{run.group}'; add them with their defaults."
            )
    if store is not None and store.parent.is_dir():
        current = {sha256_file(source): cell for source, cell in defaults.items()}
        write_if_changed(store, json.dumps(current, sort_keys=True, default=str))
    return defaults


def data_key(run: Run) -> tuple[str, str]:
    return run.params["data_file"], run.params.get("data_mapping", "none")


def pin_data(runs: list[Run], root: Path, deps: Dependencies):
    """Read, check and hash each (data file, mapping) once, as `data validate` does, before
    any chapter runs, into a snapshot every run reads (:mod:`lederuddannelse.data.snapshot`):
    a bad file stops the build once, with the loader's message. Returns the pinned data per
    (data file, mapping) and the lines to say when runs execute; the runs' keys use the hashes
    the snapshot was taken on."""
    from lederuddannelse.data.codebook import load_codebook
    from lederuddannelse.data.snapshot import pin
    from lederuddannelse.data.weighting import load_margins
    from lederuddannelse.params import resolve_data

    codebook = load_codebook(root / "data" / "codebook.yml")
    margins = load_margins(root / "data" / "margins.csv")
    code = modules_hash(["lederuddannelse.data.snapshot"], root / "src")
    pins, lines = {}, []
    for data_file, mapping in sorted({data_key(r) for r in runs}):
        data = resolve_data(data_file, mapping, root)
        sidecar = deps.file_hash(Path(f"{data.source}.meta.json"))
        key = hashlib.sha256(f"{code}|{deps.package_data}|{sidecar}".encode()).hexdigest()
        folder = root / BUILD_DIR / SNAPSHOTS / key[:16]
        pins[data_file, mapping], snap = pin(data, folder, codebook, margins)
        deps.hashes[str(data.source)] = data.source_sha256
        if data.mapping is not None:
            deps.hashes[str(data.mapping)] = str(data.mapping_sha256)
        via = f" (mapped with {data.mapping.name})" if data.mapping else ""
        lines.append((f"Data file {data.source.name}{via}: valid", False))
        warnings = snap.summary.split("; WARNING")[1:]
        lines += [(f"{data.source.name}: WARNING{w}", True) for w in warnings]
    return pins, lines


def say_lines(lines: list[tuple[str, bool]], quiet: bool) -> None:
    """Say each (line, is a warning): warnings on stderr, always."""
    for line, warning in lines:
        print(line, file=sys.stderr, flush=True) if warning else _say(line, quiet)


def data_unchanged(pins) -> None:
    """Stop, naming the file, if a pinned data file or mapping changed since it was pinned."""
    from lederuddannelse.data.snapshot import changed

    for data in pins.values():
        if line := changed(data):
            raise DataValidationError(line)


def run_metadata(run: Run, key: str, root: Path, deps: Dependencies) -> dict[str, Any]:
    """What an executed notebook records about its run (the site shows part of it)."""
    out = {
        "cache_key": key,
        "chapter": run.slug,
        "group": run.group,
        "source": run.source.relative_to(root).as_posix(),
        "source_sha256": sha256_file(run.source),
        "parameters": public_parameters(run.params),
        "data_file": resolve_data_file(run.params["data_file"], root).name,
        "data_sha256": deps.data_hash({"data_file": run.params["data_file"]}),
    }
    mapping = resolve_mapping_file(run.params.get("data_mapping", "none"), root)
    if mapping is not None:
        out.update(mapping_file=mapping.name, mapping_sha256=sha256_file(mapping))
    return out


def label_suffix(run: Run, root: Path) -> str:
    """'' for a chapter's first page; its group's name for the others (see suffix_labels)."""
    entry = load_parameters(root / "parameters.yml").chapters.get(run.slug)
    if not entry:  # a run built outside parameters.yml (tests): nothing to keep apart
        return ""
    return "" if run.group == next(iter(entry["groups"])) else run.group


def prepared(run: Run, digest: str):
    """The chapter with the run's parameters and digest injected, as papermill injects them."""
    import copy

    from papermill.parameterize import parameterize_notebook

    nb = copy.deepcopy(chapter(run.source))
    nb.metadata.setdefault("papermill", {})  # as papermill's own reading gives it
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    params = {**run.params, DIGEST_PARAMETER: digest}
    return parameterize_notebook(nb, params, kernel_name=KERNEL, language="python")


def finish(run: Run, nb, digest: str, out: Path, root: Path, deps: Dependencies, absent=False):
    """Normalise an executed (or merged) notebook and stage it; True if the file changed."""
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    hide_data_path(nb, {**run.params, DIGEST_PARAMETER: digest})
    if not absent:
        check_glue(nb, run.slug, run.source.relative_to(root).as_posix())
    meta = run_metadata(run, stage_key(digest, run, root), root, deps)
    words = page_words(run, root)
    return write_if_changed(out, normalise(nb, run.name, meta, label_suffix(run, root), words))


@functools.cache
def staging_code() -> str:
    here = Path(__file__).parent
    return hashlib.sha256(b"".join((here / n).read_bytes() for n in STAGING_CODE)).hexdigest()


def stage_key(digest: str, run: Run, root: Path) -> str:
    """What a staged notebook records: its digest, its source's hash, the staging code and its
    title words (a switch named or removed in parameters.yml retitles a page it runs
    unchanged)."""
    words = hashlib.sha256(page_words(run, root).encode()).hexdigest()[:8]
    return f"{digest}:{sha256_file(run.source)}:{staging_code()[:16]}:{words}"


def task(run: Run, nb, root: Path, pins) -> Task:
    """The execution of ``run``'s prepared notebook ``nb`` on its pinned data (:func:`pin_data`),
    in the running build's temporary folder."""
    import nbformat

    from lederuddannelse.data.snapshot import pinned_json

    return Task(
        run.name,
        where(run, root),
        nbformat.writes(nb),
        str(root / "chapters"),
        str(root / BUILD_DIR / FAILED / f"{run.name}.ipynb"),
        str(root),
        tmp_parent(),
        cell_timeout(),
        pinned_json(pins[data_key(run)]),
    )


def stored_key(path: Path) -> str:
    try:
        return json.loads(path.read_text("utf-8"))["metadata"]["lederuddannelse"]["cache_key"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def execute_runs(runs: list[Run], root: Path, jobs: int, force: bool, quiet: bool, progress=None):
    """Stage every run's executed notebook: unchanged, merged from jupyter-cache, or executed
    on the data pinned once (:func:`pin_data`). Returns (seconds per executed run, names of the
    runs merged from the cache, the pinned data). ``progress(name)`` is called as each
    run's execution ends."""
    import nbformat

    deps = Dependencies.of(root)
    pins, lines = pin_data(runs, root, deps)
    cache = None
    stage = root / BUILD_DIR / STAGE
    todo: dict[str, tuple[Run, str, Path, Task]] = {}  # name: run, digest, output, task
    merged: list[str] = []
    for i, run in enumerate(runs, 1):
        out = stage / f"{run.name}.ipynb"
        digest = deps.digest(run, chapter)
        if not force and stored_key(out) == stage_key(digest, run, root):
            _say(f"[{i}/{len(runs)}] {run.name}: unchanged, skipped", quiet)
            continue
        nb = prepared(run, digest)
        if cache is None:
            from jupyter_cache import get_cache

            cache = get_cache(root / BUILD_DIR / CACHE)
        try:
            if force:
                raise KeyError(run.name)
            record = cache.match_cache_notebook(key_form(nb))
        except KeyError:
            todo[run.name] = (run, digest, out, task(run, nb, root, pins))
            continue
        merged_nb = merge_cached(nb, cache.get_cache_bundle(record.pk).nb)
        finish(run, merged_nb, digest, out, root, deps)
        merged.append(run.name)
        _say(f"[{i}/{len(runs)}] {run.name}: text changed, merged from the cache", quiet)
    timings: dict[str, float] = {}
    if not todo:
        return timings, merged, pins
    say_lines(lines, quiet)
    _say(f"Executing {len(todo)} chapter run(s) with up to {jobs} worker(s) ...", quiet)
    errors: list[str] = []
    env = {"LEDERUDDANNELSE_ROOT": str(root)}
    for done, result in enumerate(execute_all([t for *_, t in todo.values()], jobs, env), 1):
        run, digest, out, _ = todo[result.name]
        if progress is not None:
            progress(run.name)
        if result.error:
            errors.append(result.error)
            _say(f"[{done}/{len(todo)} executed] {run.name}: FAILED", quiet)
            continue
        nb = nbformat.reads(result.notebook, as_version=4)
        if not result.absent:
            from jupyter_cache.base import CacheBundleIn

            bundle = CacheBundleIn(key_form(nb), uri=run.source.as_posix())
            cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
        try:
            written = finish(run, nb, digest, out, root, deps, result.absent)
        except ChapterError as exc:
            errors.append(str(exc))
            continue
        timings[run.name] = result.seconds
        note = "" if written else " (output identical)"
        _say(f"[{done}/{len(todo)} executed] {run.name}: {result.seconds:.1f} s{note}", quiet)
    write_if_changed(root / BUILD_DIR / TIMINGS, json.dumps(timings, indent=1, sort_keys=True))
    if errors:
        raise ChapterError("\n".join(errors) + "\nThe published site was left unchanged.")
    return timings, merged, pins


def render_env(root: Path, globals_: dict[str, Any]) -> dict[str, str]:
    """The environment of the render (the Sphinx extension reads the root and the data)."""
    data = {env: str(globals_.get(name, "none")) for name, env in DATA_ENV.items()}
    return {**os.environ, "LEDERUDDANNELSE_ROOT": str(root), **data}


def render(stage: Path, root: Path, env: dict[str, str], quiet: bool) -> Path:
    """`jupyter-book build` the staged book (warnings are errors); returns the HTML folder."""
    out = root / BUILD_DIR / SITE
    html, record = out / "_build" / "html", out / RENDERED
    # Sphinx rewrites the pages whose sources changed and keeps every other file it wrote
    # before as it is now: checked against the digests taken after the last render, and any
    # difference (a page, a font, a download) has the whole output written afresh. Static
    # files (theme, fonts, the chart bundle: checked at its source) are copied on every render.
    # Sphinx never deletes what it wrote for a page whose source is gone (its HTML, sources,
    # downloads), so a page removed since the last render (a parameter group or chapter taken
    # out) has the whole output written afresh too: the site a clean build gives.
    pages = sorted(p.relative_to(stage).with_suffix("").as_posix() for p in staged_pages(stage))
    try:
        last = json.loads(record.read_text("utf-8"))
        kept = set(last["pages"]) <= set(pages)
        trusted = kept and last["files"] == publishing.file_digests(html)
    except (OSError, ValueError, KeyError, TypeError):
        trusted = False
    record.unlink(missing_ok=True)
    shutil.rmtree(html / "_static" if trusted else html, ignore_errors=True)
    cmd = [sys.executable, "-c", JUPYTER_BOOK, "build", str(stage)]
    cmd += ["--path-output", str(out), "-W", "-n", "--keep-going", "--quiet"]
    _say("Rendering the site with Jupyter Book ...", quiet)
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        text = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
        lines = [ln for ln in text.splitlines() if re.search("WARNING|ERROR|Error", ln)]
        detail = "\n  ".join(lines[:20]) or text[-3000:]
        raise LederuddannelseError(
            f"Jupyter Book could not render the site (warnings are errors):\n  {detail}\n"
            "The published site was left unchanged."
        )
    digests = publishing.file_digests(html)
    write_if_changed(record, json.dumps({"pages": pages, "files": digests}, sort_keys=True))
    return html


def site_key(stage: Path, root: Path) -> str:
    """The site's key: every staged file, the package (its Sphinx extension) and the date."""
    from lederuddannelse.site.citation import build_date

    files = [p for p in stage.rglob("*") if p.is_file() and p.suffix != ".mo"]
    text = f"{package_hash(root)}|{build_date()}|{tree_hash(files, stage)}"
    return hashlib.sha256(text.encode()).hexdigest()


def record_stamp(root: Path, inputs: str, extra_then: list[str], runs: list[Run]) -> None:
    """After a complete build: what :func:`stamps.unchanged` compares with. ``inputs`` is the
    stamp taken when the build started, so an edit made while it ran is seen next time."""
    extra = set()
    for run in runs:
        for path in (
            resolve_data_file(run.params["data_file"], root),
            resolve_mapping_file(run.params.get("data_mapping", "none"), root),
        ):
            if path is not None and not publishing.inside(path, root):
                extra.update({str(path), f"{path}.meta.json"})
    if sorted(extra) != sorted(extra_then):
        inputs = ""
    data = {"inputs": inputs, "outputs": stamps.output_stamp(root), "extra": sorted(extra)}
    write_if_changed(root / BUILD_DIR / stamps.NOOP_STAMP, json.dumps(data, indent=0))


@dataclass
class BuildReport:
    executed: dict[str, float]
    rendered: bool
    site: Path
    seconds: float
    reassembled: list[str] = field(default_factory=list)  # merged from jupyter-cache
    render_seconds: float = 0.0  # render, audit and publish
    audit_seconds: float = 0.0
    publish_seconds: float = 0.0

    def write_json(self, path: Path) -> None:
        data = {**self.__dict__, "site": str(self.site)}
        path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")

    @classmethod
    def read_json(cls, path: Path) -> "BuildReport":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{**data, "site": Path(data["site"])})


def prepare(root: Path, params_file: Path | None, data_file, data_mapping, quiet: bool):
    """The runs of parameters.yml (with the command line's data), validated, data ensured."""
    params = load_parameters(params_file or root / "parameters.yml")
    for warning in group_name_warnings(params):
        print(warning, file=sys.stderr, flush=True)
    for line in extra_page_lines(params, root):  # a group that joins no switch
        _say(line, quiet)
    from lederuddannelse.site.citation import CITATION_FILE, load_citation, repository_notice

    if notice := repository_notice(load_citation(root / CITATION_FILE)):
        _say(f"Note: {notice}", quiet)
    apply_data_overrides(params.globals, data_file, data_mapping)
    runs = params.runs(root)
    validate_runs(runs, root)
    if any(r.params["data_file"] == EMBEDDED for r in runs):
        _say(ensure_embedded(root), quiet)
    return params, runs  # pin_data checks every data file before any run executes


def build(
    root: Path,
    jobs: int = os.cpu_count() or 2,
    force: bool = False,
    quiet: bool = False,
    params_file: Path | None = None,
    data_file: str | None = None,
    data_mapping: str | None = None,
    stage_only: bool = False,
    progress=None,
) -> BuildReport:
    """The whole pipeline; raises a :class:`LederuddannelseError` with one clear message.

    ``stage_only``: execute and stage, no render (`make preview`'s pre-build step);
    ``progress(name)``: called as each run's execution ends.
    """
    start = time.perf_counter()
    with BuildLock(root / BUILD_DIR), terminate_as_interrupt(), build_tmpdir():
        removed = publishing.clean_stale(root / PUBLISHED) + clean_stale_tmp()
        if removed:
            _say(f"Removed {len(removed)} leftover(s) of an interrupted build.", quiet)
        options = [str(params_file), data_file, data_mapping]
        same, stamp, extra = (False, "", []) if force else stamps.unchanged(root, options)
        if same and not stage_only:
            _say(f"Nothing changed since the last build: {PUBLISHED}/", quiet)
            return BuildReport({}, False, root / PUBLISHED, time.perf_counter() - start)
        stamp = stamp or stamps.input_stamp(root, options, extra)
        params, runs = prepare(root, params_file, data_file, data_mapping, quiet)
        timings, merged, pins = execute_runs(runs, root, jobs, force, quiet, progress)
        data_unchanged(pins)
        stage = stage_book(runs, root)
        published = root / PUBLISHED
        if stage_only:
            return BuildReport(timings, False, stage, time.perf_counter() - start, merged)
        key = site_key(stage, root)
        if not force and publishing.site_intact(published, key):
            _say(f"Site unchanged: {PUBLISHED}", quiet)
            record_stamp(root, stamp, extra, runs)
            return BuildReport(timings, False, published, time.perf_counter() - start, merged)
        render_start = time.perf_counter()
        html = render(stage, root, render_env(root, params.globals), quiet)
        audit_start = time.perf_counter()
        from lederuddannelse.site.audit import check_site

        min_n = min(r.params["min_n"] for r in runs)
        min_count = min(r.params["min_count"] for r in runs)
        # the full audit; what each unchanged file and table holds comes from its cache
        check_site(html, min_n, min_count, quiet, cache=root / BUILD_DIR / AUDIT_CACHE)
        publish_start = time.perf_counter()
        data_unchanged(pins)
        site = publishing.publish(html, published, key)
        record_stamp(root, stamp, extra, runs)
        end = time.perf_counter()
        _say(f"Built the book in {end - start:.1f} s: open {PUBLISHED}/index.html", quiet)
        return BuildReport(
            timings,
            True,
            site,
            end - start,
            merged,
            end - render_start,
            publish_start - audit_start,
            end - publish_start,
        )


def run_file_name(run: Run) -> str:
    """`run`'s output: chapter, group and a digest of every parameter (one file per distinct
    run; no path or value in the name)."""
    text = json.dumps(run.params, sort_keys=True, default=str)
    return f"{run.slug}-{run.group}-{hashlib.sha256(text.encode()).hexdigest()[:10]}.ipynb"


def refuse_build_output(out: Path, root: Path) -> None:
    """Stop if ``out`` lies in the published site or in the build's own folders."""
    owned = {
        root / PUBLISHED: "the published site",
        root / BUILD_DIR / STAGE: "the build's executed chapters",
        root / BUILD_DIR / SITE: "the build's rendered site",
    }
    for folder, what in owned.items():
        if publishing.inside(out, folder):
            raise ParameterError(
                f"output {out}: lies inside {what} ({folder.relative_to(root)}/), which only "
                f"the build writes; choose another file, e.g. {BUILD_DIR}/{RUNS}/{Path(out).name}."
            )


def run_one(
    source: Path,
    overrides: dict[str, Any],
    root: Path,
    group: str | None = None,
    out: Path | None = None,
    quiet: bool = False,
) -> Path:
    """Re-execute one chapter with the parameters of one group plus validated overrides, into
    `build/runs/` (:func:`run_file_name`, or ``out``), with the same run as a standalone HTML
    page beside it (``.html``, :mod:`lederuddannelse.site.standalone`); the site is not
    touched."""
    import nbformat

    from lederuddannelse.params import override_run

    if out is not None:
        refuse_build_output(out, root)
        if Path(out).suffix != ".ipynb":
            raise ParameterError(
                f"output {out}: the executed notebook's name ends in .ipynb (its HTML page is "
                f"written beside it, as {Path(out).with_suffix('.html').name})."
            )
    source = Path(source) if Path(source).is_absolute() else (root / source).resolve()
    if not source.is_file():
        raise ParameterError(f"no chapter file {source}; chapters are chapters/NN_slug.md.")
    slug = slug_of(source)
    runs = [r for r in load_parameters(root / "parameters.yml").runs(root) if r.slug == slug]
    if not runs:
        raise ParameterError(f"parameters.yml has no chapter '{slug}' (for {source.name}).")
    groups = [r.group for r in runs]
    if group is not None and group not in groups:
        raise ParameterError(
            f"chapter '{slug}' has no parameter group '{group}'; expected one of "
            f"{', '.join(groups)}."
        )
    run = runs[groups.index(group) if group else 0]
    run = override_run(run, overrides, validate_runs([run], root)[run.source])
    if run.params["data_file"] == EMBEDDED:
        _say(ensure_embedded(root), quiet)
    deps = Dependencies.of(root)
    pins, lines = pin_data([run], root, deps)
    say_lines(lines, quiet)
    out = out or root / BUILD_DIR / RUNS / run_file_name(run)
    digest = deps.digest(run, chapter)
    _say(f"Executing {source.relative_to(root)} (group '{run.group}') ...", quiet)
    with terminate_as_interrupt(), build_tmpdir():
        tasks = [task(run, prepared(run, digest), root, pins)]
        [result] = execute_all(tasks, 1, {"LEDERUDDANNELSE_ROOT": str(root)})
    if result.error:
        raise ChapterError(result.error)
    executed = nbformat.reads(result.notebook, as_version=4)
    finish(run, executed, digest, out, root, deps, result.absent)
    from lederuddannelse.site.standalone import write_standalone

    page = write_standalone(out, run.params, root)
    _say(
        f"Done in {result.seconds:.1f} s.\n  Executed notebook: {out}\n  HTML page:         {page}",
        quiet,
    )
    return out
