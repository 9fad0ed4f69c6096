#!/usr/bin/env python3
"""Benchmark mdoc2rst against its peers on the same pages, side by side.

    python3 bench/bench.py [DIR...] [--repeat 5] [--no-sphinx] [--no-peers] [--site DIR]

Pages: every man page under ../shared/corpus (mandoc's regression inputs,
its manuals, FreeBSD's SCTP pages) plus any folder given.  Prints, from one
run on this machine:

* one process for many pages: pages/s and MB/s for mdoc2rst (parse,
  validate, write reST) and for ``mandoc -T markdown`` / ``-T html`` and
  ``pandoc -f mdoc -t rst`` (``pip install pypandoc-binary`` brings
  pandoc) and doclifter (``apt-get install doclifter``), each on the pages
  it accepts, with ratios; then the same for each folder on its own, since
  pages per second depends on page size;
* peak memory of mdoc2rst on the largest page (a fresh process);
* start-up: ``mdoc2rst PAGE`` wall time per process, against mandoc's,
  pandoc's and doclifter's;
* batch conversion on every core (``mdoc2rst convert -j N``);
* a Sphinx build of 500+ man pages with ``-j auto``, then an incremental
  rebuild after touching one page, with how many pages it re-read.

It measures this checkout, pure Python, unless ``--site DIR`` names an
install of the compiled build (``tools/compiled.sh DIR``); the first line
says which build it measured.

Figures, not assertions: targets live in README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MDOC2RST_SHARED", ROOT.parent / "shared"))
SUFFIXES = {f".{n}" for n in range(1, 10)} | {".in"}
PEER_TIMEOUT = 20  # seconds a peer may take for one page


def pages_under(dirs: list[Path]) -> list[Path]:
    found: list[Path] = []
    for d in dirs:
        found += sorted(p for p in d.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    return found


def groups(pages: list[Path], roots: list[Path]) -> list[tuple[str, list[Path]]]:
    """The pages split by the first folder under each root (or the root)."""
    found: dict[str, list[Path]] = {}
    for p in pages:
        for root in roots:
            if p.is_relative_to(root):
                rel = p.relative_to(root).parts
                key = str(root / rel[0]) if len(rel) > 1 else str(root)
                found.setdefault(key, []).append(p)
                break
    return [(os.path.relpath(k, ROOT.parent), v) for k, v in found.items()]


def total_size(pages: list[Path]) -> int:
    return sum(p.stat().st_size for p in pages)


def timed(fn: object, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t)
    return best


def line(name: str, n: int, size: int, seconds: float, base: float | None) -> str:
    rate = n / seconds
    ratio = f"{rate / base:6.2f}x" if base else "   —   "
    return f"  {name:32} {rate:9.0f} pages/s {size / seconds / 1e6:7.2f} MB/s  {ratio}"


def child_env(source: Path) -> dict[str, str]:
    """The environment of an mdoc2rst child process: it imports from
    ``source``, and not from its working directory (PYTHONSAFEPATH)."""
    return dict(os.environ, PYTHONPATH=str(source), PYTHONSAFEPATH="1")


def build_label(source: Path) -> str:
    """Which build of mdoc2rst this process imports, and from where."""
    import importlib.machinery

    import mdoc2rst.mdoc.parser

    origin = mdoc2rst.mdoc.parser.__file__ or ""
    compiled = origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    return f"{'compiled with mypyc' if compiled else 'pure Python'}, from {source}"


def bench_mdoc2rst(pages: list[Path], repeat: int) -> float:
    from mdoc2rst.reader import parse
    from mdoc2rst.writers.rst import write

    data = [(str(p), p.read_bytes()) for p in pages]

    def run() -> None:
        for name, d in data:
            write(parse(d, name))

    return timed(run, repeat)


def bench_mandoc(pages: list[Path], fmt: str, repeat: int) -> float | None:
    if not shutil.which("mandoc"):
        return None
    args = ["mandoc", "-T", fmt, *map(str, pages)]

    def run() -> None:
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    return timed(run, repeat)


def pandoc_path() -> str | None:
    path = shutil.which("pandoc")
    if path:
        return path
    try:
        import pypandoc  # type: ignore[import-not-found,import-untyped]

        return str(pypandoc.get_pandoc_path())
    except Exception:  # pypandoc missing or without its binary: no pandoc figures
        return None


def copy_pages(pages: list[Path], folder: Path) -> list[Path]:
    """Copies named p0.SEC, p1.SEC...: unique, and with a section suffix
    (a regression input ``.in`` becomes section 1)."""
    copies = []
    for i, p in enumerate(pages):
        sec = p.suffix.lstrip(".") if p.suffix != ".in" else "1"
        copies.append(folder / f"p{i}.{sec}")
        shutil.copyfile(p, copies[-1])
    return copies


def bench_peer(
    cmd: list[str], pages: list[Path], repeat: int, memory: int | None = None
) -> tuple[float, list[int], str]:
    """A peer converter on the pages it accepts (their indices): all in one
    process when that run succeeds, else one process per page.  ``memory``
    caps the peer's address space, in bytes."""

    def cap() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    def convert(paths: list[Path], check: bool = False) -> int:
        # A peer may loop on a page (doclifter does on some regression
        # inputs): a page that takes over PEER_TIMEOUT counts as refused,
        # and the peer's whole process group is killed, helpers included.
        proc = subprocess.Popen(
            [*cmd, *map(str, paths)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=cap,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=PEER_TIMEOUT * len(paths))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            if check:
                raise
            return -1
        if check and code != 0:
            raise subprocess.CalledProcessError(code, cmd)
        return code

    ok = [i for i, p in enumerate(pages) if convert([p]) == 0]
    accepted = [pages[i] for i in ok]
    if not accepted:
        return 0.0, ok, "none accepted"
    if convert(accepted) == 0:
        return timed(lambda: convert(accepted, check=True), repeat), ok, "one process"

    def each() -> None:
        for p in accepted:
            convert([p])

    return timed(each, 1), ok, "a process per page: together they fail"


def compare_peer(
    name: str,
    cmd: list[str],
    pages: list[Path],
    repeat: int,
    inputs: list[Path] | None = None,
    memory: int | None = None,
) -> None:
    """Print a peer's rate beside mdoc2rst's on the pages the peer accepts.

    ``inputs`` are the files the peer is given when it must not read the
    originals (doclifter writes its output beside its input).
    """
    t, ok, how = bench_peer(cmd, inputs or pages, repeat, memory)
    if not ok:
        print(f"  {name}: accepts none of the pages")
        return
    same = [pages[i] for i in ok]
    size = total_size(same)
    ours = bench_mdoc2rst(same, repeat)
    print(f"  on the {len(same)} pages {name.split()[0]} converts ({how}):")
    print(line("  mdoc2rst", len(same), size, ours, None))
    print(line(f"  {name}", len(same), size, t, len(same) / ours))


def per_process(cmd: list[str], env: dict[str, str] | None = None, runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def peak_memory(page: Path, env: dict[str, str]) -> float:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the
    # forked copy of this process, so the child would report our size.
    code = (
        "import re, sys;"
        "from mdoc2rst.reader import parse_file; from mdoc2rst.writers.rst import write;"
        "write(parse_file(sys.argv[1]));"
        "print(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read())[1])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(page)], env=env, capture_output=True, text=True
    ).stdout
    return int(out.strip() or 0) / 1024


def bench_sphinx(pages: list[Path], copies: int, env: dict[str, str]) -> None:
    try:
        import sphinx  # noqa: F401
    except ImportError:
        print("  (Sphinx not installed: skipped)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        names: list[str] = []
        for k in range(copies):
            for i, p in enumerate(pages):
                sec = p.suffix.lstrip(".") if p.suffix != ".in" else "1"
                folder = src / f"man{sec}"
                folder.mkdir(parents=True, exist_ok=True)
                name = f"p{k}_{i}.{sec}"
                shutil.copyfile(p, folder / name)
                names.append(f"man{sec}/{name}")
        # No navigation sidebar: alabaster renders the whole toctree into
        # every page, which makes the HTML writing quadratic in the number
        # of pages and would hide what the extension costs.
        (src / "conf.py").write_text(
            'extensions = ["mdoc2rst.sphinx"]\nsuppress_warnings = ["mdoc"]\n'
            'mdoc2rst_lint_level = "unsupp"\nhtml_sidebars = {"**": []}\n'
        )
        toc = "\n".join(f"   {n.rsplit('.', 1)[0]}" for n in names)
        (src / "index.rst").write_text(f"Pages\n=====\n\n.. toctree::\n\n{toc}\n")
        out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "sphinx", "-j", "auto", "-q", str(src), str(out)]
        t = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        full = time.perf_counter() - t
        first = src / names[0]
        first.write_bytes(first.read_bytes() + b'.\\" touched\n')
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "sphinx", "-j", "auto", str(src), str(out)],
            env=env,
            capture_output=True,
            text=True,
        )
        incr = time.perf_counter() - t
        reread = re.search(r"(\d+) added, (\d+) changed, (\d+) removed", proc.stdout)
        changed = reread.group(2) if reread else "?"
        print(f"  full build, {len(names)} man pages, -j auto: {full:7.1f} s")
        print(f"  incremental after touching 1 page:        {incr:7.1f} s ({changed} re-read)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-sphinx", action="store_true")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument(
        "--site",
        type=Path,
        help="measure the mdoc2rst installed in this folder (tools/compiled.sh DIR)",
    )
    args = ap.parse_args()
    source = (args.site or ROOT).resolve()
    if not (source / "mdoc2rst" / "__init__.py").is_file():
        print(f"bench: no mdoc2rst package in {source}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(source))
    env = child_env(source)
    pages = pages_under([SHARED / "corpus", *args.dirs])
    if not pages:
        print(f"bench: no pages under {SHARED}/corpus", file=sys.stderr)
        return 2
    size = total_size(pages)
    print(f"mdoc2rst: {build_label(source)}")
    print(f"{len(pages)} pages, {size / 1e6:.2f} MB, {os.cpu_count()} CPUs, one run\n")
    print("One process, many pages:")
    ours = bench_mdoc2rst(pages, args.repeat)
    base = len(pages) / ours
    print(line("mdoc2rst (parse, validate, reST)", len(pages), size, ours, None))
    if not args.no_peers:
        for fmt in ("markdown", "html"):
            t = bench_mandoc(pages, fmt, args.repeat)
            if t is not None:
                print(line(f"mandoc -T {fmt}", len(pages), size, t, base))
        pandoc = pandoc_path()
        if pandoc:
            cmd = [pandoc, "-f", "mdoc", "-t", "rst"]
            compare_peer("pandoc -f mdoc -t rst", cmd, pages, args.repeat)
        else:
            print("  pandoc: not found (pip install pypandoc-binary)")
        if shutil.which("doclifter"):
            with tempfile.TemporaryDirectory() as tmp:
                copies = copy_pages(pages, Path(tmp))
                # doclifter grows without bound on some regression inputs
                # (18-24 GB within minutes): cap it.  Not pandoc: the
                # Haskell runtime reserves a terabyte of address space.
                compare_peer("doclifter (to DocBook)", ["doclifter"], pages, args.repeat,
                             copies, memory=2 << 30)  # fmt: skip
        else:
            print("  doclifter: not found (apt-get install doclifter)")
    print("  (ratios: peer pages/s over mdoc2rst pages/s)\n")

    # Pages per second depends on page size: mandoc's regression inputs are
    # a few lines each, real manuals are several kilobytes.  Each folder on
    # its own shows what a given kind of page costs.
    print("By folder (one process each):")
    for name, group in groups(pages, [SHARED / "corpus", *args.dirs]):
        gsize = total_size(group)
        t = bench_mdoc2rst(group, args.repeat)
        print(f"  {name} ({len(group)} pages, {gsize / len(group) / 1e3:.1f} kB each on average):")
        print(line("  mdoc2rst", len(group), gsize, t, None))
        if not args.no_peers:
            m = bench_mandoc(group, "markdown", args.repeat)
            if m is not None:
                print(line("  mandoc -T markdown", len(group), gsize, m, len(group) / t))
    print()

    largest = max(pages, key=lambda p: p.stat().st_size)
    print(f"Peak memory on the largest page ({largest.name}, {largest.stat().st_size} B): "
          f"{peak_memory(largest, env):.1f} MB\n")  # fmt: skip

    print("One process per page (median of 10):")
    seed = str(ROOT / "docs" / "man3" / "sctp_connectx.3")
    ours_cmd = [sys.executable, "-m", "mdoc2rst", seed]
    print(f"  {'mdoc2rst PAGE':28} {per_process(ours_cmd, env) * 1e3:6.0f} ms")
    commands: list[tuple[str, list[str]]] = []
    if not args.no_peers and shutil.which("mandoc"):
        commands.append(("mandoc -T markdown PAGE", ["mandoc", "-T", "markdown", seed]))
    pandoc = None if args.no_peers else pandoc_path()
    if pandoc:
        commands.append(("pandoc -f mdoc -t rst PAGE", [pandoc, "-f", "mdoc", "-t", "rst", seed]))
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_peers and shutil.which("doclifter"):
            # doclifter writes PAGE.xml beside the page: give it a copy.
            copy = copy_pages([Path(seed)], Path(tmp))[0]
            commands.append(("doclifter PAGE", ["doclifter", str(copy)]))
        for label, cmd in commands:
            print(f"  {label:28} {per_process(cmd) * 1e3:6.0f} ms")
    print()

    print("Batch conversion on every core:")
    with tempfile.TemporaryDirectory() as tmp:
        # Unique names, so that no two pages write the same NAME.SEC.rst.
        src, out = Path(tmp) / "src", Path(tmp) / "out"
        src.mkdir()
        copy_pages(pages, src)
        jobs = os.cpu_count() or 1
        t = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "mdoc2rst",
                "convert",
                "-j",
                str(jobs),
                str(src),
                "-o",
                str(out),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        t = time.perf_counter() - t
        n = sum(1 for f in out.rglob("*.rst"))
        print(f"  mdoc2rst convert -j {jobs}: {n} pages in {t:.2f} s = {n / t:.0f} pages/s")
        print("  (one command, start-up of the processes included)\n")

    if not args.no_sphinx:
        print("Sphinx:")
        man = [p for p in pages if p.suffix != ".in"] + [p for p in pages if p.suffix == ".in"]
        bench_sphinx(man, copies=max(1, -(-500 // len(man))), env=env)
    rusage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"\n(benchmark process peak RSS {rusage.ru_maxrss / 1024:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
