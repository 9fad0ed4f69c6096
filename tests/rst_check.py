"""Checks of the reST writer's output: docutils messages and text fidelity.

Used by tests/test_rst.py and runnable as a script that prints, per page,
the docutils messages and the word ratio against ``mandoc -T html``.
"""

from __future__ import annotations

import difflib
import html
import re
import subprocess
import sys
import warnings
from pathlib import Path

import docutils.core
import docutils.utils

from mdoc2rst import parse_file
from mdoc2rst.writers.rst import RstOptions, write

DOCUTILS = RstOptions(flavor="docutils")


def docutils_messages(text: str, min_level: int = 2) -> list[str]:
    """The system messages of level ``min_level`` or more that docutils reports."""
    doctree = docutils.core.publish_doctree(
        text,
        settings_overrides={
            "report_level": 1,
            "halt_level": 5,
            "warning_stream": False,
        },
    )
    found = []
    for msg in doctree.findall(docutils.nodes.system_message):
        if msg["level"] >= min_level:
            found.append(f"line {msg.get('line')}: level {msg['level']}: {msg.astext()}")
    return found


_INLINE = re.compile(
    r"</?(?:a|b|i|em|strong|code|var|span|cite|tt|abbr|kbd|samp|sub|sup|mark|q|small|u|s)\b[^>]*>"
)
_TAG = re.compile(r"<[^>]*>")


def html_words(text: str, start: str, end: str) -> list[str]:
    """The words of the HTML between the tags ``start`` and ``end``.

    Inline elements split no words (``<b>name</b>(args)`` is one word), the
    other tags do; comments are dropped and entities resolved.
    """
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    i = text.find(start)
    j = text.rfind(end)
    text = text[i if i >= 0 else 0 : j if j >= 0 else len(text)]
    text = _INLINE.sub("", text)
    text = _TAG.sub(" ", text)
    return html.unescape(text).split()


def mandoc_words(page: Path) -> list[str]:
    out = subprocess.run(
        ["mandoc", "-T", "html", str(page)], capture_output=True, check=False
    ).stdout.decode("utf-8", "replace")
    # Without the header and footer tables (class "head" and "foot").
    out = re.sub(r'<table class="(?:head|foot)">.*?</table>', "", out, flags=re.DOTALL)
    return html_words(out, "<body", "</body>")


def render_html(text: str) -> str:
    """The reST rendered to HTML by docutils alone, messages silenced."""
    with warnings.catch_warnings():
        # writer_name is the spelling every supported docutils version knows.
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        out = docutils.core.publish_string(
            text,
            writer_name="html5",
            settings_overrides={"report_level": 5, "halt_level": 5, "output_encoding": "unicode"},
        )
    return out if isinstance(out, str) else out.decode("utf-8")


def rst_words(text: str) -> list[str]:
    # Without the page's furniture (volume, OS and date), as mandoc's words
    # are taken without its header and footer.
    # The page title too: mandoc prints it in the header only.
    out = re.sub(r'<p class="mdoc-(?:volume|footer)">.*?</p>', "", render_html(text), flags=re.S)
    out = re.sub(r'<h1 class="title">.*?</h1>', "", out, count=1, flags=re.S)
    return html_words(out, "<main", "</main>")


def fidelity(page: Path) -> float:
    ours = rst_words(write(parse_file(page), DOCUTILS))
    theirs = mandoc_words(page)
    return difflib.SequenceMatcher(None, ours, theirs, autojunk=False).ratio()


def main(argv: list[str]) -> int:
    worst = 1.0
    for name in argv:
        page = Path(name)
        text = write(parse_file(page), DOCUTILS)
        msgs = docutils_messages(text)
        ratio = fidelity(page)
        worst = min(worst, ratio)
        print(f"{ratio:.4f} {len(msgs):3d} msgs  {page}")
        for m in msgs[:5]:
            print("    " + m.replace("\n", " ")[:200])
    print(f"worst {worst:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
