#!/usr/bin/env python3
"""Build a whole OS manual set as a Sphinx site with mdoc2rst, and print figures.

    python3 bench/site.py [--pages DIR_OR_DEB] [--sections 2,4,9] [--jobs auto]
                          [--keep DIR] [--site DIR]

The reference set is Debian's ``freebsd-manpages`` (sections 2, 4 and 9 of
FreeBSD's manual, about 1,300 distinct pages).  ``--pages`` names a folder
holding its pages (``usr/share/man`` of the unpacked package, or any folder
above it) or the ``.deb`` itself; without it the package is fetched with
``apt-get download`` and unpacked with ``dpkg -x`` in a temporary folder.

The pages of the chosen sections become a Sphinx project laid out as in
FreeBSD's tree (``man2/foo.2freebsd.gz`` -> ``man2/foo.2``, gunzipped).
Debian ships a page's other names as hard links, and a symbolic link may
stand for one: a name that is a link to a page already in the set is
skipped, so each page is read once, and a symbolic link whose page is not
in the set is copied in its place.  ``.so`` stubs are kept, their target
renamed the same way, since the extension resolves ``.so`` inside the
source folder.  The project is built with ``python3 -m sphinx -b html -j
JOBS`` in a child process, then rebuilt after one page is touched.

Prints, from one run on this machine: the pages and links, the full build's
wall time, the rebuild's and how many documents it re-read, the peak memory
of the Sphinx processes, and the warnings by type with examples of the most
common ones.  It measures this checkout, or with ``--site DIR`` the mdoc2rst
installed in DIR (as bench/bench.py does).

Figures, not assertions: exit status 0 whatever the warnings, 1 when Sphinx
fails, 2 when the pages cannot be found or fetched.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGE = "freebsd-manpages"
#: A page's file name in the package (``foo.2freebsd.gz``) or in FreeBSD's
#: tree (``foo.2``); ``.3bsd`` pages of libbsd share the folders and are not
#: part of the set.
PAGE_NAME = re.compile(r"(?P<name>.+)\.(?P<sec>[1-9])(?:freebsd)?(?:\.gz)?")
SO_LINE = re.compile(rb"^([.'][ \t]*so[ \t]+)(\S+)", re.M)
#: The page's title: ``.Dt`` of mdoc, ``.TH`` of the few man(7) pages.
TITLE_LINE = re.compile(rb'^\.[ \t]*(?:Dt|TH)[ \t]+"?([^\s"]+)', re.M)
#: A warning's first line: a level after the location, if any.
LEVEL = re.compile(r"^(?:.*?: )?(?:WARNING|ERROR|CRITICAL): ")
#: The ``[type.subtype]`` that Sphinx appends to a warning (show_warning_types).
TAG = re.compile(r" \[([A-Za-z_][\w-]*(?:\.[\w-]+)?)\]$")
UNTAGGED = "(none)"
SECTION_TITLES = {
    "1": "General commands",
    "2": "System calls",
    "3": "Library functions",
    "4": "Kernel interfaces",
    "5": "File formats",
    "6": "Games",
    "7": "Miscellaneous",
    "8": "System manager's manual",
    "9": "Kernel developer's manual",
}
TOP_TYPES = 15  # rows of the table of warnings by type
EXAMPLE_TYPES = 5  # types shown with example lines
EXAMPLES = 3  # example lines per type


class PagesError(Exception):
    """The pages cannot be found or fetched: the one-line reason."""


@dataclass
class Project:
    """The Sphinx project made from a manual set, and what became of each name."""

    src: Path
    pages: Counter[str] = field(default_factory=Counter)  # by section
    links_skipped: int = 0  # names that are links to a page already in the set
    links_copied: int = 0  # symbolic links whose page is not in the set
    dangling: int = 0  # symbolic links to nothing
    stubs: int = 0  # pages that are a .so line
    first: Path | None = None  # the page touched for the rebuild


@dataclass
class Run:
    """One Sphinx process: its wall time, exit status and peak memory (kB)."""

    seconds: float
    code: int
    main_hwm: int  # VmHWM of the Sphinx process, last sample before it ended
    max_rss: int  # ru_maxrss from wait4: it and the -j workers it reaped


def load_bench() -> ModuleType:
    """bench/bench.py, for its helpers (child_env, build_label): a script, not a package."""
    spec = importlib.util.spec_from_file_location("bench", HERE / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fetch(deb: Path | None, tmp: Path) -> Path:
    """The package unpacked under ``tmp``: ``deb``, or one fetched with apt-get."""
    try:
        if deb is None:
            subprocess.run(
                ["apt-get", "download", PACKAGE], cwd=tmp, capture_output=True, check=True
            )
            found = sorted(tmp.glob(f"{PACKAGE}_*.deb"))
            if not found:
                raise PagesError(f"apt-get download {PACKAGE} left no .deb")
            deb = found[0]
        subprocess.run(["dpkg", "-x", str(deb), str(tmp / "x")], capture_output=True, check=True)
    except FileNotFoundError as e:
        raise PagesError(f"cannot fetch {PACKAGE}: {e.filename} not found") from None
    except subprocess.CalledProcessError as e:
        why = (e.stderr or b"").decode(errors="replace").strip().splitlines()
        raise PagesError(f"{' '.join(e.cmd)} failed: {why[-1] if why else e.returncode}") from None
    return tmp / "x"


def page_files(root: Path, sections: list[str]) -> list[Path]:
    """Every page of the sections under ``root``, symbolic links included, sorted."""
    found = []
    for p in root.rglob("*"):
        m = PAGE_NAME.fullmatch(p.name)
        if m and m["sec"] in sections and (p.is_symlink() or p.is_file()):
            found.append(p)
    return sorted(found)


def read_page(path: Path) -> bytes:
    """A page's bytes, gunzipped when its name says so."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def is_stub(text: bytes) -> bool:
    """Whether the page is a ``.so`` line, comments and blank lines aside."""
    for line in text.splitlines():
        if line.strip() and not re.match(rb'[.\'][ \t]*\\"', line) and line.strip() != b".":
            return SO_LINE.match(line) is not None
    return False


def split_name(path: Path) -> tuple[str, str]:
    """A page file's section and name: ``foo.2freebsd.gz`` -> ``("2", "foo")``."""
    m = PAGE_NAME.fullmatch(path.name)
    assert m is not None, path
    return m["sec"], m["name"]


def rank(name: str, title: str) -> tuple[bool, bool]:
    """How far a page's name is from its title (in lower case): least for the title."""
    return name.lower() != title, name != title


def prepare(pages_root: Path, sections: list[str], src: Path) -> Project:
    """Lay the pages out in ``src`` as FreeBSD does, with conf.py and index.rst."""
    project = Project(src)
    # A page's names: the files that are one file, through hard or symbolic links.
    groups: dict[tuple[int, int], list[Path]] = {}
    for p in page_files(pages_root, sections):
        if not p.exists():  # a symbolic link to nothing
            project.dangling += 1
            continue
        st = p.stat()
        groups.setdefault((st.st_dev, st.st_ino), []).append(p)
    chosen: dict[str, bytes] = {}  # man2/foo.2 -> the page
    aliases: dict[tuple[str, str], str] = {}  # every name of a page -> its file, for .so
    for names in groups.values():
        text = read_page(names[0])
        m = TITLE_LINE.search(text)
        title = m[1].decode(errors="replace").lower() if m else ""
        # A file over a symbolic link, then the page's own name (its title,
        # in lower case as FreeBSD names its files: altq.4 over ALTQ.4) over
        # the others; the rest are links to it.
        names.sort(key=lambda p: (p.is_symlink(), *rank(split_name(p)[1], title), p.name))
        sec, name = split_name(names[0])
        rel = f"man{sec}/{name}.{sec}"
        if rel in chosen:  # foo.2.gz beside foo.2freebsd.gz: the first one read wins
            project.links_skipped += len(names)
            continue
        chosen[rel] = text
        project.links_skipped += len(names) - 1
        project.links_copied += names[0].is_symlink()
        aliases.update((split_name(p), rel) for p in names)
    if not chosen:
        raise PagesError(f"no pages of sections {','.join(sections)} under {pages_root}")

    def so_target(m: re.Match[bytes]) -> bytes:
        target = PAGE_NAME.fullmatch(Path(m[2].decode(errors="replace")).name)
        rel = aliases.get((target["sec"], target["name"])) if target else None
        return m[1] + rel.encode() if rel else m[0]

    for rel, text in sorted(chosen.items()):
        stub = is_stub(text)
        project.stubs += stub
        dest = src / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(SO_LINE.sub(so_target, text))
        project.pages[rel.split("/")[0].removeprefix("man")] += 1
        if project.first is None and not stub:
            project.first = dest
    write_conf(src, sorted(project.pages))  # one digit each
    return project


def write_conf(src: Path, sections: list[str]) -> None:
    """conf.py and an index.rst with one globbing toctree per section."""
    # No sidebar: alabaster's navigation sidebar renders the whole toctree
    # into every page, which makes writing the HTML quadratic in the number
    # of pages (README, Performance) and would hide what the extension costs.
    # Warnings are not suppressed: counting them is half the point.
    (src / "conf.py").write_text(
        'project = "Manual"\n'
        'extensions = ["mdoc2rst.sphinx"]\n'
        'exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]\n'
        'html_theme = "alabaster"\n'
        'html_sidebars = {"**": []}\n'
    )
    toctrees = "".join(
        f".. toctree::\n   :caption: {s}. {SECTION_TITLES[s]}\n   :maxdepth: 1\n   :glob:\n\n"
        f"   man{s}/*\n\n"
        for s in sections
    )
    (src / "index.rst").write_text(f"Manual\n======\n\n{toctrees}")


def vmhwm(pid: int) -> int:
    """The process's peak resident set so far, in kB; 0 once it has ended."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    m = re.search(r"^VmHWM:\s*(\d+)", status, re.M)
    return int(m[1]) if m else 0


def run(cmd: list[str], env: dict[str, str], log: Path) -> Run:
    """Run Sphinx with its output in ``log``, sampling its VmHWM until it ends.

    wait4 rather than Popen.wait: its rusage is this child's own, with the
    -j workers it reaped, where getrusage(RUSAGE_CHILDREN) would mix in every
    earlier child (apt-get, the full build).  Either ru_maxrss also counts
    what the forked child held before exec, a copy of this small script.
    """
    with log.open("wb") as out:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        hwm = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            hwm = max(hwm, vmhwm(proc.pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, proc.returncode, hwm, usage.ru_maxrss)


def mtimes(out: Path, pattern: str) -> dict[Path, int]:
    """The modification time of each file under ``out`` matching ``pattern``."""
    return {p: p.stat().st_mtime_ns for p in out.rglob(pattern)}


def changed(before: dict[Path, int], after: dict[Path, int]) -> int:
    """How many files were written (or appeared) between two mtimes()."""
    return sum(1 for p, t in after.items() if before.get(p) != t)


def warnings(text: str) -> list[tuple[str, str]]:
    """Each warning's tag and first line; a line with no level continues the last one.

    Sphinx appends the tag to the message, so it ends the warning's last line.
    """
    entries: list[list[str]] = []
    for line in text.splitlines():
        if LEVEL.match(line) or not entries:
            entries.append([line])
        else:
            entries[-1].append(line)
    tags = (TAG.search("\n".join(e).rstrip()) for e in entries)
    return [(m[1] if m else UNTAGGED, e[0]) for m, e in zip(tags, entries, strict=True)]


def mb(kb: int) -> str:
    """Kilobytes as megabytes, for the table."""
    return f"{kb / 1024:.0f} MB"


def report(
    project: Project, full: Run, rebuild: Run, reread: str, rewritten: tuple[int, int], warn: str
) -> None:
    """The figures, as Markdown tables (they paste into README.md)."""
    found = warnings(warn)
    by_tag = Counter(tag for tag, _ in found)
    by_type = Counter(tag.split(".")[0] for tag, _ in found)
    pages = sum(project.pages.values())
    per = ", ".join(f"man{s} {n}" for s, n in sorted(project.pages.items()))
    touched = project.first.relative_to(project.src) if project.first else "nothing"
    rows = [
        ("pages", f"{pages} ({per})"),
        ("links skipped (names of a page already in the set)", str(project.links_skipped)),
        ("links copied (their page is not in the set)", str(project.links_copied)),
        ("dangling links", str(project.dangling)),
        (".so stubs kept", str(project.stubs)),
        ("full build", f"{full.seconds:.1f} s"),
        (
            f"rebuild after touching {touched}",
            f"{rebuild.seconds:.1f} s, {rewritten[0]} re-read (doctrees written; Sphinx says "
            f"{reread} changed), {rewritten[1]} HTML pages written",
        ),
        ("peak memory, main Sphinx process (VmHWM)", mb(max(full.main_hwm, rebuild.main_hwm))),
        (
            "peak memory, largest Sphinx process, -j workers included (ru_maxrss)",
            mb(max(full.max_rss, rebuild.max_rss)),
        ),
        ("warnings (full build)", f"{len(found)} ({len(by_tag)} type.subtype tags)"),
    ]
    print("| figure | value |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    print("\nWarnings by type.subtype:\n\n| warnings | type.subtype |\n| ---: | --- |")
    for tag, n in by_tag.most_common(TOP_TYPES):
        print(f"| {n} | {tag} |")
    rest = by_tag.most_common()[TOP_TYPES:]
    if rest:
        print(f"| {sum(n for _, n in rest)} | {len(rest)} others |")
    print("\nBy type: " + ", ".join(f"{t} {n}" for t, n in by_type.most_common()))
    prefix = f"{project.src}{os.sep}"
    for tag, n in by_tag.most_common(EXAMPLE_TYPES):
        print(f"\nExamples of {tag} ({n}):")
        for _, first in [w for w in found if w[0] == tag][:EXAMPLES]:
            print(f"  {first.replace(prefix, '')}")


def failed(result: Run, log: Path) -> bool:
    """Whether Sphinx failed; if so, say why on one line (its log's last error)."""
    if result.code == 0:
        return False
    lines = log.read_text(errors="replace").strip().splitlines()
    why = next((ln.strip() for ln in reversed(lines) if "Error" in ln), lines[-1] if lines else "")
    print(f"site: sphinx exited with {result.code} (see {log}): {why}", file=sys.stderr)
    return True


def build(project: Project, work: Path, jobs: str, env: dict[str, str]) -> int:
    """Build, touch a page, rebuild, and print the figures; 1 when Sphinx fails."""
    out = work / "out"
    warn = work / "warnings.txt"
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-j", jobs]
    log = work / "build.log"
    full = run([*cmd, "-q", "-w", str(warn), str(project.src), str(out)], env, log)
    if failed(full, log):
        return 1
    html, doctrees = mtimes(out, "*.html"), mtimes(out, "*.doctree")
    if project.first is not None:
        project.first.write_bytes(project.first.read_bytes() + b'.\\" touched\n')
    # Not quiet: Sphinx says how many documents it found changed.
    log = work / "rebuild.log"
    again = [*cmd, "-w", str(work / "rebuild-warnings.txt"), str(project.src), str(out)]
    rebuild = run(again, env, log)
    if failed(rebuild, log):
        return 1
    said = re.search(r"(\d+) added, (\d+) changed, (\d+) removed", log.read_text(errors="replace"))
    written = (changed(doctrees, mtimes(out, "*.doctree")), changed(html, mtimes(out, "*.html")))
    report(project, full, rebuild, said[2] if said else "?", written, warn.read_text())
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, help=f"a folder of pages or a .deb (default: {PACKAGE})")
    ap.add_argument("--sections", default="2,4,9", help="sections to build (default 2,4,9)")
    ap.add_argument("--jobs", default="auto", help="sphinx -j (default auto)")
    ap.add_argument("--keep", type=Path, help="build in this new folder and keep it")
    ap.add_argument("--site", type=Path, help="measure the mdoc2rst installed in this folder")
    args = ap.parse_args()
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    if not sections or any(s not in SECTION_TITLES for s in sections):
        print(f"site: sections are 1 to 9, not {args.sections!r}", file=sys.stderr)
        return 2
    source = (args.site or ROOT).resolve()
    if not (source / "mdoc2rst" / "__init__.py").is_file():
        print(f"site: no mdoc2rst package in {source}", file=sys.stderr)
        return 2
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        print(f"site: {args.keep} is not empty", file=sys.stderr)
        return 2
    bench = load_bench()
    sys.path.insert(0, str(source))
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if args.pages and args.pages.is_dir():
                pages_root = args.pages
            elif args.pages and args.pages.is_file() and args.pages.suffix == ".deb":
                pages_root = fetch(args.pages.resolve(), Path(tmp))
            elif args.pages:
                raise PagesError(f"{args.pages} is neither a folder nor a .deb")
            else:
                pages_root = fetch(None, Path(tmp))
            work = args.keep.resolve() if args.keep else Path(tmp) / "site"
            project = prepare(pages_root, sections, work / "src")
        except PagesError as e:
            print(f"site: {e}", file=sys.stderr)
            return 2
        print(f"mdoc2rst: {bench.build_label(source)}")
        what = f"sections {', '.join(sections)}, sphinx -b html -j {args.jobs}"
        print(f"pages: {args.pages or PACKAGE}, {what}, {os.cpu_count()} CPUs, one run\n")
        return build(project, work, args.jobs, bench.child_env(source))


if __name__ == "__main__":
    sys.exit(main())
