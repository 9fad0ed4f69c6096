"""sctpx beside pysctp 0.7.3 and the socket module, on the Linux kernel (VM).

The "yes" cells of docs/sctpx.rst's comparison table for pysctp are these
tests (sctpx's and the socket module's cells name tests of their own);
they also show where pysctp differs: its PPID comes back byte-swapped, and
its connectx gives no association id.  pysctp is installed by
tools/test.sh (it needs a C compiler and libsctp-dev).

Marked ``kernel``: skipped where the kernel has no SCTP (tests/conftest.py).
"""

from __future__ import annotations

import select
import socket
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from oracle import unavailable

import sctpx

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux kernel SCTP"),
]

LOOPBACK = "127.0.0.1"
PPID = 0x01020304


@pytest.fixture(scope="module")
def pysctp() -> Any:
    try:
        import sctp
    except ImportError as exc:
        unavailable(f"pysctp is not installed (tools/test.sh installs it): {exc}")
    return sctp


@pytest.fixture
def pair(pysctp: Any) -> Iterator[tuple[Any, Any]]:
    """A pysctp one-to-one association: (client, server side), both pysctp sockets."""
    server = pysctp.sctpsocket_tcp(socket.AF_INET)
    server.bind((LOOPBACK, 0))
    server.listen(1)
    client = pysctp.sctpsocket_tcp(socket.AF_INET)
    client.connect(server.getsockname())
    conn, _ = server.accept()
    try:
        yield client, conn
    finally:
        for s in (client, conn, server):
            s.close()


def readable(sock: Any) -> None:
    ready, _, _ = select.select([sock.fileno()], [], [], 10)
    assert ready, "nothing arrived in 10 s"


def test_pysctp_carries_metadata(pair: tuple[Any, Any]) -> None:
    client, conn = pair
    conn.events.data_io = True
    conn.events.flush()
    client.sctp_send(b"hello", ppid=7, stream=0, flags=0)
    readable(conn)
    _, _, msg, info = conn.sctp_recv(100)
    assert msg == b"hello" and info.stream == 0


def test_pysctp_swaps_the_ppid(pair: tuple[Any, Any]) -> None:
    """Sent as 0x01020304, read back by pysctp as 0x04030201 (its sctp_recv
    reads the network-order field as a host number); sctpx reads 0x01020304."""
    client, conn = pair
    conn.events.data_io = True
    conn.events.flush()
    client.sctp_send(b"one", ppid=PPID)
    readable(conn)
    assert conn.sctp_recv(100)[3].ppid == 0x04030201
    client.sctp_send(b"two", ppid=PPID)
    readable(conn)
    assert sctpx.recvmsg(conn.sock()).ppid == PPID


def test_pysctp_connectx_gives_no_association_id(pysctp: Any) -> None:
    with sctpx.socket() as server:
        server.bind((LOOPBACK, 0))
        server.listen(1)
        client = pysctp.sctpsocket_tcp(socket.AF_INET)
        try:
            assert client.connectx([server.getsockname()]) is None
        finally:
            client.close()


def test_pysctp_bindx_getladdrs_and_peeloff(pysctp: Any) -> None:
    server = pysctp.sctpsocket_udp(socket.AF_INET)
    try:
        server.bind((LOOPBACK, 0))
        port = server.getsockname()[1]
        server.bindx([("127.0.0.2", port)])
        assert sorted(a[0] for a in server.getladdrs()) == [LOOPBACK, "127.0.0.2"]
        server.listen(1)
        server.events.association = True
        server.events.flush()
        with sctpx.socket() as client:
            sctpx.connectx(client, [(LOOPBACK, port)])
            readable(server)
            _, _, _, note = server.sctp_recv(1000)
            peeled = server.peeloff(note.assoc_id)
            assert isinstance(note, pysctp.assoc_change)
            client.send(b"to the peeled socket")
            readable(peeled)
            assert peeled.recv(100) == b"to the peeled socket"
            peeled.close()
    finally:
        server.close()


def test_pysctp_reads_options(pair: tuple[Any, Any]) -> None:
    client, _ = pair
    rto = client.get_rtoinfo()
    status = client.get_status()
    assert rto.initial > 0 and status.state == 4  # SCTP_ESTABLISHED
