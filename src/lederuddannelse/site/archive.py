"""`make archive`: the built site as one dated, self-contained zip for a repository of record.

The zip holds the site exactly as published (every page, its styles, scripts, the chart library
and the downloads), under a folder named like the zip, so that it unpacks cleanly and opens
offline (``index.html``; search and everything else work from a local server, see README).
Entries are sorted and carry the build's date (SOURCE_DATE_EPOCH when set), so the same site
gives the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import zipfile
from pathlib import Path

from lederuddannelse import __version__
from lederuddannelse.errors import LederuddannelseError
from lederuddannelse.site.citation import build_date

NAME = "lederuddannelse-bog"


def make_archive(site: Path, out_dir: Path, date: dt.date | None = None) -> Path:
    """Write ``{out_dir}/lederuddannelse-bog-{version}-{date}.zip`` from the built ``site``."""
    site, out_dir = Path(site), Path(out_dir)
    if not (site / "index.html").is_file():
        raise LederuddannelseError(
            f"{site}: no built site (index.html missing); run `make book` first."
        )
    date = date or dt.date.fromisoformat(build_date())  # the date the pages show
    stem = f"{NAME}-{__version__}-{date.isoformat()}"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{stem}.zip"
    tmp = target.with_suffix(".zip.tmp")
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    files = sorted(p for p in site.rglob("*") if p.is_file() and not p.name.endswith(".map"))
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files:
            info = zipfile.ZipInfo(f"{stem}/{path.relative_to(site).as_posix()}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    from lederuddannelse.paths import project_root

    ap = argparse.ArgumentParser(prog="python -m lederuddannelse.site.archive")
    ap.add_argument("--site", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    root = project_root()
    try:
        path = make_archive(
            args.site or root / "_build" / "html", args.out or root / "build" / "archive"
        )
    except LederuddannelseError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
