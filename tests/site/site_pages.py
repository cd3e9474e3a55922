"""Planted pages for the audit's tests (tests/site/test_audit_*.py): a page of the book as the
audit reads it, with tables as CSV downloads, chart data sets or HTML tables, and prose."""

from __future__ import annotations

import base64
import hashlib
import json

import pandas as pd


def csv_link(name: str, df: pd.DataFrame) -> str:
    text = df.to_csv(index=False, sep=";", decimal=",")
    payload = base64.b64encode(("\ufeff" + text).encode()).decode()
    return f'<a download="{name}" href="data:text/csv;charset=utf-8;base64,{payload}">x</a>'


def chart(rows: list[dict]) -> str:
    """A Vega-Lite spec with its data set embedded, as Altair writes it into a page."""
    name = "data-" + hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]
    spec = {"$schema": "vega-lite", "datasets": {name: rows}, "mark": "bar"}
    return f"<script>var spec = {json.dumps(spec)};</script>"


def html_table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{c}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>"
        for row in df.astype(object).where(df.notna(), "").itertuples(index=False)
    )
    return f'<table id="t"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def write(site, name: str, *parts: str, text: str = "") -> None:
    site.mkdir(exist_ok=True)
    (site / f"{name}.html").write_text(
        "<html><body><div class='admonition'>Datafil: x (SHA-256 abc…), 1.500 besvarelser."
        f"</div><p>{text}</p>{''.join(parts)}</body></html>",
        encoding="utf-8",
    )
