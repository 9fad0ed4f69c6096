"""Subcommands on a page's API spec: ``spec`` (JSON), ``stub`` (ctypes) and ``check-header``."""

from __future__ import annotations

import argparse
import json
import sys
import typing

if typing.TYPE_CHECKING:
    from mdoc2rst.cli import Subcommands
    from mdoc2rst.contract.spec import Spec


_JSON_LINE_ENDS = {c: f"\\u{c:04x}" for c in (0x85, 0x2028, 0x2029)}


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "spec",
        help="print the API spec of pages as JSON (one object, or an array for several)",
    )
    p.add_argument("pages", nargs="*", metavar="PAGE")
    p.add_argument("--schema", action="store_true", help="print the JSON Schema instead")
    p.set_defaults(func=run)

    st = sub.add_parser("stub", help="write the checked ctypes API stub for pages")
    st.add_argument("pages", nargs="+", metavar="PAGE")
    st.add_argument("-o", "--output", metavar="FILE", help="module to write (a .pyi beside it)")
    st.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="NAME=CTYPE",
        help="map a C type to a ctypes type, e.g. sctp_assoc_t=c_uint32 or foo_t=POINTER(c_int)"
        " (repeatable)",
    )
    st.set_defaults(func=run_stub)

    ch = sub.add_parser(
        "check-header", help="compile the pages' prototypes against the real C headers"
    )
    ch.add_argument("pages", nargs="+", metavar="PAGE")
    ch.add_argument(
        "-I",
        dest="include",
        action="append",
        default=[],
        metavar="DIR",
        help="also look for headers in DIR, before the system's (repeatable, as cc -I)",
    )
    ch.add_argument("--show", action="store_true", help="print the translation unit")
    ch.set_defaults(func=run_check_header)


def run(args: argparse.Namespace) -> int:
    from importlib.resources import files

    from mdoc2rst.cli import EXIT_USAGE

    if args.schema:
        sys.stdout.write(files("mdoc2rst.contract").joinpath("spec.schema.json").read_text())
        return 0
    if not args.pages:
        print("mdoc2rst spec: give at least one PAGE (or --schema)", file=sys.stderr)
        return EXIT_USAGE
    specs = []
    status = 0
    for page in args.pages:
        spec, problem = load_spec(page)
        if spec is None:
            status = max(status, problem)
            continue
        specs.append(spec.to_json())
        for d in spec.diagnostics:
            print(d, file=sys.stderr)
            status = max(status, int(d.level))
    if specs:
        out = specs[0] if len(args.pages) == 1 else specs
        # Text stays readable (not \\u-escaped), but the characters that end
        # a line for Python and JavaScript without being JSON controls are
        # escaped: a reader that splits the output into lines must not cut
        # inside a string.
        text = json.dumps(out, indent=2, ensure_ascii=False)
        sys.stdout.write(text.translate(_JSON_LINE_ENDS))
        sys.stdout.write("\n")
    return status


def load_spec(page: str) -> tuple[Spec | None, int]:
    """A page's spec, or None and the exit status when it cannot be read or is
    no mdoc(7) page (a README, a binary, a man(7) page: said on one line)."""
    from pathlib import Path

    from mdoc2rst.cli import EXIT_SYSERR, file_error, page_problem
    from mdoc2rst.contract.spec import extract
    from mdoc2rst.reader import parse

    try:
        data = Path(page).read_bytes()
    except OSError as exc:
        file_error(page, exc)
        return None, EXIT_SYSERR
    doc = parse(data, page, path=Path(page))
    problem = page_problem(page, doc)
    if problem:
        return None, problem
    return extract(doc, data), 0


def _specs(pages: list[str]) -> tuple[list[Spec], int]:
    specs = []
    status = 0
    for page in pages:
        spec, problem = load_spec(page)
        if spec is None:
            status = max(status, problem)
        else:
            specs.append(spec)
    return specs, status


def run_stub(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mdoc2rst.cli import EXIT_USAGE
    from mdoc2rst.contract.stub import StubError, generate, parse_type_option

    types = {}
    for item in args.type:
        try:
            name, ctype = parse_type_option(item)
        except StubError as exc:
            print(f"mdoc2rst stub: {exc}", file=sys.stderr)
            return EXIT_USAGE
        types[name] = ctype
    specs, status = _specs(args.pages)
    if status:
        return status
    for spec in specs:
        for d in spec.diagnostics:
            print(d, file=sys.stderr)
    if any(spec.diagnostics for spec in specs):
        return 3
    try:
        module, pyi = generate(specs, types)
    except StubError as exc:
        print(f"mdoc2rst stub: {exc}", file=sys.stderr)
        return 3
    if args.output:
        out = Path(args.output)
        out.write_text(module, encoding="utf-8")
        out.with_suffix(".pyi").write_text(pyi, encoding="utf-8")
    else:
        sys.stdout.write(module)
    return 0


def run_check_header(args: argparse.Namespace) -> int:
    from mdoc2rst.contract.headercheck import CompilerMissing, check

    specs, status = _specs(args.pages)
    for spec in specs:
        try:
            result = check(spec, args.include)
        except CompilerMissing as exc:
            print(f"mdoc2rst check-header: {exc}", file=sys.stderr)
            return 6
        if args.show:
            sys.stdout.write(result.source)
        for d in result.diagnostics:
            print(d)
            status = max(status, int(d.level))
    return status
