"""The sctp_* family on the Linux kernel through sctpx (run in tools/vmtest.py's VM).

One-to-many servers branch associations off with ``sctpx.peeloff``, find
them by peer address with ``sctpx.getassocid``, and multi-home with
``sctpx.bindx``; ``getladdrs`` and ``getpaddrs`` list both ends.  The
same calls run on usrsctp in tests/test_usrsctp_messages.py.  Every errno
the pages do not list is checked against sctpx's table of them.

Marked ``kernel``: skipped where the kernel has no SCTP (tests/conftest.py).
"""

from __future__ import annotations

import errno
import select
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import test_kernel

import sctpx

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux kernel SCTP"),
]

LOOPBACK = "127.0.0.1"
SECOND = "127.0.0.2"  # on lo as well: 127.0.0.0/8 is local


def recv(sock: socket.socket) -> sctpx.Message:
    ready, _, _ = select.select([sock], [], [], 10)
    assert ready, "nothing arrived in 10 s"
    return sctpx.recvmsg(sock)


@pytest.fixture
def server() -> Iterator[socket.socket]:
    with sctpx.socket(socket.AF_INET, socket.SOCK_SEQPACKET) as s:
        s.bind((LOOPBACK, 0))
        s.listen(8)
        yield s


def test_peeloff_branches_associations_off(server: socket.socket) -> None:
    sctpx.subscribe(server, sctpx.Event.ASSOC_CHANGE)
    port = server.getsockname()[1]
    clients = [sctpx.socket(), sctpx.socket()]
    try:
        ids = []
        for client in clients:
            sctpx.connectx(client, [(LOOPBACK, port)])
            note = recv(server).notification
            assert isinstance(note, sctpx.AssocChange)
            assert note.state is sctpx.AssocState.COMM_UP
            ids.append(note.assoc_id)
        by_address = [sctpx.getassocid(server, c.getsockname()) for c in clients]
        assert by_address == ids
        peeled = [sctpx.peeloff(server, assoc_id) for assoc_id in ids]
        for client, sock in zip(clients, peeled, strict=True):
            # A socket.socket, one-to-one in use: a peer of its own, sends
            # without an address.  Linux reports SOCK_SEQPACKET for it (the
            # kernel's "UDP high bandwidth" style), usrsctp SOCK_STREAM.
            assert isinstance(sock, socket.socket)
            assert sock.getpeername() == client.getsockname()
            sctpx.sendmsg(client, b"after", sctpx.SendInfo(ppid=7))
            got = recv(sock)
            assert (got.data, got.ppid) == (b"after", 7)
            sock.send(b"answer")
            assert client.recv(100) == b"answer"
            sock.close()
        with pytest.raises(OSError) as again:
            sctpx.peeloff(server, ids[0])  # branched off already
        check_undocumented(again.value, "sctp_peeloff")
        with pytest.raises(OSError) as one_to_one:
            sctpx.peeloff(clients[0], 1)
        check_undocumented(one_to_one.value, "sctp_peeloff")
        assert again.value.errno == one_to_one.value.errno == errno.EINVAL
        with pytest.raises(OSError) as nobody:
            sctpx.getassocid(server, (LOOPBACK, 9))
        assert nobody.value.errno == errno.ENOENT
        assert nobody.value.documented is True  # type: ignore[attr-defined]
    finally:
        for client in clients:
            client.close()


def check_undocumented(exc: OSError, function: str) -> None:
    """A documented errno, or one sctpx's table lists for this function on Linux."""
    if not exc.documented:  # type: ignore[attr-defined]
        assert exc.errno is not None
        why = sctpx.undocumented_reason("linux", exc.errno, function)
        assert why, (
            f"{function}: {errno.errorcode[exc.errno]}: list it in UNDOCUMENTED_BY_FUNCTION"
        )


def test_bindx_multihomes_both_ends(server: socket.socket) -> None:
    port = server.getsockname()[1]
    sctpx.bindx(server, [(SECOND, port)])
    assert sorted(sctpx.getladdrs(server)) == [(LOOPBACK, port), (SECOND, port)]
    with sctpx.socket() as client:
        client.bind((LOOPBACK, 0))
        sctpx.bindx(client, [(SECOND, client.getsockname()[1])])
        assoc_id = sctpx.connectx(client, [(SECOND, port)])
        peers = sorted(sctpx.getpaddrs(client, assoc_id))
        assert peers == [(LOOPBACK, port), (SECOND, port)]
        local = sorted(sctpx.getladdrs(client, assoc_id))
        assert [a[0] for a in local] == [LOOPBACK, SECOND]
        # The server sees the client's two addresses too.
        sctpx.sendmsg(client, b"hi")
        message = recv(server)
        assert sorted(a[0] for a in sctpx.getpaddrs(server, message.assoc_id)) == [
            LOOPBACK,
            SECOND,
        ]
    sctpx.bindx(server, [(SECOND, port)], add=False)
    assert sctpx.getladdrs(server) == [(LOOPBACK, port)]
    with pytest.raises(OSError) as bad:
        sctpx.bindx(server, [("192.0.2.1", port)])  # not an address of this machine
    check_undocumented(bad.value, "sctp_bindx")
    with pytest.raises(OSError) as malformed:
        sctpx.bindx(server, [("not an address", port)])
    assert malformed.value.errno == errno.EINVAL
    assert malformed.value.documented is True  # type: ignore[attr-defined]


def test_getaddrlen_is_the_pages() -> None:
    assert sctpx.getaddrlen(socket.AF_INET) == 16
    assert sctpx.getaddrlen(socket.AF_INET6) == 28
    with pytest.raises(OSError) as exc:
        sctpx.getaddrlen(socket.AF_UNIX)
    assert exc.value.errno == errno.EINVAL


DYING = "169.254.97.1"  # a second address of the server, on lo until it dies
LIVE = test_kernel.LIVE  # on lo in the VM (black_hole_net)
# tests/test_kernel.py's fixtures: the VM check and the dummy interface bh0.
in_vm = test_kernel.in_vm
black_hole_net = test_kernel.black_hole_net
sctp_sysctls = test_kernel.sctp_sysctls


@pytest.mark.usefixtures("in_vm", "black_hole_net")
def test_failover_when_the_primary_path_dies() -> None:
    """An established association whose primary path dies: the client hears
    SCTP_ADDR_UNREACHABLE for it, and data goes on over the other path."""
    ip = shutil.which("ip") or "/sbin/ip"
    subprocess.run([ip, "addr", "add", f"{DYING}/32", "dev", "lo"], check=True)
    try:
        with sctpx.socket() as srv, sctpx.socket() as client:
            srv.bind((DYING, 0))
            port = srv.getsockname()[1]
            sctpx.bindx(srv, [(LIVE, port)])
            srv.listen(1)
            sctpx.subscribe(client, sctpx.Event.PEER_ADDR_CHANGE)
            sctpx.setsockopt(client, "SCTP_RTOINFO", sctpx.RtoInfo(initial=100, max=200, min=50))
            assoc_id = sctpx.connectx(client, [(DYING, port)])
            conn, _ = srv.accept()
            with conn:
                assert sorted(a[0] for a in sctpx.getpaddrs(client, assoc_id)) == sorted(
                    [DYING, LIVE]
                )
                for address in (DYING, LIVE):
                    sctpx.setsockopt(
                        client,
                        "SCTP_PEER_ADDR_PARAMS",
                        sctpx.PeerAddrParams(
                            address=(address, port),
                            hbinterval=100,
                            pathmaxrxt=1,
                            flags=sctpx.PathFlag.HB_ENABLE,
                        ),
                    )
                # The primary's packets now go to bh0, which drops them.
                subprocess.run([ip, "addr", "del", f"{DYING}/32", "dev", "lo"], check=True)
                subprocess.run([ip, "route", "add", f"{DYING}/32", "dev", "bh0"], check=True)
                changes = []
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    message = recv(client)
                    note = message.notification
                    if isinstance(note, sctpx.PeerAddrChange) and note.address is not None:
                        changes.append((note.address.as_tuple()[0], note.state))
                        if (DYING, sctpx.AddrState.UNREACHABLE) in changes:
                            break
                assert (DYING, sctpx.AddrState.UNREACHABLE) in changes, changes
                sctpx.sendmsg(client, b"over the other path")
                got = recv(conn)
                assert got.data == b"over the other path"
                # The primary stays as set; its path is inactive, the other's active.
                states = {
                    address: sctpx.getsockopt(
                        client,
                        "SCTP_GET_PEER_ADDR_INFO",
                        sctpx.PeerAddrInfo(address=(address, port)),
                    ).state  # type: ignore[attr-defined]
                    for address in (DYING, LIVE)
                }
                assert states == {DYING: sctpx.PathState.INACTIVE, LIVE: sctpx.PathState.ACTIVE}
    finally:
        subprocess.run([ip, "route", "del", f"{DYING}/32"], capture_output=True)
        subprocess.run([ip, "addr", "del", f"{DYING}/32", "dev", "lo"], capture_output=True)


@pytest.mark.usefixtures("in_vm", "black_hole_net")
def test_a_send_to_an_address_list_sets_the_association_up() -> None:
    """sctp_sendx's job: the first address is a black hole, the second (an
    SCTP_DSTADDRV4 item) answers; the message arrives over it."""
    with sctpx.socket() as srv, sctp_sysctls(rto_initial=300):
        srv.bind((LIVE, 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        with sctpx.socket(socket.AF_INET, socket.SOCK_SEQPACKET) as many:
            peer = [(test_kernel.BLACK_HOLE, port), (LIVE, port)]
            sent = sctpx.sendmsg(many, b"to the list", sctpx.SendInfo(ppid=5), to=peer)
            conn, _ = srv.accept()
            with conn:
                got = recv(conn)
                assert (sent, got.data, got.ppid) == (11, b"to the list", 5)
                # The black hole never answered: the peer's one address is left.
                assoc_id = sctpx.getassocid(many, (LIVE, port))
                assert sctpx.getpaddrs(many, assoc_id) == [(LIVE, port)]
