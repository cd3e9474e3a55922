"""Putting strings the user controls (file names, parameter values) safely into a page.

Every page is Markdown (MyST) that may contain raw HTML, so a data file named
``<img src=x onerror=alert(1)>.csv`` would be live HTML if pasted into the text, and a backtick
in a name would close a code span early. These helpers make such a string literal text.
"""

from __future__ import annotations

import re

_PUNCT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _printable(text: str) -> str:
    """Control characters (a newline in a file name) shown as ``\\xNN``, never as a line break."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(text))


def md_text(text: str) -> str:
    """``text`` as literal Markdown text: every ASCII punctuation character backslash-escaped."""
    return _PUNCT.sub(r"\\\1", _printable(text))


def md_code(text: str) -> str:
    """``text`` as a Markdown code span: a fence longer than any run of backticks inside.

    The content of a code span is never parsed, so HTML in it is shown, not rendered.
    """
    text = _printable(text)
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"
