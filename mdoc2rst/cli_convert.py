"""The ``convert`` subcommand: pages to reStructuredText.

``mdoc2rst convert PAGE|DIR... [-o FILE|DIR] [-j N] [--flavor sphinx|docutils]
[--xr-url TEMPLATE] [--lint]``.  One page goes to standard output or to
FILE; several pages, or folders (searched for ``*.1`` ... ``*.9``), go to
``-o DIR``: one ``NAME.SEC.rst`` for each page named, and for pages found in
a folder the same relative path plus ``.rst``, converted on N processes (default:
every CPU) with a progress bar on a terminal.  A page that fails is
reported at the end; the others are still converted.
"""

from __future__ import annotations

import argparse
import os
import sys
import typing
from dataclasses import dataclass
from pathlib import Path

from mdoc2rst.rst import RstOptions, write

if typing.TYPE_CHECKING:
    from mdoc2rst.cli import Subcommands

_DEFAULT = RstOptions()
_SUFFIXES = frozenset(f".{n}" for n in range(1, 10))


@dataclass(frozen=True, slots=True)
class _Result:
    page: str
    output: str | None  # the file written, or None on failure
    error: str | None  # one line saying what went wrong
    lint: tuple[str, ...] = ()


def expand_pages(items: list[str]) -> list[tuple[str, str | None]]:
    """Pages named directly, and man pages found under named folders, sorted.

    Each comes with its output path relative to ``-o DIR``: a page found in
    a folder keeps its place below it (``man3/x.3`` -> ``man3/x.3.rst``), so
    pages with the same name in different folders do not overwrite each
    other; a page named directly is written as ``NAME.SEC.rst`` (None here).
    """
    pages: list[tuple[str, str | None]] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = [f for f in p.rglob("*") if f.suffix in _SUFFIXES and f.is_file()]
            pages.extend((str(f), str(f.relative_to(p)) + ".rst") for f in sorted(found))
        else:
            pages.append((item, None))
    return pages


def _out_name(doc_name: str | None, doc_sec: str | None, page: str) -> str:
    name = doc_name or Path(page).stem
    sec = doc_sec or Path(page).suffix.lstrip(".")
    return f"{name}.{sec}.rst"


def _convert_one(
    page: str, rel: str | None, flavor: str, xr_url: str, outdir: str, lint: bool
) -> _Result:
    """Worker: one page to one file.  Never raises: failures are results."""
    from mdoc2rst.reader import parse_file

    # Options travel as plain values: RstOptions holds a read-only mapping,
    # which does not pickle.
    options = RstOptions(flavor=flavor, xr_url=xr_url)  # type: ignore[arg-type]
    try:
        doc = parse_file(page)
        text = write(doc, options)
        path = Path(outdir) / (rel or _out_name(doc.meta.name, doc.meta.msec, page))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        return _Result(page, None, exc.strerror or str(exc))
    except Exception as exc:  # a bug must not stop the batch; it is reported at the end
        return _Result(page, None, f"internal error: {type(exc).__name__}: {exc}")
    notes = tuple(str(d) for d in doc.diagnostics) if lint else ()
    return _Result(page, str(path), None, notes)


class _Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.active = sys.stderr.isatty() and total > 1

    def step(self) -> None:
        self.done += 1
        if self.active:
            width = 30
            filled = width * self.done // self.total
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r[{bar}] {self.done}/{self.total}")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def _batch(
    pages: list[tuple[str, str | None]], options: RstOptions, outdir: Path, jobs: int, lint: bool
) -> int:
    from mdoc2rst.cli import EXIT_SYSERR

    progress = _Progress(len(pages))
    results: list[_Result] = []
    if jobs <= 1 or len(pages) < 2:
        for page, rel in pages:
            results.append(
                _convert_one(page, rel, options.flavor, options.xr_url, str(outdir), lint)
            )
            progress.step()
    else:
        # Imported here: the process pool costs ~7 ms of start-up that
        # lint, tree and single-page conversion never need.
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [
                pool.submit(
                    _convert_one, page, rel, options.flavor, options.xr_url, str(outdir), lint
                )
                for page, rel in pages
            ]
            for (page, _), fut in zip(pages, futures, strict=True):
                try:
                    results.append(fut.result())
                except Exception as exc:  # a worker that died: report it with the others
                    results.append(_Result(page, None, f"worker failed: {exc}"))
                progress.step()
    failed = [r for r in results if r.error is not None]
    for r in results:
        for line in r.lint:
            print(line, file=sys.stderr)
    for r in failed:
        print(f"mdoc2rst: {r.page}: {r.error}", file=sys.stderr)
    if failed:
        print(f"mdoc2rst: {len(failed)} of {len(pages)} pages failed", file=sys.stderr)
    return EXIT_SYSERR if failed else 0


def cmd_convert(args: argparse.Namespace) -> int:
    from mdoc2rst.cli import EXIT_SYSERR, _load

    options = RstOptions(flavor=args.flavor, xr_url=args.xr_url)
    target = Path(args.output) if args.output else None
    several = len(args.pages) > 1 or any(Path(p).is_dir() for p in args.pages)
    pages = expand_pages(args.pages)
    if target is not None and (several or target.is_dir()):
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"mdoc2rst: {target}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_SYSERR
        if not target.is_dir():
            print(f"mdoc2rst: {target}: not a directory", file=sys.stderr)
            return EXIT_SYSERR
        jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
        return _batch(pages, options, target, jobs, args.lint)
    if target is None:
        # To standard output, one page after the other.
        status = 0
        for page, _ in pages:
            doc = _load(page)
            if doc is None:
                status = EXIT_SYSERR
                continue
            if args.lint:
                for d in doc.diagnostics:
                    print(d, file=sys.stderr)
            sys.stdout.write(write(doc, options))
        return status
    doc = _load(pages[0][0])
    if doc is None:
        return EXIT_SYSERR
    if args.lint:
        for d in doc.diagnostics:
            print(d, file=sys.stderr)
    text = write(doc, options)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"mdoc2rst: {target}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_SYSERR
    return 0


def _jobs(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("-j wants a number of processes, 1 or more")
    return n


def register(sub: Subcommands) -> None:
    convert = sub.add_parser("convert", help="convert pages to reStructuredText")
    convert.add_argument("pages", nargs="+", metavar="PAGE|DIR")
    convert.add_argument(
        "-o", dest="output", metavar="FILE|DIR", help="output file, or folder for several pages"
    )
    convert.add_argument(
        "-j",
        dest="jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="convert on N processes (default: the number of CPUs)",
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
