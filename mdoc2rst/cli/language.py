"""``-m LANG``: force the macro language, as mandoc's ``-mdoc`` and ``-man`` do.

mandoc spells the option ``-mdoc``, ``-man`` and ``-mandoc`` (the
default: choose by the page's first macro).  Read as ``-m`` with the
values ``doc``, ``an`` and ``andoc``, those spellings work here unchanged;
the full names ``mdoc``, ``man`` and ``auto`` are accepted too.
"""

from __future__ import annotations

import argparse
from typing import Final

#: -m value -> the reader's macroset (None: choose as mandoc does)
WORDS: Final[dict[str, str | None]] = {
    "doc": "mdoc",
    "mdoc": "mdoc",
    "an": "man",
    "man": "man",
    "andoc": None,
    "auto": None,
}


def _word(value: str) -> str:
    word = value.strip().lower()
    if word not in WORDS:
        raise argparse.ArgumentTypeError(
            f"unknown language {value!r}: want mdoc, man or auto (mandoc's -mdoc, -man, -mandoc)"
        )
    return word


def add_language_argument(parser: argparse.ArgumentParser) -> None:
    """The ``-m`` option on a subcommand that reads pages."""
    parser.add_argument(
        "-m",
        dest="language",
        type=_word,
        default="auto",
        metavar="LANG",
        help="read every page as mdoc(7) or man(7) (-m mdoc, -m man; mandoc's -mdoc and -man "
        "work too) instead of choosing by the first macro, as mandoc does (-m auto, the default)",
    )


def macroset(args: argparse.Namespace) -> str | None:
    """The reader's ``macroset`` for the parsed command line."""
    return WORDS[getattr(args, "language", "auto")]
