"""``mdoc2rst spec PAGE...``: print each page's API spec as JSON."""

from __future__ import annotations

import argparse
import json
import sys
import typing

if typing.TYPE_CHECKING:
    from mdoc2rst.cli import Subcommands


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "spec",
        help="print the API spec of pages as JSON (one object, or an array for several)",
    )
    p.add_argument("pages", nargs="*", metavar="PAGE")
    p.add_argument("--schema", action="store_true", help="print the JSON Schema instead")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from importlib.resources import files

    from mdoc2rst.cli import EXIT_SYSERR, EXIT_USAGE, file_error
    from mdoc2rst.spec import extract_file

    if args.schema:
        sys.stdout.write(files("mdoc2rst").joinpath("spec.schema.json").read_text())
        return 0
    if not args.pages:
        print("mdoc2rst spec: give at least one PAGE (or --schema)", file=sys.stderr)
        return EXIT_USAGE
    specs = []
    status = 0
    for page in args.pages:
        try:
            spec = extract_file(page)
        except OSError as exc:
            file_error(page, exc)
            status = EXIT_SYSERR
            continue
        specs.append(spec.to_json())
        for d in spec.diagnostics:
            print(d, file=sys.stderr)
            status = max(status, int(d.level))
    if specs:
        out = specs[0] if len(args.pages) == 1 else specs
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return status
