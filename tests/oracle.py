"""The mandoc oracle: run mandoc(1) on a page and read what it prints.

mandoc 1.14.6 is the reference the parser is compared with.  This module runs it
(``mandoc -T tree`` and ``mandoc -T lint -W all``, with mandoc's own defaults),
reads its output into small comparable values, and finds the shared corpus.
It imports nothing from the project at import time, so that the harness can be
tested, and the test modules collected, while the parser is still being written.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, NoReturn

import pytest

if TYPE_CHECKING:
    from mdoc2rst import Diagnostic, Document

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MDOC2RST_SHARED") or ROOT.parent / "shared")
CORPUS = SHARED / "corpus"
REGRESS = CORPUS / "mandoc-regress"
MANUALS = CORPUS / "mandoc-manuals"
#: mandoc's manuals of the other languages it reads (mdoc(7) pages all).
LANGUAGE_MANUALS = CORPUS / "mandoc-manuals-man-tbl-eqn"
FREEBSD = CORPUS / "freebsd"
SEED = SHARED / "seed" / "sctp_connectx.3"

LEVELS = ("STYLE", "WARNING", "ERROR", "UNSUPP", "BADARG", "SYSERR")

# mandoc should finish a page in milliseconds; this only stops a hung run.
_TIMEOUT = 60


def in_ci() -> bool:
    """Whether we run under CI, where a missing tool or corpus is a failure."""
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> NoReturn:
    """Skip the current test, or fail it under CI (the project rule)."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing prerequisite is a failure)")
    pytest.skip(reason)


def require_tool(name: str) -> str:
    """Return the path of the program ``name``, or skip (fail under CI) without it."""
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed (apt-get install {name})")
    return path


def require_shared() -> Path:
    """Return the shared corpus folder, or skip (fail under CI) when it is absent."""
    if not CORPUS.is_dir():
        unavailable(f"the shared corpus is not at {CORPUS} (set MDOC2RST_SHARED)")
    return CORPUS


def read_page(path: Path) -> str:
    """Read a page as text; undecodable bytes survive a write back unchanged."""
    return path.read_text(encoding="utf-8", errors="surrogateescape")


def require_page(path: Path) -> str:
    """Read a page of the shared corpus, or skip (fail under CI) when it is absent."""
    if not path.is_file():
        unavailable(f"{path} is missing (set MDOC2RST_SHARED)")
    return read_page(path)


def _lines(text: str) -> list[str]:
    # Not str.splitlines(): mandoc text may hold \x1c..\x1e, which it splits on.
    return text.removesuffix("\n").split("\n") if text else []


# -- $Mdocdate$ ---------------------------------------------------------------

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_RCS_DATE = re.compile(r"\$OpenBSD: \S+,v [\d.]+ (\d{4})/(\d{2})/(\d{2}) ")
_MDOCDATE = re.compile(r"^\.Dd \$Mdocdate\$", re.MULTILINE)


def expand_mdocdate(text: str) -> str:
    """Expand ``.Dd $Mdocdate$`` as an OpenBSD CVS checkout would.

    The date comes from the ``$OpenBSD: name.in,v X.Y YYYY/MM/DD ...$`` comment
    on the first line (see the regress corpus README); text without that date
    is returned unchanged.
    """
    first_line = text.split("\n", 1)[0]
    found = _RCS_DATE.search(first_line)
    if found is None:
        return text
    year, month, day = found.groups()
    stamp = f".Dd $Mdocdate: {_MONTHS[int(month) - 1]} {int(day)} {year} $"
    return _MDOCDATE.sub(lambda _: stamp, text)


# -- the corpus ---------------------------------------------------------------


def regress_inputs(kind: str = "mdoc") -> list[Path]:
    """The regress inputs ``<kind>/<Macro>/<test>.in``, sorted; empty without the corpus."""
    return sorted((REGRESS / kind).glob("*/*.in"))


def regress_id(path: Path) -> str:
    """``.../mdoc/Bl/bareIt.in`` -> ``Bl/bareIt``: the test id of a regress input."""
    return f"{path.parent.name}/{path.stem}"


def regress_name(path: Path) -> str:
    """``.../mdoc/Bl/bareIt.in`` -> ``mdoc/Bl/bareIt.in``: the name lint lines print."""
    return path.relative_to(REGRESS).as_posix()


def page_name(path: Path) -> str:
    """The name a page is run under: a regress input's relative path, else its file name."""
    return regress_name(path) if path.is_relative_to(REGRESS) else path.name


def find_input(spec: str) -> Path:
    """A page path, or a regress test id (``Bl/bareIt``, ``roff/de/Dd``, ``mdoc/Bl/x.in``)."""
    if Path(spec).is_file():
        return Path(spec).resolve()
    stem = spec.removesuffix(".in")
    for candidate in (REGRESS / f"mdoc/{stem}.in", REGRESS / f"{stem}.in"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no such input: {spec} (looked under {REGRESS})")


#: The pages the tests were written for, by name: the folders may grow,
#: and a new page there must not change what a test expects.
MANUAL_NAMES: Final = ("mandoc_char.7", "mdoc.7", "roff.7")
FREEBSD_NAMES: Final = (
    "sctp.4", "sctp_bindx.3", "sctp_connectx.3", "sctp_freepaddrs.3", "sctp_getaddrlen.3",
    "sctp_getassocid.3", "sctp_getpaddrs.3", "sctp_opt_info.3", "sctp_recvmsg.3",
    "sctp_send.3", "sctp_sendmsg.3",
)  # fmt: skip


LANGUAGE_MANUAL_NAMES: Final = ("eqn.7", "man.7", "mandoc.1", "tbl.7")


def language_manuals() -> list[Path]:
    """mandoc's manuals of man(7), eqn(7), tbl(7) and mandoc(1) (those there)."""
    return [LANGUAGE_MANUALS / n for n in LANGUAGE_MANUAL_NAMES]


def manual_pages() -> list[Path]:
    """mandoc's own manuals mdoc.7, roff.7 and mandoc_char.7 (those there)."""
    return [MANUALS / n for n in MANUAL_NAMES if (MANUALS / n).is_file()]


def freebsd_pages() -> list[Path]:
    """The FreeBSD SCTP pages of sections 3 and 4 the tests know (those there)."""
    return sorted(p for n in FREEBSD_NAMES if (p := FREEBSD / n).is_file())


# -- running mandoc -----------------------------------------------------------


class MandocCrashed(RuntimeError):
    """mandoc died from a signal: it has no answer for this input."""


@dataclass(frozen=True)
class MandocRun:
    returncode: int
    stdout: str


@functools.cache
def _run_mandoc(args: tuple[str, ...], text: str, name: str) -> MandocRun:
    mandoc = require_tool("mandoc")
    with tempfile.TemporaryDirectory(prefix="mdoc2rst-oracle-") as tmp:
        page = Path(tmp, name)
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8", errors="surrogateescape")
        done = subprocess.run(
            [mandoc, *args, name],
            cwd=tmp,
            capture_output=True,
            timeout=_TIMEOUT,
            check=False,
        )
        if done.returncode < 0:
            raise MandocCrashed(
                f"mandoc {' '.join(args)} {name} died from signal {-done.returncode}: "
                + done.stderr.decode("utf-8", "replace").strip()
            )
        stdout = done.stdout.decode("utf-8", "surrogateescape")
        return MandocRun(done.returncode, stdout.replace(tmp + os.sep, ""))


def mandoc_tree(text: str, name: str, options: tuple[str, ...] = ()) -> str:
    """``mandoc -T tree`` of ``text`` saved as ``name``: its standard output.

    ``options`` go before the others (``("-man",)``).
    """
    return _run_mandoc((*options, "-T", "tree"), text, name).stdout


# mandoc looks each .Xr up among the manuals installed on the machine
# (main.c: check_xr), so this STYLE message says more about the machine than
# about the page.
_MACHINE_DEPENDENT = ": STYLE: referenced manual not found: "


def mandoc_lint(text: str, name: str, options: tuple[str, ...] = ()) -> list[str]:
    """``mandoc -T lint -W all`` of ``text`` saved as ``name``.

    Returns the message lines, ``name:line:col: LEVEL: message``, without
    the ``mandoc: `` prefix, and without "referenced manual not found".
    """
    lines = _lines(_run_mandoc((*options, "-T", "lint", "-W", "all"), text, name).stdout)
    return [line.removeprefix("mandoc: ") for line in lines if _MACHINE_DEPENDENT not in line]


def mandoc_lint_status(text: str, name: str) -> int:
    """The exit status of ``mandoc -T lint -W all``: the worst level, 0..4 (5, 6).

    Unlike the lines, it counts "referenced manual not found" too.
    """
    return _run_mandoc(("-T", "lint", "-W", "all"), text, name).returncode


def prefetch(paths: list[Path], run: Callable[[str, str], object]) -> None:
    """Call ``run`` (mandoc_tree, mandoc_lint) on regress inputs in parallel.

    This fills the cache, so that the comparisons that follow, one at a time,
    find mandoc's answers ready.
    """

    def one(path: Path) -> None:
        with contextlib.suppress(MandocCrashed):
            run(expand_mdocdate(read_page(path)), regress_name(path))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(one, paths))


# -- the project's side -------------------------------------------------------


def our_document(text: str | bytes, name: str) -> Document:
    """The project's parse of ``text`` as file ``name``."""
    import mdoc2rst

    return mdoc2rst.parse(text, filename=name)


def our_tree(text: str, name: str) -> str:
    """The project's tree dump, in the format of ``mandoc -T tree``."""
    from mdoc2rst.tree.dump import dump

    return dump(our_document(text, name))


def mandoc_style(diagnostic: Diagnostic) -> str:
    """One of our diagnostics as ``mandoc -T lint`` prints it (without the
    ``mandoc: `` prefix): a message about the whole page has no line."""
    d = diagnostic
    where = f"{d.file}:{d.line}:{d.column}" if d.line else d.file
    return f"{where}: {d.level.name}: {d.message}"


def our_lint(text: str | bytes, name: str) -> list[str]:
    """The project's diagnostics of ``text`` as file ``name``, as mandoc prints them."""
    return [mandoc_style(d) for d in our_document(text, name).diagnostics]


def child_env() -> dict[str, str]:
    """The environment of a Python child of the tests: it imports the
    mdoc2rst and sctpx these tests import (the checkout, or the compiled
    build under test), then the helpers in this folder, which a child run
    with PYTHONSAFEPATH would not find otherwise."""
    spec = importlib.util.find_spec("mdoc2rst")
    where = Path(spec.origin).parent.parent if spec and spec.origin else ROOT
    parent = [*filter(None, [os.environ.get("PYTHONPATH")])]
    path = [str(where), *parent, str(Path(__file__).parent)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m mdoc2rst ARGS`` in ``cwd``, with the mdoc2rst these tests import."""
    return subprocess.run(
        [sys.executable, "-m", "mdoc2rst", *args],
        cwd=cwd,
        env=child_env(),
        capture_output=True,
        text=True,
        errors="surrogateescape",
        timeout=120,
        check=False,
    )


# -- reading -T tree ----------------------------------------------------------


@dataclass(frozen=True)
class TreeRecord:
    """One node line of ``mandoc -T tree``: what the parity tests compare."""

    depth: int
    kind: str
    name: str
    line: int

    def __str__(self) -> str:
        return f"{'  ' * self.depth}{self.name} ({self.kind}) line {self.line}"


# The suffix that tree.c's print_attr() writes after every node.
_ATTR = (
    r" \(?(?P<first>\*?)(?P<line>\d+):\d+\)?\.?"
    r"(?: ID(?:=HREF)?| HREF| STRAYTAG)?(?:=\S*)?"
    r"(?: BROKEN)?(?: NOFILL)?(?: NOSRC)?(?: NOPRT)?$"
)
# A macro node: name, kind, then the arguments of a block or element
# (" -width [ [Ds] ]"), then the attributes.
_MACRO_LINE = re.compile(
    r"(?P<name>[^ ]+) \((?P<kind>root|block|head|body|body-end|tail|elem|eqn)\)"
    r"(?: -[A-Za-z]+(?: \[(?: \[.*?\])* \])?)*" + _ATTR
)
# A text or comment node: the string may hold anything, spaces and
# parentheses included, so the kind is the last one that leaves a valid suffix.
_STRING_LINE = re.compile(r"(?P<name>.*) \((?P<kind>text|comment)\)" + _ATTR)
# tbl spans print their own line, and eqn boxes have no position.
_TBL_LINE = re.compile(r"(?P<name>.*) \((?P<kind>tbl options|tbl)\) (?P<line>\d+):1$")
_EQN_BOX = re.compile(r"(?P<kind>eqn-(?:list|expr|text|pile|matrix))(?P<name>.*)$")

# Only blocks hold a head, body or tail.  A body-end marks where a broken
# block closed: a leaf wherever the parser stood at that moment.
_BLOCK_PARTS = frozenset({"head", "body", "tail"})
_STRINGS = frozenset({"text", "comment"})
_LEAVES = _STRINGS | {"body-end", "tbl", "tbl options"}
_NEXT_LINE_ELEMENTS = frozenset({"ce", "rj"})
_META = re.compile(r'(?P<key>\w+) *= (?:"(?P<value>.*)"|(?P<bare>\S.*))$')


def _split(tree_text: str) -> tuple[list[str], list[str]]:
    """The meta lines and the node lines, split at the first (only) blank line."""
    lines = _lines(tree_text)
    if "" not in lines:
        raise ValueError("no blank line after the meta lines of a -T tree output")
    blank = lines.index("")
    return lines[:blank], lines[blank + 1 :]


def tree_meta(tree_text: str) -> dict[str, str]:
    """The meta lines (``title = "..."``, ``os    = "..."``...) as a dict."""
    meta: dict[str, str] = {}
    for line in _split(tree_text)[0]:
        found = _META.match(line)
        if found is None:
            raise ValueError(f"not a -T tree meta line: {line!r}")
        meta[found["key"]] = found["bare"] if found["value"] is None else found["value"]
    return meta


def _parse_node(
    line: str, depth: int, indent: int, parent: TreeRecord | None
) -> TreeRecord | None:
    """Read ``line`` as a node indented by ``indent`` under ``parent``, if it fits."""
    rest = line[indent:]
    for pattern in (_MACRO_LINE, _STRING_LINE, _TBL_LINE):
        found = pattern.fullmatch(rest)
        if found is not None:
            node = TreeRecord(depth, found["kind"], found["name"], int(found["line"]))
            first_on_line = bool(found.groupdict().get("first"))
            break
    else:
        found = _EQN_BOX.fullmatch(rest)
        if found is None:
            return None
        node = TreeRecord(depth, found["kind"], found["name"].strip(), 0)
        first_on_line = False
    if parent is None:
        fits = node.kind not in _BLOCK_PARTS
    elif parent.kind == "block":
        # A block holds its parts and delimiters from its own macro line,
        # never a text line.
        fits = node.kind in _BLOCK_PARTS or not (first_on_line and node.kind in _STRINGS)
    else:
        fits = node.kind not in _BLOCK_PARTS
        # mdoc elements take their words from their own input line only;
        # .ce and .rj take the next lines (roff.c: roffce_node).
        if parent.kind == "elem" and node.line != parent.line:
            fits = parent.name in _NEXT_LINE_ELEMENTS
    return node if fits else None


def tree_records(tree_text: str) -> list[TreeRecord]:
    """The node lines of a ``-T tree`` output, in order.

    The depth comes from the indentation (children of a block are indented by
    2, children of anything else by 4).  Text keeps its own leading spaces, so
    an indentation can be read more than one way; the deepest reading that
    makes a well-formed mdoc tree wins: only blocks hold head/body/tail, a
    block holds no text line, an element holds words of its own line only.
    (man(7)'s next-line ``.B`` thus reads as a sibling text with four more
    leading spaces.)  Equal records still mean equal lines up to the
    position and flags, whichever reading is taken.  Raises ValueError on a
    line that is not a node line.
    """
    records: list[TreeRecord] = []
    # ancestors[d] is the open node at depth d; child_indent[d] where its children go.
    ancestors: list[TreeRecord] = []
    child_indent: list[int] = [0]
    for line in _split(tree_text)[1]:
        spaces = len(line) - len(line.lstrip(" "))
        for depth in range(len(child_indent) - 1, -1, -1):
            if child_indent[depth] > spaces:
                continue
            parent = ancestors[depth - 1] if depth else None
            node = _parse_node(line, depth, child_indent[depth], parent)
            if node is not None:
                break
        else:
            raise ValueError(f"not a -T tree node line: {line!r}")
        records.append(node)
        del ancestors[depth:], child_indent[depth + 1 :]
        if node.kind not in _LEAVES:
            ancestors.append(node)
            step = 2 if node.kind == "block" else 4
            child_indent.append(child_indent[depth] + step)
    return records


# -- reading -T lint ----------------------------------------------------------

_LINT_LINE = re.compile(
    r"(?:mandoc: )?.*?:(?:(?P<line>\d+):\d+:)? (?P<level>" + "|".join(LEVELS) + r")(?::|$)"
)


def lint_pairs(lines: list[str]) -> set[tuple[int, str]]:
    """``(line, LEVEL)`` of each lint line; line 0 when mandoc prints none."""
    pairs: set[tuple[int, str]] = set()
    for text in lines:
        found = _LINT_LINE.match(text)
        if found is None:
            raise ValueError(f"not a lint line: {text!r}")
        pairs.add((int(found["line"] or 0), found["level"]))
    return pairs
