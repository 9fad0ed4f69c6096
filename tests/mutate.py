"""Mutations of real pages for fuzzing, shared by tests/test_fuzz.py and tools/fuzz.py.

Inputs start from the corpora (mandoc's regression inputs, its manuals,
the FreeBSD pages) and get edits that stress the parsers: mdoc(7) and
man(7) macros and roff requests inserted where they do not belong, deleted spans, duplicated and
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
from mdoc2rst.contract.lint import check as check_contract
from mdoc2rst.contract.spec import extract
from mdoc2rst.contract.stub import StubError, generate
from mdoc2rst.safe import SAFE_SCHEMES, url_scheme
from mdoc2rst.tree.dump import dump
from mdoc2rst.writers.rst import RstOptions, write

TOKENS = [
    b".Bl -column", b".Bl -tag -width", b".It", b".El", b".Bd -literal", b".Ed", b".Ta",
    b".Oo", b".Oc", b".Op", b".Sh", b".Ss", b".Nm", b".Fo", b".Fc", b".Rs", b".Re", b"%A",
    b".Ns", b".Sm off", b".Sm on", b".Xo", b".Xc", b".Eo", b".Ec", b".Fl", b".Ar", b".Pf",
    b".Ap", b".Bk", b".Ek", b".Aq", b".Ao", b".Ac", b".Bo", b".Bc", b".Dd", b".Dt", b".Os",
    b"\\{", b"\\}", b".if n", b".ie t", b".el", b".de X", b"..", b".X", b".ds a \\*a\\*a",
    b"\\*(", b"\\*[", b"\\n(", b"\\n+", b"\\f", b"\\(", b"\\[u", b"\\N'", b"\\", b'"',
    b'""', b"\t", b"(", b")", b"|", b"\x00", b"\xff", b"\r\n", b".so x", b".nr", b".tr",
    b".cc", b".ec", b".eo", b".while 1", b".break", b".. raw:: html", b"`x`_", b"|s|",
    # man(7): next-line scopes, explicit blocks and their closers, the prologue.
    b".TH X 1", b".SH", b".SS", b".TP", b".TQ", b".IP", b".PP", b".B", b".SM", b".BI",
    b".RS", b".RE", b".RE 9", b".UR x", b".UE", b".MT", b".ME", b".SY", b".YS", b".EX",
    b".EE", b".PD", b".in", b"\\c",
    # Every character that ends a line for docutils or Python, raw and as escapes.
    b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xc2\x85", b"\x0b", b"\x0c", b"\x1c", b"\x1e",
    b"\\[u2028]", b"\\[u2029]", b"\\[u0085]", b"\\N'8232'", b"\\[u202E]", b".tr a\\[u2028]",
    b"\xe2\x80\xa8.. include:: /etc/passwd\n", b"\\[u2028].. raw:: html\n",
    # Links that must not run, and empty ones.
    b".Lk javascript:alert(1) x", b".Lk JaVaScRiPt:x", b".Lk \"\"", b".Lk \" data:x\"",
    b".Mt javascript:x", b".Xr javascript:x 1", b"%U vbscript:x", b".Lk",
    # Long lines of macros (recursion), arithmetic at its limits.
    b".Fl" + b" Fl" * 400, b".It" + b" Ta" * 700, b".Ao" + b" Ao Ac" * 300,
    b".nr x 99999999999999999999", b"\\h'1e999'", b".nr y 1/0",
]  # fmt: skip

#: Page text that needs its own construct when long: one word, a title.
LONG = [b"x" * 12_000, b"=" * 12_000, b"\\e" * 5_000, b"word " * 2_500, b"*_`" * 4_000]


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
        elif op < 0.65:
            data[pos:pos] = rnd.choice(LONG)
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


#: Nodes that page text must never become: raw output, substitutions, and
#: targets of its own (a link that the writer did not make).
_SMUGGLED = (
    docutils.nodes.raw,
    docutils.nodes.substitution_definition,
    docutils.nodes.substitution_reference,
    docutils.nodes.footnote,
)


def _one_line(text: str) -> bool:
    return len(text.splitlines()) <= 1


def run_all_stages(data: bytes, name: str = "fuzz.1") -> None:
    """Parse, lint, tree, convert (both flavours, reparsed by docutils), spec,
    contract lint; parse and tree in the page's other language too.

    Beyond "no exception": every diagnostic is one line; a generated stub
    is ASCII and compiles (or the page is refused); the reST has no
    line end but ``\\n`` and no line docutils refuses; docutils reads the
    plain flavour without a message of level 2 or more, and finds in it no
    raw node, substitution, footnote or comment (the writer makes none of
    these, so any would be page text read as markup); no link runs code.
    """
    doc = parse(data, name)
    for d in doc.diagnostics:
        if not _one_line(str(d)):
            raise AssertionError(f"a diagnostic over several lines: {str(d)!r:.200}")
    dump(doc)
    # The other language's parser survives the page too (mandoc -man, -mdoc).
    other = parse(data, name, macroset="mdoc" if doc.macroset == "man" else "man")
    for d in other.diagnostics:
        if not _one_line(str(d)):
            raise AssertionError(f"a diagnostic over several lines: {str(d)!r:.200}")
    dump(other)
    spec = extract(doc)
    for d in check_contract(doc, spec):
        if not _one_line(str(d)):
            raise AssertionError(f"a contract finding over several lines: {str(d)!r:.200}")
    try:
        module, _ = generate([spec])
    except StubError:
        pass  # refusing a page is allowed; anything else is not
    else:
        # Generated code is ASCII and compiles (it is imported under an
        # audit hook in test_stub_hostile.py; compiling is what fuzzing affords).
        if not module.isascii():
            raise AssertionError("the stub is not ASCII")
        compile(module, "stub.py", "exec")
    for flavor in ("sphinx", "docutils"):
        text = write(doc, RstOptions(flavor=flavor))  # type: ignore[arg-type]
        lines = text.splitlines()
        if lines != text.split("\n")[: len(lines)]:
            raise AssertionError(f"{flavor}: a line end other than \\n in the reST")
        if any(len(line) > 10_000 for line in lines):
            raise AssertionError(f"{flavor}: a line over 10,000 characters")
    doctree = docutils.core.publish_doctree(
        text, settings_overrides={"report_level": 1, "halt_level": 5, "warning_stream": False}
    )
    bad = [m.astext() for m in doctree.findall(docutils.nodes.system_message) if m["level"] >= 2]
    if bad:
        raise AssertionError(f"docutils warns about the output: {bad[0]:.300}")
    for node in doctree.findall(lambda n: isinstance(n, _SMUGGLED)):
        raise AssertionError(f"page text became markup: {node.pformat()[:200]}")
    for node in doctree.findall(docutils.nodes.comment):
        if node.astext():  # the writer's comments are empty: they end lists
            raise AssertionError(f"page text became a comment: {node.astext()[:200]}")
    for ref in doctree.findall(docutils.nodes.reference):
        uri = ref.get("refuri", "")
        if uri and url_scheme(uri) not in (None, *SAFE_SCHEMES):
            raise AssertionError(f"a live link that is not safe: {uri[:100]}")
