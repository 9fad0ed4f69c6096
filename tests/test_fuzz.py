"""Bounded property tests: mutated pages and random connectx arguments.

The longer run is tools/fuzz.py; this one keeps the suite fast while still
exercising every stage on a few hundred inputs.
"""

from __future__ import annotations

import errno
import random
from typing import Any

import docutils.core
import docutils.nodes
import hypothesis.strategies as st
import oracle
import pytest
from hypothesis import HealthCheck, given, settings
from mutate import corpus_pages, deadline, mutate, run_all_stages

import sctpx
from mdoc2rst import parse
from mdoc2rst.writers.rst import RstOptions, write

PAGES = corpus_pages(oracle.SHARED) if oracle.CORPUS.is_dir() else []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 12))
def test_mutated_pages_pass_every_stage(seed: int, edits: int) -> None:
    if not PAGES:
        oracle.require_shared()
    rnd = random.Random(seed)
    data = mutate(rnd.choice(PAGES), rnd, edits)
    with deadline(20):
        run_all_stages(data)


_EQ_HEAD = b".Dd May 1, 2020\n.Dt F 1\n.Os\n.Sh NAME\n.Nm f\n.Nd g\n.Sh DESCRIPTION\n"


@pytest.mark.parametrize(
    "body",
    [
        # A runaway define fills one equation to the expansion cap.
        b'.EQ\ndefine inner "content"\ndefine outer "inner outer"\nouter\n.EN\n',
        # In-line equations around the length where the writer stops
        # using the math role.
        *(
            b".EQ\ndelim $$\n.EN\nText $" + b" ".join(b"x%d" % i for i in range(n)) + b"$ end.\n"
            for n in (100, 300, 5000)
        ),
        # One word longer than a line of the math directive (tools/fuzz.py).
        b".EQ\n" + b"x" * 12_000 + b"\n.EN\n",
    ],
    ids=["runaway-define", "inline-100", "inline-300", "inline-5000", "one-long-word"],
)
def test_huge_equations_pass_every_stage(body: bytes) -> None:
    """Found by the fuzzing above (a mutated define/infinite.in): LaTeX of
    60,000 characters on one line of the math directive."""
    with deadline(20):
        run_all_stages(_EQ_HEAD + body)
    # The math role keeps what it holds: an escaped line end there would
    # be LaTeX (a control space), so no role is ever cut.
    text = write(parse(_EQ_HEAD + body, "f.1"), RstOptions(flavor="sphinx"))
    doctree = docutils.core.publish_doctree(text, settings_overrides={"report_level": 5})
    for math in doctree.findall(docutils.nodes.math):
        assert "\\\n" not in math.astext()


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2000))
def test_random_bytes_pass_every_stage(data: bytes) -> None:
    with deadline(20):
        run_all_stages(b".Dd May 1, 2020\n.Dt F 1\n.Os\n" + data)


address = st.one_of(
    st.tuples(st.ip_addresses(v=4).map(str), st.integers(-10, 70000)),
    st.tuples(
        st.ip_addresses(v=6).map(str),
        st.integers(0, 65535),
        st.integers(-1, 2**21),
        st.integers(-1, 2**33),
    ),
    st.tuples(st.text(max_size=20), st.integers()),
    # Scopes, good and bad: %name and %index after IPv4, IPv6, link-local hosts.
    st.tuples(
        st.builds(
            "{}%{}".format,
            st.sampled_from(["fe80::1", "::1", "127.0.0.1", "ff02::1", "2001:db8::1"]),
            st.one_of(st.sampled_from(["lo", "1", "0", "", "zz"]), st.text(max_size=20)),
        ),
        st.integers(0, 65535),
    ),
    st.tuples(
        st.just("fe80::1%lo"), st.integers(0, 65535), st.integers(0, 2), st.integers(-1, 2**33)
    ),
    st.tuples(st.integers(), st.integers()),
    st.tuples(),
    st.tuples(st.text(max_size=5)),
    st.tuples(st.text(max_size=5), st.integers(), st.integers()),
    st.none(),
    st.integers(),
    st.binary(max_size=16),
)
address_lists = st.one_of(
    st.lists(address, max_size=200),
    st.lists(st.just(("127.0.0.1", 9)), min_size=100, max_size=400),
    st.lists(st.just(("fe80::1%lo", 9)), min_size=60, max_size=90),
    st.none(),
    st.text(max_size=30),
    st.integers(),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
)
sockets = st.one_of(st.integers(-5, 2**40), st.none(), st.text(max_size=3), st.floats())


@settings(max_examples=400, deadline=None)
@given(sock=sockets, addresses=address_lists)
def test_connectx_arguments_never_crash(sock: Any, addresses: Any) -> None:
    # Never a real descriptor (they are all invalid or huge), so nothing connects.
    if isinstance(sock, int) and 0 <= sock < 2**20:
        sock = -1
    with pytest.raises(OSError) as info:
        sctpx.connectx(sock, addresses)
    assert info.value.errno in (errno.EINVAL, errno.E2BIG, errno.EBADF)
    assert info.value.documented is True  # type: ignore[attr-defined]
