"""The ``convert`` subcommand: pages to reStructuredText.

``mdoc2rst convert PAGE|DIR... [-o FILE|DIR] [-j N] [--flavor sphinx|docutils]
[--xr-url TEMPLATE] [--lint]``.  One page goes to standard output or to
FILE; several pages, or folders (searched for ``*.1`` ... ``*.9``), go to
``-o DIR``, converted on N processes (default: every CPU) with a progress
bar on a terminal.  A page that fails is reported at the end; the others
are still converted.

Output names come from the input's own path, never from the page's text
(its ``.Nm`` and ``.Dt`` are the page author's to choose, and could name
``../../x``): a page named directly is written as its file name plus
``.rst`` (``a/x.3`` -> ``x.3.rst``), a page found in a folder keeps its
place below it (``DIR/man3/x.3`` -> ``man3/x.3.rst``).  Two different pages
that would be written to the same file are refused, not renamed: the first
one named is converted, each later one is reported as failed, so that no
output is overwritten silently and no name is invented.

A folder is walked without following symbolic links out of it: a link to a
file or folder outside it is skipped with a diagnostic; a link to a file
inside it is converted under the link's own name; a link to a folder inside
it is not followed (what it holds is converted at its own place), which
also keeps link loops from being walked.  Every write lands inside ``-o
DIR``, resolved, or is refused, and goes through a new file renamed into
place, so that a symbolic link already at the output's name is replaced,
never written through.
"""

from __future__ import annotations

import argparse
import os
import sys
import typing
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from mdoc2rst.cli.language import add_language_argument, macroset
from mdoc2rst.safe import printable
from mdoc2rst.writers.rst import XR_PRESETS, RstOptions, write, xr_template

if typing.TYPE_CHECKING:
    from mdoc2rst.cli import Subcommands

_DEFAULT = RstOptions()
_SUFFIXES = frozenset(f".{n}" for n in range(1, 10))


@dataclass(frozen=True, slots=True)
class Job:
    page: str  # the file to read
    rel: str  # the output path relative to -o DIR, from the page's own path
    root: str | None = None  # the resolved folder the page was found in, if any


@dataclass(frozen=True, slots=True)
class _Result:
    page: str
    output: str | None  # the file written, or None on failure
    error: str | None  # one line saying what went wrong
    lint: tuple[str, ...] = ()


@dataclass(slots=True)
class Plan:
    """What to convert, and what the search already has to say."""

    jobs: list[Job] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # diagnostics, one line each
    refused: list[_Result] = field(default_factory=list)  # failures before converting


def _leads_out(path: Path, root: Path, shown: Path) -> str | None:
    """Why the link ``path`` must not be followed from ``root`` (resolved;
    named ``shown``), or None when it stays inside."""
    try:
        inside = path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # RuntimeError: a loop of links
        return "symbolic link loop, not followed"
    return None if inside else f"symbolic link out of {shown}, not followed"


def _walk(top: Path, plan: Plan) -> list[Path]:
    """The man pages below ``top``, without following links out of it."""
    root = top.resolve()
    found: list[Path] = []
    folders = [top]
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            plan.notes.append(f"mdoc2rst: {folder}: {exc.strerror or exc}")
            continue
        for entry in entries:
            path = Path(entry.path)
            why = _leads_out(path, root, top) if entry.is_symlink() else None
            if why is not None:
                plan.notes.append(f"mdoc2rst: {path}: {why}")
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append(path)
            elif path.suffix in _SUFFIXES and entry.is_file(follow_symlinks=True):
                found.append(path)
            # A link to a folder inside is left alone: its pages are found at their place.
    return sorted(found)


def expand_pages(items: list[str]) -> Plan:
    """Pages named directly, and man pages found under named folders, in order.

    Each job comes with its output path relative to ``-o DIR``, made from
    the input's own path only (see the module's docstring).
    """
    plan = Plan()
    for item in items:
        p = Path(item)
        if p.is_dir():
            root = str(p.resolve())
            plan.jobs += [
                Job(str(f), str(f.relative_to(p)) + ".rst", root) for f in _walk(p, plan)
            ]
        else:
            plan.jobs.append(Job(item, p.name + ".rst"))
    return plan


def _one_page_per_output(plan: Plan) -> Plan:
    """The plan with each output claimed by the first page that has it.

    A later page with the same output is refused (a failure, reported at the
    end); the same file named twice is converted once.
    """
    kept = Plan(notes=plan.notes, refused=list(plan.refused))
    first: dict[str, Job] = {}
    for job in plan.jobs:
        other = first.setdefault(job.rel, job)
        if other is job:
            kept.jobs.append(job)
        elif not _same_file(other.page, job.page):
            why = f"its output {job.rel} is that of {other.page}; not converted"
            kept.refused.append(_Result(job.page, None, why))
    return kept


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a == b


class _Refused(OSError):
    """A write that would land outside ``-o DIR``."""


def _write_inside(outdir: Path, rel: str, text: str) -> Path:
    """Write ``text`` to ``outdir/rel``; never outside ``outdir``, never through a link.

    ``rel`` is built from input paths, so it cannot climb out; the checks
    here are a second line of defence against a name that slipped through
    and against links already inside ``outdir``.
    """
    parts = PurePath(rel).parts
    if not parts or PurePath(rel).is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise _Refused(f"output name {rel!r} is not a plain relative path")
    base = outdir.resolve()
    folder, shown = base, outdir
    for part in parts[:-1]:
        # One level at a time: a link among the folders is caught before
        # anything is made beyond it.
        folder, shown = folder / part, shown / part
        folder.mkdir(exist_ok=True)
        if not folder.resolve().is_relative_to(base):
            raise _Refused(f"{shown}: symbolic link out of {outdir}, not written through")
    path = folder / parts[-1]
    # A new file beside the target, renamed over it: rename replaces a link
    # at the target's name instead of writing to where it points.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for n in range(100):
        tmp = folder / f".{parts[-1]}.{os.getpid()}.{n}.tmp"
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        break
    else:
        raise _Refused(f"{path}: no free name for a temporary file")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _convert_one(
    job: Job, flavor: str, xr_url: str, outdir: str, lint: bool, language: str | None = None
) -> _Result:
    """Worker: one page to one file.  Never raises: failures are results."""
    from mdoc2rst.cli import NOT_A_PAGE
    from mdoc2rst.reader import page_kind, parse_file

    # Options travel as plain values: RstOptions holds a read-only mapping,
    # which does not pickle.
    options = RstOptions(flavor=flavor, xr_url=xr_url)  # type: ignore[arg-type]
    page = job.page
    # The folder was searched a moment ago; a page turned into a link out of
    # it since is refused all the same.
    if job.root is not None:
        why = _leads_out(Path(page), Path(job.root), Path(job.root))
        if why is not None:
            return _Result(page, None, why)
    try:
        doc = parse_file(page, macroset=language)
        if page_kind(doc) == "none":
            return _Result(page, None, NOT_A_PAGE)
        text = write(doc, options)
        _write_inside(Path(outdir), job.rel, text)
    except _Refused as exc:
        return _Result(page, None, str(exc))
    except OSError as exc:
        return _Result(page, None, exc.strerror or str(exc))
    except Exception as exc:  # a bug must not stop the batch; it is reported at the end
        return _Result(page, None, f"internal error: {type(exc).__name__}: {exc}")
    notes = tuple(str(d) for d in doc.diagnostics) if lint else ()
    return _Result(page, str(Path(outdir) / job.rel), None, notes)


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
    plan: Plan,
    options: RstOptions,
    outdir: Path,
    jobs: int,
    lint: bool,
    language: str | None,
) -> int:
    from mdoc2rst.cli import EXIT_SYSERR

    todo = plan.jobs
    progress = _Progress(len(todo))
    results: list[_Result] = []
    if jobs <= 1 or len(todo) < 2:
        for job in todo:
            results.append(
                _convert_one(job, options.flavor, options.xr_url, str(outdir), lint, language)
            )
            progress.step()
    else:
        # Imported here: the process pool costs ~7 ms of start-up that
        # lint, tree and single-page conversion never need.
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [
                pool.submit(
                    _convert_one, job, options.flavor, options.xr_url, str(outdir), lint, language
                )
                for job in todo
            ]
            for job, fut in zip(todo, futures, strict=True):
                try:
                    results.append(fut.result())
                except Exception as exc:  # a worker that died: report it with the others
                    results.append(_Result(job.page, None, f"worker failed: {exc}"))
                progress.step()
    results += plan.refused
    failed = [r for r in results if r.error is not None]
    for r in results:
        for line in r.lint:
            print(line, file=sys.stderr)
    for r in failed:
        print(printable(f"mdoc2rst: {r.page}: {r.error}"), file=sys.stderr)
    if failed:
        print(
            printable(f"mdoc2rst: {len(failed)} of {len(results)} pages failed"), file=sys.stderr
        )
    return EXIT_SYSERR if failed else 0


def cmd_convert(args: argparse.Namespace) -> int:
    from mdoc2rst.cli import EXIT_SYSERR, EXIT_USAGE, _load, page_problem

    options = RstOptions(flavor=args.flavor, xr_url=args.xr_url)
    language = macroset(args)
    target = Path(args.output) if args.output else None
    several = len(args.pages) > 1 or any(Path(p).is_dir() for p in args.pages)
    plan = expand_pages(args.pages)
    for note in plan.notes:
        print(printable(note), file=sys.stderr)
    for folder in args.pages:
        if Path(folder).is_dir() and not any(_below(job, folder) for job in plan.jobs):
            message = f"mdoc2rst: {folder}: no manual pages found (*.1 to *.9)"
            print(printable(message), file=sys.stderr)
    if not plan.jobs:
        return EXIT_USAGE
    if target is not None and (several or target.is_dir()):
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(printable(f"mdoc2rst: {target}: {exc.strerror or exc}"), file=sys.stderr)
            return EXIT_SYSERR
        if not target.is_dir():
            print(printable(f"mdoc2rst: {target}: not a directory"), file=sys.stderr)
            return EXIT_SYSERR
        jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
        return _batch(_one_page_per_output(plan), options, target, jobs, args.lint, language)
    if target is None:
        # To standard output, one page after the other; names do not matter here.
        status = 0
        for job in plan.jobs:
            doc = _load(job.page, language)
            if doc is None:
                status = max(status, EXIT_SYSERR)
                continue
            problem = page_problem(job.page, doc)
            if problem:
                status = max(status, problem)
                continue
            if args.lint:
                for d in doc.diagnostics:
                    print(d, file=sys.stderr)
            sys.stdout.write(write(doc, options))
        return status
    doc = _load(plan.jobs[0].page, language)
    if doc is None:
        return EXIT_SYSERR
    problem = page_problem(plan.jobs[0].page, doc)
    if problem:
        return problem
    if args.lint:
        for d in doc.diagnostics:
            print(d, file=sys.stderr)
    text = write(doc, options)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(printable(f"mdoc2rst: {target}: {exc.strerror or exc}"), file=sys.stderr)
        return EXIT_SYSERR
    return 0


def _below(job: Job, folder: str) -> bool:
    return job.root is not None and Path(job.root) == Path(folder).resolve()


def _xr_url(value: str) -> str:
    try:
        return xr_template(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _jobs(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("-j wants a number of processes, 1 or more")
    return n


def register(sub: Subcommands) -> None:
    convert = sub.add_parser(
        "convert", help="convert pages, mdoc(7) or man(7), to reStructuredText"
    )
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
        type=_xr_url,
        default=_DEFAULT.xr_url,
        metavar="TEMPLATE",
        help="link for .Xr and man(7)'s name(section): a URL with {name} and {section}, "
        "or one of " + ", ".join(XR_PRESETS) + " (default: freebsd)",
    )
    convert.add_argument(
        "--lint", action="store_true", help="also print the page's diagnostics on stderr"
    )
    add_language_argument(convert)
    convert.set_defaults(func=cmd_convert)
