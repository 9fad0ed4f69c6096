#!/usr/bin/env python3
"""Text fidelity of the reST of installed man(7) pages against ``mandoc -T html``.

    python3 tools/man_fidelity.py [--root /usr/share/man] [--size 500] [--seed 0]
        [--worst 15] [--jobs N]

Picks pages as tools/man_sample.py does (the same shuffle, man(7) only),
converts each to docutils-flavour reST, renders it with docutils and
compares its words, in order, with mandoc's HTML (tests/rst_check.py
``fidelity``: the page title, header and footer set aside).  Prints the
median, the distribution and the worst pages, and the pages whose reST
docutils reports problems in.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tools"))

from man_sample import _page_name, candidates, is_man, page_text  # noqa: E402
from rst_check import DOCUTILS, docutils_messages, fidelity  # noqa: E402

from mdoc2rst import parse_file  # noqa: E402
from mdoc2rst.writers.rst import write  # noqa: E402

#: Bins of the distribution, lowest bound first.
_BINS = (1.0, 0.99, 0.97, 0.95, 0.90, 0.80, 0.0)


def measure(path: str) -> tuple[str, float, int]:
    """One page (a file mandoc can read): its ratio and its docutils messages."""
    page = Path(path)
    messages = docutils_messages(write(parse_file(page), DOCUTILS))
    return path, fidelity(page), len(messages)


def _bin(ratio: float) -> float:
    return next(b for b in _BINS if ratio >= b)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=Path("/usr/share/man"))
    ap.add_argument("--size", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worst", type=int, default=15, help="worst pages to show")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    if not any(os.access(Path(d) / "mandoc", os.X_OK) for d in os.get_exec_path()):
        print("mandoc is not installed (apt-get install mandoc)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="man-fidelity-") as tmp:
        # Each page as a file of its own name in an empty folder: mandoc
        # and mdoc2rst read the same bytes, and .so finds nothing in either.
        files: list[str] = []
        for path in candidates(args.root, args.seed):
            data = page_text(path)
            name = _page_name(path)
            if data is None or not is_man(data, name):
                continue
            target = Path(tmp, f"{len(files)}", name)
            target.parent.mkdir()
            target.write_bytes(data)
            files.append(str(target))
            if len(files) == args.size:
                break
        if not files:
            print(f"no man(7) pages under {args.root}", file=sys.stderr)
            return 2
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(measure, files, chunksize=4))
    ratios = [r for _, r, _ in results]
    print(f"{len(results)} man(7) pages under {args.root} (seed {args.seed})")
    print(f"median {statistics.median(ratios):.4f}  mean {statistics.fmean(ratios):.4f}")
    bins = Counter(_bin(r) for r in ratios)
    for low in _BINS:
        print(f"  >= {low:.2f}: {bins.get(low, 0)}")
    print("worst:")
    for path, ratio, _ in sorted(results, key=lambda x: x[1])[: args.worst]:
        print(f"  {ratio:.4f}  {Path(path).name}")
    noisy = [(p, m) for p, _, m in results if m]
    print(f"pages with docutils messages: {len(noisy)}")
    for path, count in noisy[: args.worst]:
        print(f"  {count:3d}  {Path(path).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
