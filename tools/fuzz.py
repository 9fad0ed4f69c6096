#!/usr/bin/env python3
"""Longer fuzzing run: mutated corpus pages through every stage of mdoc2rst.

    python3 tools/fuzz.py [--seconds 300] [--seed N] [--save DIR]

Each input is a page from ../shared/corpus with random edits (tests/mutate.py
has the mutator, shared with the suite's bounded version in test_fuzz.py).
Every stage must finish without an exception within the time bound: parse,
lint, tree, convert in both flavours (the docutils output reparsed by
docutils), spec.  Failing inputs are saved for reproduction.  Prints how
many inputs ran; exits 1 when any failed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from mutate import corpus_pages, deadline, mutate, run_all_stages  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--save", type=Path, default=Path("fuzz-failures"))
    ap.add_argument(
        "--shared",
        type=Path,
        default=Path(os.environ.get("MDOC2RST_SHARED", ROOT.parent / "shared")),
    )
    args = ap.parse_args()
    pages = corpus_pages(args.shared)
    if not pages:
        print(f"fuzz: no corpus under {args.shared}/corpus", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else int(time.time())
    rnd = random.Random(seed)
    end = time.monotonic() + args.seconds
    count = failures = 0
    while time.monotonic() < end:
        data = mutate(rnd.choice(pages), rnd, rnd.randint(1, 16))
        count += 1
        try:
            with deadline(20):
                run_all_stages(data)
        except Exception as exc:  # a fuzzer reports every failure, whatever it is
            failures += 1
            args.save.mkdir(parents=True, exist_ok=True)
            path = args.save / f"failure-{seed}-{count}.mdoc"
            path.write_bytes(data)
            last = traceback.format_exception(exc)[-1].strip()
            print(f"fuzz: {path}: {last}", file=sys.stderr)
    print(f"fuzz: {count} inputs in {args.seconds:.0f} s (seed {seed}), {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
