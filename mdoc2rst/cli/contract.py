"""Subcommands on a page's API spec: ``spec`` (JSON), ``stub`` (ctypes) and ``check-header``."""

from __future__ import annotations

import argparse
import json
import sys
import typing

from mdoc2rst.cli.language import add_language_argument, macroset

if typing.TYPE_CHECKING:
    from mdoc2rst.cli import Subcommands
    from mdoc2rst.contract.spec import Spec
    from mdoc2rst.tree.diagnostics import Diagnostic
    from mdoc2rst.tree.nodes import Document


_JSON_LINE_ENDS = {c: f"\\u{c:04x}" for c in (0x85, 0x2028, 0x2029)}


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "spec",
        help="print the API spec of pages as JSON (one object, or an array for several)",
    )
    p.add_argument("pages", nargs="*", metavar="PAGE")
    p.add_argument("--schema", action="store_true", help="print the JSON Schema instead")
    add_language_argument(p)
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
    add_language_argument(st)
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
    add_language_argument(ch)
    ch.set_defaults(func=run_check_header)

    sd = sub.add_parser(
        "spec-diff",
        help="compare two pages that document the same functions, field by field "
        "(exit 1 when they differ)",
    )
    sd.add_argument("a", metavar="PAGE_A")
    sd.add_argument("b", metavar="PAGE_B")
    sd.add_argument("--json", action="store_true", help="print the differences as JSON")
    add_language_argument(sd)
    sd.set_defaults(func=run_spec_diff)


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
        spec, problem = load_spec(page, macroset(args))
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


def load_spec(page: str, language: str | None = None) -> tuple[Spec | None, int]:
    """A page's spec, or None and the exit status when it cannot be read or is
    no manual page (a README, a binary: said on one line)."""
    from pathlib import Path

    from mdoc2rst.cli import EXIT_SYSERR, file_error, page_problem
    from mdoc2rst.contract.spec import extract
    from mdoc2rst.reader import parse

    try:
        data = Path(page).read_bytes()
    except OSError as exc:
        file_error(page, exc)
        return None, EXIT_SYSERR
    doc = parse(data, page, path=Path(page), macroset=language)
    # The spec reads man(7) pages too (mdoc2rst.contract.manspec).
    problem = page_problem(page, doc)
    if problem:
        return None, problem
    return extract(doc, data), 0


def _specs(pages: list[str], language: str | None) -> tuple[list[Spec], int]:
    specs = []
    status = 0
    for page in pages:
        spec, problem = load_spec(page, language)
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
    specs, status = _specs(args.pages, macroset(args))
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

    specs, status = _specs(args.pages, macroset(args))
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


def run_spec_diff(args: argparse.Namespace) -> int:
    from mdoc2rst.contract.specdiff import compare, render

    specs = []
    for page in (args.a, args.b):
        spec, problem = load_spec(page, macroset(args))
        if spec is None:
            return problem
        specs.append(spec)
    a, b = specs
    found = compare(a, b)
    if args.json:
        doc = {"a": a.source, "b": b.source, "differences": [d.to_json() for d in found]}
        text = json.dumps(doc, indent=2, ensure_ascii=False)
        sys.stdout.write(text.translate(_JSON_LINE_ENDS) + "\n")
    else:
        sys.stdout.write(render(a, b, found))
    return 1 if found else 0


# -- lint --contract -----------------------------------------------------------------


def add_contract_arguments(lint: argparse.ArgumentParser) -> None:
    """The options of ``mdoc2rst lint`` for the contract lint."""
    from mdoc2rst.contract.lint import KINDS

    lint.add_argument(
        "--contract",
        nargs="?",
        const="all",
        type=_contract_kinds,
        metavar="=KINDS",
        help="also check what the pages promise (contract lint): all kinds, or with "
        "=KINDS those named, comma-separated: " + ", ".join(KINDS),
    )
    lint.add_argument(
        "-I",
        dest="include",
        action="append",
        default=[],
        metavar="DIR",
        help="--contract: also look for headers in DIR (repeatable, as cc -I)",
    )
    lint.add_argument(
        "--library",
        action="append",
        default=[],
        type=_library_option,
        metavar="NAME=FILE",
        help="--contract: the library .Lb NAME names is FILE (a path or a name ldconfig "
        "knows, e.g. libc=libsctp for FreeBSD's pages on Linux)",
    )
    lint.add_argument(
        "--no-machine",
        action="store_true",
        help="--contract: ask the machine nothing (no headers, libraries or installed pages)",
    )
    lint.add_argument(
        "--undocumented",
        action="store_true",
        help="--contract: then list what the pages' libraries export and no page documents",
    )


def bare_option(argv: list[str]) -> list[str]:
    """``--contract`` alone means every kind, and never takes the next word:
    ``mdoc2rst lint --contract page.3`` must read page.3, not a kind of
    that name (argparse would).  Kinds come after ``=`` only."""
    if "--" in argv:
        cut = argv.index("--")
        return [*bare_option(argv[:cut]), *argv[cut:]]
    return ["--contract=all" if a == "--contract" else a for a in argv]


def _contract_kinds(value: str) -> frozenset[str]:
    from mdoc2rst.contract.lint import KINDS

    words = {w.strip() for w in value.split(",") if w.strip()}
    if words == {"all"}:
        return frozenset(KINDS)
    bad = sorted(words - set(KINDS))
    if bad or not words:
        raise argparse.ArgumentTypeError(
            f"unknown kind {bad[0] if bad else value!r}: want all, or of " + ", ".join(KINDS)
        )
    return frozenset(words)


def _library_option(value: str) -> tuple[str, str]:
    name, sep, target = value.partition("=")
    if not sep or not name.strip() or not target.strip():
        raise argparse.ArgumentTypeError(f"want NAME=FILE, not {value!r}")
    return name.strip(), target.strip()


class ContractLint:
    """The contract lint of one run: the machine, the site (the pages given)."""

    def __init__(self, args: argparse.Namespace) -> None:
        from mdoc2rst.contract.lint import ContractOptions
        from mdoc2rst.contract.machine import Machine

        self.machine = (
            None
            if args.no_machine
            else Machine(include_dirs=tuple(args.include), aliases=dict(args.library))
        )
        self.site = _site_pages(args.pages)
        self.options = ContractOptions(
            kinds=args.contract, machine=self.machine, site_has=self._site_has
        )
        self.specs: list[Spec] = []

    def _site_has(self, name: str, section: str) -> bool:
        return (name, section) in self.site or (name, section[:1]) in self.site

    def check(self, doc: Document) -> list[Diagnostic]:
        from mdoc2rst.contract.lint import check
        from mdoc2rst.contract.spec import extract
        from mdoc2rst.reader import page_kind

        if page_kind(doc) not in ("mdoc", "man"):
            return []  # a man(7) page gets the findings its spec gives: no .Fa, .Er there
        spec = extract(doc)
        self.specs.append(spec)
        return check(doc, spec, self.options)

    def report_undocumented(self) -> None:
        from mdoc2rst.contract.lint import undocumented

        if self.machine is None:
            return
        for path, names in undocumented(self.specs, self.machine).items():
            count = f"{len(names)} exported symbol{'' if len(names) == 1 else 's'}"
            print(f"{path}: {count} that no page documents"
                  + (": " + " ".join(names) if names else ""))  # fmt: skip


def contract_lint(args: argparse.Namespace) -> ContractLint | None:
    """The contract lint the options ask for; its options without it are a
    usage error, not silently nothing."""
    if args.contract is None:
        if args.include or args.library or args.no_machine or args.undocumented:
            raise ContractUsage(
                "-I, --library, --no-machine and --undocumented go with --contract"
            )
        return None
    return ContractLint(args)


class ContractUsage(Exception):
    """A contract option given without --contract."""


def _site_pages(pages: list[str]) -> set[tuple[str, str]]:
    """``(name, section)`` of the pages given and of every name of their NAME
    sections: the site that ``.Xr`` may point into."""
    from pathlib import Path

    from mdoc2rst.tree.identity import file_page

    site: set[tuple[str, str]] = set()
    for page in pages:
        key = file_page(page)
        if key is None:
            continue
        site.add(key)
        try:
            text = Path(page).read_bytes()[: 1 << 20].decode("utf-8", "replace")
        except OSError:
            continue
        in_name = False
        for line in text.splitlines():
            if line.startswith(".Sh"):
                in_name = line.split()[1:2] == ["NAME"]
            elif in_name and line.startswith(".Nm"):
                site.update((w.strip(","), key[1]) for w in line.split()[1:] if w.strip(","))
    return site
