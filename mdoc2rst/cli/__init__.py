"""The ``mdoc2rst`` command line.

Subcommands: ``convert`` (the default: ``mdoc2rst PAGE`` converts), ``lint``
and ``tree``.  Errors about the command line or the files are one line on
standard error and a non-zero exit status, never a traceback.  Exit
statuses follow mandoc: 0 to 4 the worst level of diagnostic (lint), 5 a
bad command line or a file that is no manual page (neither mdoc(7) nor
man(7)), 6 a file that cannot be read.
"""

from __future__ import annotations

import argparse
import sys
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from mdoc2rst import __version__
from mdoc2rst.cli import contract, convert
from mdoc2rst.cli.contract import ContractUsage, add_contract_arguments, contract_lint
from mdoc2rst.cli.language import add_language_argument, macroset
from mdoc2rst.safe import printable
from mdoc2rst.tree.diagnostics import Level
from mdoc2rst.tree.nodes import Document

if typing.TYPE_CHECKING:
    Subcommands: typing.TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

#: Exit status for a file that cannot be read, as mandoc uses for system errors.
EXIT_SYSERR = 6
EXIT_USAGE = 5
#: Why a file is no manual page: the macros that would have made it one.
NOT_A_PAGE = "not a manual page (no .Dd, .Dt, .Os, .Sh or .TH)"


class _Parser(argparse.ArgumentParser):
    """Usage errors exit with mandoc's BADARG status and one line, no usage dump."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def file_error(path: str, exc: OSError) -> None:
    """Report a file that cannot be read in one line."""
    if isinstance(exc, IsADirectoryError):
        reason = "is a directory"
    elif isinstance(exc, FileNotFoundError):
        reason = "no such file"
    elif isinstance(exc, PermissionError):
        reason = "permission denied"
    else:
        reason = exc.strerror or str(exc)
    print(printable(f"mdoc2rst: {path}: {reason}"), file=sys.stderr)


def _load(path: str, language: str | None = None) -> Document | None:
    from mdoc2rst.reader import parse_file

    try:
        return parse_file(path, macroset=language)
    except OSError as exc:
        file_error(path, exc)
    return None


def page_problem(path: str, doc: Document) -> int:
    """0 for a manual page, mdoc(7) or man(7); else say why not, and return
    the exit status."""
    from mdoc2rst.reader import page_kind

    if page_kind(doc) != "none":
        return 0
    print(printable(f"mdoc2rst: {path}: {NOT_A_PAGE}"), file=sys.stderr)
    return EXIT_USAGE


def _docs(pages: list[str], language: str | None) -> Iterator[Document | None]:
    """Each page parsed, or None (reported) when it cannot be read."""
    for page in pages:
        yield _load(page, language)


def cmd_lint(args: argparse.Namespace) -> int:
    """Print diagnostics like ``mandoc -T lint``; exit with the worst level."""
    from mdoc2rst.tree.messages import MESSAGES

    want = Warnings.of(args.warnings)
    try:
        contract = contract_lint(args)
    except ContractUsage as exc:
        print(f"mdoc2rst lint: {exc}", file=sys.stderr)
        return EXIT_USAGE
    status = 0
    for doc in _docs(args.pages, macroset(args)):
        if doc is None:
            status = max(status, EXIT_SYSERR)
            continue
        found = [
            d
            for d in doc.diagnostics
            if want.base or d.kind not in MESSAGES or MESSAGES[d.kind][0] != "BASE"
        ]
        if contract is not None:
            found = sorted([*found, *contract.check(doc)], key=lambda d: (d.line, d.column))
        shown = [d for d in found if d.level >= want.level]
        for d in shown:
            print(d)
            status = max(status, int(d.level))
        if want.stop and shown:
            break
    if contract is not None and args.undocumented:
        contract.report_undocumented()
    return status


@dataclass(frozen=True)
class Warnings:
    """What ``-W`` asks for: mandoc's levels, with ``stop``, comma-separated."""

    level: Level = Level.STYLE
    base: bool = True  # the base-system messages (mandoc's -W base, all)
    stop: bool = False

    #: -W word -> (lowest level, base messages too)
    WORDS: ClassVar[dict[str, tuple[Level, bool]]] = {
        "all": (Level.STYLE, True),
        "base": (Level.STYLE, True),
        "openbsd": (Level.STYLE, True),
        "netbsd": (Level.STYLE, True),
        "style": (Level.STYLE, False),
        "warning": (Level.WARNING, False),
        "error": (Level.ERROR, False),
        "unsupp": (Level.UNSUPP, False),
    }

    @classmethod
    def of(cls, values: list[str] | None) -> Warnings:
        """From the -W options, each checked by :func:`warning_words`."""
        if not values:
            return cls()
        level, base, stop = None, False, False
        for value in values:
            for word in value.split(","):
                if word == "stop":
                    stop = True
                else:
                    level, base = cls.WORDS[word]
        if level is None:  # -W stop alone: every level, as mandoc's default lint
            return cls(stop=stop)
        return cls(level, base, stop)


def warning_words(value: str) -> str:
    """Check a -W value: words of Warnings.WORDS and ``stop``, comma-separated."""
    words = [w.strip().lower() for w in value.split(",")]
    bad = [w for w in words if w not in Warnings.WORDS and w != "stop"]
    if bad or not words:
        raise argparse.ArgumentTypeError(
            f"unknown level {bad[0] if bad else value!r}: want "
            + ", ".join([*Warnings.WORDS, "stop"])
            + ", comma-separated"
        )
    return ",".join(words)


def cmd_tree(args: argparse.Namespace) -> int:
    """Print the tree like ``mandoc -T tree``."""
    from mdoc2rst.tree.dump import dump

    status = 0
    for doc in _docs(args.pages, macroset(args)):
        if doc is None:
            status = max(status, EXIT_SYSERR)
            continue
        sys.stdout.write(dump(doc))
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mdoc2rst",
        usage="mdoc2rst [-h] [--version] PAGE... | COMMAND ...",
        description="Parse mdoc(7) and man(7) manual pages as mandoc does; lint them, dump their "
        "tree, or convert them to reStructuredText.  'mdoc2rst PAGE...' converts, as "
        "'mdoc2rst convert PAGE...' does.",
        epilog="Exit status: 0 to 4 the worst level of diagnostic (lint), 5 a bad "
        "command line or a file that is no manual page (neither mdoc(7) nor man(7)), "
        "6 a file that cannot be read.",
    )
    parser.add_argument("--version", action="version", version=f"mdoc2rst {__version__}")
    sub: Subcommands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, prog="mdoc2rst"
    )

    lint = sub.add_parser("lint", help="report problems, like mandoc -T lint -W all")
    lint.add_argument("pages", nargs="+", metavar="PAGE")
    lint.add_argument(
        "-W",
        dest="warnings",
        type=warning_words,
        action="append",
        metavar="LEVEL",
        help="as mandoc's -W: all or base (every message), openbsd, netbsd (as base), style "
        "(the default without base-system messages), warning, error, unsupp; stop: no file "
        "after the first with such messages; comma-separated, or repeated",
    )
    add_contract_arguments(lint)
    add_language_argument(lint)
    lint.set_defaults(func=cmd_lint)

    tree = sub.add_parser("tree", help="print the syntax tree, like mandoc -T tree")
    tree.add_argument("pages", nargs="+", metavar="PAGE")
    add_language_argument(tree)
    tree.set_defaults(func=cmd_tree)
    _extend(sub)
    return parser


def _extend(sub: Subcommands) -> None:
    """Subcommands of the later stages (writers, spec, stub) register here."""
    for register in _EXTENSIONS:
        register(sub)


_EXTENSIONS: list[Callable[[Subcommands], None]] = [convert.register, contract.register]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = {"lint", "tree", *_registered_names(parser)}
    # A page or a convert option first ('mdoc2rst -m man page.1') means convert.
    if argv and argv[0] not in commands and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "convert")
    args = parser.parse_args(contract.bare_option(argv))
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        status: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output closed early (e.g. piped into head): not an error of ours.
        sys.stderr.close()
        return 0
    return status


def _registered_names(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []
