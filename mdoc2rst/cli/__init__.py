"""The ``mdoc2rst`` command line.

Subcommands: ``convert`` (the default: ``mdoc2rst PAGE`` converts), ``lint``
and ``tree``.  Errors about the command line or the files are one line on
standard error and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import typing
from collections.abc import Callable, Iterator, Sequence

from mdoc2rst import __version__
from mdoc2rst.cli import contract, convert
from mdoc2rst.safe import printable
from mdoc2rst.tree.diagnostics import Level
from mdoc2rst.tree.nodes import Document

if typing.TYPE_CHECKING:
    Subcommands: typing.TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

#: Exit status for a file that cannot be read, as mandoc uses for system errors.
EXIT_SYSERR = 6
EXIT_USAGE = 5


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


def _load(path: str) -> Document | None:
    from mdoc2rst.reader import parse_file

    try:
        return parse_file(path)
    except OSError as exc:
        file_error(path, exc)
    return None


def _docs(pages: list[str]) -> Iterator[Document | None]:
    """Each page parsed, or None (reported) when it cannot be read."""
    for page in pages:
        yield _load(page)


def cmd_lint(args: argparse.Namespace) -> int:
    """Print diagnostics like ``mandoc -T lint``; exit with the worst level."""
    status = 0
    for doc in _docs(args.pages):
        if doc is None:
            status = max(status, EXIT_SYSERR)
            continue
        for d in doc.diagnostics:
            if d.level >= args.min_level:
                print(d)
                status = max(status, int(d.level))
    return status


def cmd_tree(args: argparse.Namespace) -> int:
    """Print the tree like ``mandoc -T tree``."""
    from mdoc2rst.tree.dump import dump

    status = 0
    for doc in _docs(args.pages):
        if doc is None:
            status = max(status, EXIT_SYSERR)
            continue
        sys.stdout.write(dump(doc))
    return status


_LEVELS = {"style": Level.STYLE, "warning": Level.WARNING, "error": Level.ERROR,
           "unsupp": Level.UNSUPP}  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mdoc2rst",
        description="Parse mdoc(7) manual pages as mandoc does; lint them, dump their "
        "tree, or convert them to reStructuredText.",
    )
    parser.add_argument("--version", action="version", version=f"mdoc2rst {__version__}")
    sub: Subcommands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=argparse.ArgumentParser
    )

    lint = sub.add_parser("lint", help="report problems, like mandoc -T lint -W all")
    lint.add_argument("pages", nargs="+", metavar="PAGE")
    lint.add_argument(
        "-W",
        dest="min_level",
        type=lambda s: _LEVELS[s.lower()],
        default=Level.STYLE,
        metavar="LEVEL",
        help="lowest level to show: style (default), warning, error, unsupp",
    )
    lint.set_defaults(func=cmd_lint)

    tree = sub.add_parser("tree", help="print the syntax tree, like mandoc -T tree")
    tree.add_argument("pages", nargs="+", metavar="PAGE")
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
    if argv and argv[0] not in commands and not argv[0].startswith("-"):
        argv.insert(0, "convert")
    args = parser.parse_args(argv)
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
