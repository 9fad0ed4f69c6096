"""The ``convert`` subcommand: pages to reStructuredText.

``mdoc2rst convert PAGE... [-o FILE|DIR] [--flavor sphinx|docutils]
[--xr-url TEMPLATE] [--lint]``.  One page goes to standard output or to
FILE; several pages with ``-o DIR`` give one ``NAME.SEC.rst`` each.
"""

from __future__ import annotations

import argparse
import sys
import typing
from pathlib import Path

from mdoc2rst.rst import RstOptions, write

if typing.TYPE_CHECKING:
    from mdoc2rst.cli import Subcommands

_DEFAULT = RstOptions()


def cmd_convert(args: argparse.Namespace) -> int:
    from mdoc2rst.cli import EXIT_SYSERR, _load

    options = RstOptions(flavor=args.flavor, xr_url=args.xr_url)
    target = Path(args.output) if args.output else None
    to_dir = target is not None and (target.is_dir() or len(args.pages) > 1)
    if to_dir and target is not None and not target.is_dir():
        print(f"mdoc2rst: {target}: not a directory (needed for several pages)", file=sys.stderr)
        return EXIT_SYSERR
    status = 0
    for page in args.pages:
        doc = _load(page)
        if doc is None:
            status = EXIT_SYSERR
            continue
        if args.lint:
            for d in doc.diagnostics:
                print(d, file=sys.stderr)
        text = write(doc, options)
        if target is None:
            sys.stdout.write(text)
            continue
        path = target
        if to_dir:
            name = doc.meta.name or Path(page).stem
            sec = doc.meta.msec or Path(page).suffix.lstrip(".")
            path = target / f"{name}.{sec}.rst"
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"mdoc2rst: {path}: {exc.strerror or exc}", file=sys.stderr)
            status = EXIT_SYSERR
    return status


def register(sub: Subcommands) -> None:
    convert = sub.add_parser("convert", help="convert pages to reStructuredText")
    convert.add_argument("pages", nargs="+", metavar="PAGE")
    convert.add_argument(
        "-o", dest="output", metavar="FILE|DIR", help="output file, or folder for several pages"
    )
    convert.add_argument(
        "--flavor",
        choices=("sphinx", "docutils"),
        default=_DEFAULT.flavor,
        help="sphinx (C domain, roles; default) or plain docutils reST",
    )
    convert.add_argument(
        "--xr-url",
        default=_DEFAULT.xr_url,
        metavar="TEMPLATE",
        help="link for .Xr, with {name} and {section} (default: FreeBSD's man.cgi)",
    )
    convert.add_argument(
        "--lint", action="store_true", help="also print the page's diagnostics on stderr"
    )
    convert.set_defaults(func=cmd_convert)
