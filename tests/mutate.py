"""Mutations of real pages for fuzzing, shared by tests/test_fuzz.py and tools/fuzz.py.

Inputs start from the corpora (mandoc's regression inputs, its manuals,
the FreeBSD pages) and get edits that stress the parser: macros and roff
requests inserted where they do not belong, deleted spans, duplicated and
shuffled lines, quotes, escapes, tabs and random bytes.
"""

from __future__ import annotations

import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docutils.core
import docutils.nodes

from mdoc2rst import parse
from mdoc2rst.rst import RstOptions, write
from mdoc2rst.spec import extract
from mdoc2rst.tree import dump

TOKENS = [
    b".Bl -column", b".Bl -tag -width", b".It", b".El", b".Bd -literal", b".Ed", b".Ta",
    b".Oo", b".Oc", b".Op", b".Sh", b".Ss", b".Nm", b".Fo", b".Fc", b".Rs", b".Re", b"%A",
    b".Ns", b".Sm off", b".Sm on", b".Xo", b".Xc", b".Eo", b".Ec", b".Fl", b".Ar", b".Pf",
    b".Ap", b".Bk", b".Ek", b".Aq", b".Ao", b".Ac", b".Bo", b".Bc", b".Dd", b".Dt", b".Os",
    b"\\{", b"\\}", b".if n", b".ie t", b".el", b".de X", b"..", b".X", b".ds a \\*a\\*a",
    b"\\*(", b"\\*[", b"\\n(", b"\\n+", b"\\f", b"\\(", b"\\[u", b"\\N'", b"\\", b'"',
    b'""', b"\t", b"(", b")", b"|", b"\x00", b"\xff", b"\r\n", b".so x", b".nr", b".tr",
    b".cc", b".ec", b".eo", b".while 1", b".break", b".. raw:: html", b"`x`_", b"|s|",
]  # fmt: skip


def corpus_pages(shared: Path) -> list[bytes]:
    corpus = shared / "corpus"
    files = sorted(corpus.rglob("*.in")) + sorted(corpus.rglob("*.[1-9]"))
    return [f.read_bytes() for f in files]


def mutate(page: bytes, rnd: random.Random, edits: int) -> bytes:
    data = bytearray(page)
    for _ in range(edits):
        op = rnd.random()
        pos = rnd.randint(0, len(data))
        if op < 0.45:
            data[pos:pos] = rnd.choice(TOKENS) + rnd.choice([b" ", b"\n", b""])
        elif op < 0.6 and len(data) > 10:
            del data[pos : pos + rnd.randint(1, 60)]
        elif op < 0.8:
            lines = bytes(data).split(b"\n")
            a = rnd.randrange(len(lines))
            lines.insert(rnd.randrange(len(lines) + 1), lines[a])
            if rnd.random() < 0.3:
                b = rnd.randrange(len(lines))
                lines[a], lines[b] = lines[b], lines[a]
            data = bytearray(b"\n".join(lines))
        else:
            data[pos:pos] = bytes([rnd.randrange(256)])
    return bytes(data)


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"no result within {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def run_all_stages(data: bytes, name: str = "fuzz.1") -> None:
    """Parse, lint, tree, convert (both flavours, reparsed by docutils), spec."""
    doc = parse(data, name)
    for d in doc.diagnostics:
        str(d)
    dump(doc)
    extract(doc)
    write(doc, RstOptions(flavor="sphinx"))
    text = write(doc, RstOptions(flavor="docutils"))
    doctree = docutils.core.publish_doctree(
        text, settings_overrides={"report_level": 5, "halt_level": 5}
    )
    bad = [m.astext() for m in doctree.findall(docutils.nodes.system_message) if m["level"] >= 3]
    if bad:
        raise AssertionError(f"docutils rejects the output: {bad[0]}")
