"""sctp_connectx(3) on usrsctp: real associations over UDP on loopback.

usrsctp is one stack per process, and a wedged stack (a thread stuck in
usrsctp, ``usrsctp_finish`` refusing) must never hang or crash pytest.  So
each scenario runs in a child process -- this file run as a script,
``python tests/test_usrsctp.py SCENARIO`` -- under ``signal.alarm``, and the
parent waits with a timeout too.  A scenario returns what it observed as
JSON; the assertions are made here, in the parent, where pytest can show
them.

The errors of the page seen on this backend: EBADF, EINVAL and E2BIG.
ENOTSOCK cannot happen: a usrsctp handle is a ``struct socket *``, never a
descriptor of something that is not a socket.  Errnos the page does not
list, observed here: EADDRINUSE (connectx on a connected one-to-one
socket), EALREADY (a second connectx to the same peer on a one-to-many
socket), and ENOMEM from usrsctp itself past its 2048-byte buffer, which
sctpx never lets a call reach (it raises the page's E2BIG first).
usrsctp_connectx returns before the handshake; sctpx waits for the
association as the kernel does, so a blocking connectx raises the ABORT's
ECONNREFUSED itself, and a non-blocking one raises EINPROGRESS with the id.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from oracle import child_env, unavailable

import sctpx
from sctpx import _addr, _stub, _usrsctp_lib, usrsctp

# Seconds: a scenario's own alarm, and the parent's bound on the child.
# Every scenario finishes in about a second; these only stop a wedged one.
CHILD_ALARM = 15
CHILD_TIMEOUT = 20
SCTP_PORT = 5001

# -- the child side: scenarios ----------------------------------------------------

Result = dict[str, Any]
SCENARIOS: dict[str, Callable[[list[str]], Result]] = {}


def scenario(func: Callable[[list[str]], Result]) -> Callable[[list[str]], Result]:
    SCENARIOS[func.__name__] = func
    return func


def free_udp_port() -> int:
    """A UDP port free on 127.0.0.1 now; usrsctp binds it on all addresses."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def observed(call: Callable[[], object]) -> Result:
    """What ``call`` raised (or returned): errno, message, the page's marks."""
    try:
        value = call()
    except OSError as exc:
        return {
            "errno": exc.errno,
            "name": errno.errorcode.get(exc.errno or 0),
            "message": str(exc),
            "documented": getattr(exc, "documented", None),
            "condition": getattr(exc, "condition", None),
            "type": type(exc).__name__,
        }
    return {"returned": repr(value)}


def listener() -> usrsctp.Socket:
    server = usrsctp.Socket()
    # Bound to 127.0.0.1: an unbound endpoint advertises every interface.
    server.bind(("127.0.0.1", SCTP_PORT))
    server.listen(4)
    return server


def client_to(udp: int, type: int = socket.SOCK_STREAM) -> usrsctp.Socket:
    """A socket that sends SCTP over UDP to the stack on UDP port ``udp``."""
    client = usrsctp.Socket(socket.AF_INET, type)
    client.bind(("127.0.0.1", 0))
    client.set_udp_encaps(udp)
    return client


@contextlib.contextmanager
def endpoint_pair(
    **sysctls: int,
) -> Iterator[tuple[usrsctp.Stack, usrsctp.Socket, usrsctp.Socket, int]]:
    """A started stack, a listener on 127.0.0.1 and a client set for UDP encapsulation."""
    udp = free_udp_port()
    with usrsctp.start(udp, **sysctls) as stack:
        yield stack, listener(), client_to(udp), udp


@scenario
def association(args: list[str]) -> Result:
    """One-to-one: connectx, ESTABLISHED, the id, data both ways, getpaddrs."""
    with endpoint_pair() as (_, server, client, _udp):
        assoc_id = sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
        status = client.wait_established(5)
        peer, peer_address = server.accept(timeout=5)
        sent = client.send(b"ping")
        got = peer.recv(100, timeout=5)
        peer.send(b"pong")
        back = client.recv(100, timeout=5)
        return {
            "assoc_id": assoc_id,
            "status_id": status.assoc_id,
            "state": status.state_name,
            "primary": status.primary,
            "paddrs": sctpx.getpaddrs(client, assoc_id),
            "laddrs": client.getladdrs(assoc_id),
            "peer_address": peer_address,
            "peer_state": peer.status().state_name,
            "peer_paddrs": peer.getpaddrs(),
            "sent": sent,
            "got": got.decode(),
            "back": back.decode(),
        }


@scenario
def one_to_many(args: list[str]) -> Result:
    """SOCK_SEQPACKET: the id names the association in status, getpaddrs and send."""
    with endpoint_pair() as (_, server, _client, udp):
        sock = client_to(udp, socket.SOCK_SEQPACKET)
        assoc_id = sctpx.connectx(sock, [("127.0.0.1", SCTP_PORT)])
        status = sock.wait_established(5, assoc_id)
        peer, _ = server.accept(timeout=5)
        sock.send(b"hello", assoc_id=assoc_id)
        return {
            "assoc_id": assoc_id,
            "status_id": status.assoc_id,
            "state": status.state_name,
            "paddrs": sctpx.getpaddrs(sock, assoc_id),
            "got": peer.recv(100, timeout=5).decode(),
            "again": observed(lambda: sock.connectx([("127.0.0.1", SCTP_PORT)])),
        }


@scenario
def failover(args: list[str]) -> Result:
    """The page's failover: an unreachable first address, then one that answers."""
    # blackhole=2: the stack drops the stray INIT to 127.0.0.3 instead of
    # answering ABORT, which would end the association (SCTP.md); the INIT
    # then times out after rto_initial ms and goes to the next address.
    with endpoint_pair(rto_initial=300, blackhole=2) as (_, server, client, _udp):
        started = time.monotonic()
        # Non-blocking, to see the address list before the association is up.
        client.setblocking(False)
        try:
            sctpx.connectx(client, [("127.0.0.3", SCTP_PORT), ("127.0.0.1", SCTP_PORT)])
        except BlockingIOError as exc:
            assoc_id = exc.assoc_id  # type: ignore[attr-defined]
        before = sctpx.getpaddrs(client, assoc_id)
        status = client.wait_established(5, assoc_id)
        took = time.monotonic() - started
        server.accept(timeout=5)
        return {
            "assoc_id": assoc_id,
            "status_id": status.assoc_id,
            "primary": status.primary,
            "before": before,
            "after": sctpx.getpaddrs(client, assoc_id),
            "seconds": took,
        }


@scenario
def refused(args: list[str]) -> Result:
    """Without blackhole the stray INIT is answered by ABORT: no failover."""
    with endpoint_pair() as (_, _server, client, udp):
        nobody, later = client_to(udp), client_to(udp)
        later.setblocking(False)
        try:
            later.connectx([("127.0.0.1", SCTP_PORT + 1)])
        except BlockingIOError as exc:
            later_id = exc.assoc_id  # type: ignore[attr-defined]
        return {
            # Blocking: connectx waits for the association, as the kernel's does.
            "failover": observed(
                lambda: sctpx.connectx(
                    client, [("127.0.0.3", SCTP_PORT), ("127.0.0.1", SCTP_PORT)]
                )
            ),
            "no_listener": observed(
                lambda: sctpx.connectx(nobody, [("127.0.0.1", SCTP_PORT + 1)])
            ),
            # Non-blocking: the failure comes from wait_established.
            "later": observed(lambda: later.wait_established(5, later_id)),
            # One-to-many: usrsctp keeps no SO_ERROR for a failed association.
            "many": observed(
                lambda: sctpx.connectx(
                    client_to(udp, socket.SOCK_SEQPACKET), [("127.0.0.1", SCTP_PORT + 1)]
                )
            ),
        }


@scenario
def multihomed(args: list[str]) -> Result:
    """bindx of second addresses on both ends (configured: run under unshare -n)."""
    udp = free_udp_port()
    with usrsctp.start(udp):
        server = listener()
        sctpx.bindx(server, [("127.0.0.2", SCTP_PORT)])
        client = usrsctp.Socket()
        client.bind(("127.0.0.1", SCTP_PORT + 1))
        sctpx.bindx(client, [("127.0.0.2", SCTP_PORT + 1)])
        client.set_udp_encaps(udp)
        assoc_id = sctpx.connectx(client, [("127.0.0.2", SCTP_PORT)])
        status = client.wait_established(5)
        peer, _ = server.accept(timeout=5)
        return {
            "assoc_id": assoc_id,
            "status_id": status.assoc_id,
            "server_laddrs": sorted(sctpx.getladdrs(server)),
            "paddrs": sorted(sctpx.getpaddrs(client, assoc_id)),
            "client_laddrs": sorted(sctpx.getladdrs(client, assoc_id)),
            "server_sees": sorted(sctpx.getpaddrs(peer)),
        }


@scenario
def errors(args: list[str]) -> Result:
    """Each error the page lists, and the undocumented ones this stack gives."""
    target = [("127.0.0.1", SCTP_PORT)]
    with endpoint_pair() as (_, _server, client, udp):
        closed = usrsctp.Socket()
        closed.close()
        # Non-blocking: the lists that reach the stack need not come up.
        fresh = usrsctp.Socket()
        fresh.setblocking(False)
        v6 = usrsctp.Socket(socket.AF_INET6)
        v6.setblocking(False)
        out: Result = {
            "closed": observed(lambda: sctpx.connectx(closed, target)),
            "closed_method": observed(lambda: closed.connectx(target)),
            "closed_getpaddrs": observed(lambda: sctpx.getpaddrs(closed, 0)),
            # The addresses are checked before the handle, as usrsctp does.
            "closed_no_addresses": observed(lambda: sctpx.connectx(closed, [])),
            "empty": observed(lambda: sctpx.connectx(fresh, [])),
            "none": observed(lambda: sctpx.connectx(fresh, None)),  # type: ignore[arg-type]
            "unix": observed(lambda: sctpx.connectx(fresh, [("/tmp/sctp.sock",)])),
            "hostname": observed(lambda: sctpx.connectx(fresh, [("localhost", SCTP_PORT)])),
            "ipv4_128": observed(lambda: sctpx.connectx(fresh, target * 128)),
            "ipv6_74": observed(lambda: sctpx.connectx(v6, [("::1", SCTP_PORT)] * 74)),
            # The largest lists the page allows reach usrsctp and succeed.
            "ipv4_127": observed(lambda: sctpx.connectx(fresh, target * 127)),
            "ipv6_73": observed(lambda: sctpx.connectx(v6, [("::1", SCTP_PORT)] * 73)),
        }
        sctpx.connectx(client, target)
        client.wait_established(5)
        out["connected"] = observed(lambda: sctpx.connectx(client, target))
        # A listening one-to-one socket: usrsctp connects it, as FreeBSD does
        # (Linux raises EISCONN).
        listening = usrsctp.Socket()
        listening.bind(("127.0.0.1", SCTP_PORT + 2))
        listening.listen(1)
        listening.set_udp_encaps(udp)
        out["listening"] = observed(lambda: sctpx.connectx(listening, target))

        # What sctpx keeps out of reach: usrsctp's own answer to 128 IPv4
        # addresses, calling the bound function directly.
        lib = _usrsctp_lib.load()
        other = usrsctp.Socket()
        packed = _addr.pack(_addr.parse_addresses(target) * 128, "linux")
        assoc = ctypes.c_uint32(0)
        out["raw_128"] = observed(
            lambda: lib.connectx(other._handle.pointer, packed, 128, ctypes.byref(assoc))
        )
        return out


@scenario
def stop_with_association(args: list[str]) -> Result:
    """stop() with an association up and sockets open: bounded, then restartable."""
    udp = free_udp_port()
    stack = usrsctp.start(udp)
    server, client = listener(), client_to(udp)
    sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
    state = client.wait_established(5).state_name
    peer, _ = server.accept(timeout=5)
    started = time.monotonic()
    stopped = stack.stop(timeout=3)
    took = time.monotonic() - started
    after = {
        "running": usrsctp.running() is not None,
        "client_closed": client.closed and peer.closed and server.closed,
        "connectx_after_stop": observed(lambda: client.connectx([("127.0.0.1", SCTP_PORT)])),
    }
    # usrsctp_init again after a successful usrsctp_finish.
    with usrsctp.start(udp):
        usrsctp.Socket().close()
    return {"state": state, "stopped": stopped, "seconds": took, **after}


@scenario
def serve(args: list[str]) -> Result:
    """A peer in a process of its own (for stop_gives_up): listen, then wait."""
    usrsctp.start(int(args[0]))
    server = listener()
    print("ready", flush=True)
    server.accept(timeout=CHILD_ALARM)
    time.sleep(CHILD_ALARM)
    return {}


@scenario
def stop_gives_up(args: list[str]) -> Result:
    """A peer that stops answering: stop() gives up in time and says so."""
    server_udp, udp = free_udp_port(), free_udp_port()
    peer = subprocess.Popen(
        [sys.executable, __file__, "serve", str(server_udp)],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert peer.stdout is not None and peer.stdout.readline().strip() == "ready"
        stack = usrsctp.start(udp)
        client = client_to(server_udp)
        sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
        state = client.wait_established(5).state_name
        # Frozen, the peer's UDP socket takes packets and never answers: a
        # graceful SHUTDOWN now retransmits for minutes.
        os.kill(peer.pid, signal.SIGSTOP)
        wait_stopped(peer.pid)
        client.close()
        started = time.monotonic()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            stopped = stack.stop(timeout=1.0)
        took = time.monotonic() - started
        return {
            "state": state,
            "stopped": stopped,
            "seconds": took,
            "warnings": [str(w.message) for w in caught],
            "still_running": usrsctp.running() is stack,
        }
    finally:
        peer.kill()
        peer.wait()


def wait_stopped(pid: int) -> None:
    """Wait until ``pid`` is stopped.

    kill() returns before SIGSTOP takes effect, and a peer still running
    for a moment would answer the SHUTDOWN.
    """
    stat = Path(f"/proc/{pid}/stat")
    while stat.read_text().rsplit(")", 1)[1].split()[0] != "T":
        time.sleep(0.001)


def connect_nonblocking(sock: usrsctp.Socket, addresses: list[Any]) -> int:
    """The id a non-blocking connectx reports with its EINPROGRESS."""
    sock.setblocking(False)
    try:
        sock.connectx(addresses)
    except BlockingIOError as exc:
        assert exc.errno == errno.EINPROGRESS
        return int(exc.assoc_id)  # type: ignore[attr-defined]
    finally:
        sock.setblocking(True)
    raise AssertionError("a non-blocking connectx returned before the handshake")


def raised(call: Callable[[], object]) -> Result:
    """Like observed(), for any exception, with its type, text and assoc_id."""
    try:
        value = call()
    except Exception as exc:
        return {
            "errno": getattr(exc, "errno", None),
            "documented": getattr(exc, "documented", None),
            "type": type(exc).__name__,
            "assoc_id": getattr(exc, "assoc_id", None),
            "message": str(exc),
        }
    return {"returned": repr(value)}


@scenario
def blocking_modes(args: list[str]) -> Result:
    """Blocking, non-blocking and timeouts, as on kernel sockets."""
    target = [("127.0.0.1", SCTP_PORT)]
    # blackhole=2: nobody answers INITs to 127.0.0.3, so setup stays pending.
    with endpoint_pair(rto_initial=300, blackhole=2) as (stack, server, client, udp):
        pending = connect_nonblocking(client, target)
        status = client.wait_established(5, pending)
        peer, _ = server.accept(timeout=5)
        slow = client_to(udp)
        slow.settimeout(0.3)
        started = time.monotonic()
        timed_out = raised(lambda: sctpx.connectx(slow, [("127.0.0.3", SCTP_PORT)]))
        took = time.monotonic() - started
        still = slow.status(timed_out["assoc_id"] or 0).state_name
        server.settimeout(0)
        # No route to TEST-NET-1: over UDP no ENETUNREACH, the INITs just go
        # unanswered until the stack gives up (one retransmission here).
        stack.set_sysctl("init_rtx_max_default", 1)
        unrouted = raised(lambda: sctpx.connectx(client_to(udp), [("192.0.2.1", SCTP_PORT)]))
        return {
            "unrouted": unrouted,
            "pending": pending,
            "established_id": status.assoc_id,
            "timed_out": timed_out,
            "seconds": took,
            "still": still,
            "accept_now": raised(server.accept),
            "recv_now": raised(lambda: peer.recv(10, timeout=0)),
            "recv_soon": raised(lambda: peer.recv(10, timeout=0.05)),
            "client_timeout": client.gettimeout(),
            "slow_blocking": slow.getblocking(),
        }


@scenario
def two_associations(args: list[str]) -> Result:
    """One-to-many: two associations at once, each id naming its own; data both ways."""
    udp = free_udp_port()
    with usrsctp.start(udp):
        first = listener()
        second = usrsctp.Socket()
        second.bind(("127.0.0.1", SCTP_PORT + 1))
        second.listen(4)
        sock = client_to(udp, socket.SOCK_SEQPACKET)
        a = sctpx.connectx(sock, [("127.0.0.1", SCTP_PORT)])
        b = sctpx.connectx(sock, [("127.0.0.1", SCTP_PORT + 1)])
        peer_a, _ = first.accept(timeout=5)
        peer_b, _ = second.accept(timeout=5)
        sock.send(b"to a", assoc_id=a)
        sock.send(b"to b", assoc_id=b)
        got_a, got_b = peer_a.recv(100, timeout=5), peer_b.recv(100, timeout=5)
        peer_b.send(b"from b")
        peer_a.send(b"from a")
        replies = [sock.recvmsg(100, timeout=5) for _ in range(2)]
        return {
            "ids": [a, b],
            "primary": [sock.status(a).primary, sock.status(b).primary],
            "paddrs": [sctpx.getpaddrs(sock, a), sctpx.getpaddrs(sock, b)],
            "got": [got_a.decode(), got_b.decode()],
            "replies": sorted([r.assoc_id, r.data.decode(), r.eor] for r in replies),
        }


@scenario
def messages(args: list[str]) -> Result:
    """Message boundaries: pieces of one message, the last with MSG_EOR."""
    with endpoint_pair() as (_, server, client, _udp):
        assoc_id = sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
        peer, _ = server.accept(timeout=5)
        client.send(b"A" * 100)
        client.send(b"B" * 5)
        pieces = [peer.recvmsg(10, timeout=5), peer.recvmsg(200, timeout=5)]
        whole = peer.recvmsg(200, timeout=5)
        client.send(bytearray(b"C" * 30))
        return {
            "pieces": [[len(m.data), m.eor, bool(m.flags & socket.MSG_EOR)] for m in pieces],
            "whole": [whole.data.decode(), whole.eor],
            "recv": peer.recv(10, timeout=5).decode(),
            "ids": [m.assoc_id for m in (*pieces, whole)],
            "peer_id": peer.status().assoc_id,
            "client_id": assoc_id,
            "address": whole.address,
            "client_address": client.getladdrs()[0],
            "not_bytes": raised(lambda: client.send(5)),  # type: ignore[arg-type]
        }


@scenario
def send_and_shutdown(args: list[str]) -> Result:
    """No association to send on; shutdown as socket.shutdown (SCTP: no half-open)."""
    with endpoint_pair() as (_, server, client, udp):
        many = client_to(udp, socket.SOCK_SEQPACKET)
        out: Result = {
            "unconnected": raised(lambda: client.send(b"x")),
            "many_no_assoc": raised(lambda: many.send(b"x")),
            "many_bad_assoc": raised(lambda: many.send(b"x", assoc_id=77)),
            "many_shutdown": raised(lambda: many.shutdown(socket.SHUT_WR)),
            "bad_how": raised(lambda: client.shutdown(7)),
            "wrapping_how": raised(lambda: client.shutdown(2**32 + socket.SHUT_WR)),
        }
        sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
        peer, _ = server.accept(timeout=5)
        peer.send(b"before")
        client.send(b"last words")
        client.shutdown(socket.SHUT_WR)
        out["peer_reads"] = [
            peer.recv(100, timeout=5).decode(),
            peer.recv(100, timeout=5).decode(),
        ]
        out["client_reads"] = client.recv(100, timeout=5).decode()
        out["peer_send_after"] = raised(lambda: peer.send(b"too late", timeout=1))
        # close() with data unread is an ABORT, not a SHUTDOWN (as on FreeBSD).
        other = client_to(udp)
        sctpx.connectx(other, [("127.0.0.1", SCTP_PORT)])
        unread, _ = server.accept(timeout=5)
        other.send(b"never read")
        unread.recvmsg(1, timeout=5)  # the message has arrived; 9 bytes stay unread
        unread.close()
        out["after_unread_close"] = raised(lambda: other.recv(100, timeout=5))
        return out


@scenario
def ranges(args: list[str]) -> Result:
    """Integers out of range are ValueError or EINVAL, never wrapped by ctypes."""
    udp = free_udp_port()
    out: Result = {"bad_sysctl_start": raised(lambda: usrsctp.start(udp, rto_initial=-1))}
    out["running_after"] = usrsctp.running() is not None
    with endpoint_pair() as (stack, server, client, _udp):
        assoc_id = sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
        server.accept(timeout=5)
        over = assoc_id + 2**32
        out.update(
            {
                "status": raised(lambda: client.status(over)),
                "getpaddrs": raised(lambda: sctpx.getpaddrs(client, over)),
                "getladdrs": raised(lambda: client.getladdrs(-1)),
                "send": raised(lambda: client.send(b"x", assoc_id=over)),
                "wait": raised(lambda: client.wait_established(1, over)),
                "encaps_id": raised(lambda: client.set_udp_encaps(udp, assoc_id=over)),
                "sysctl_negative": raised(lambda: stack.set_sysctl("blackhole", -1)),
                "sysctl_big": raised(lambda: stack.set_sysctl("blackhole", 2**32)),
                "sysctl_range": raised(lambda: stack.set_sysctl("blackhole", 7)),
                "encaps_port": raised(lambda: client.set_udp_encaps(70000)),
                "listen": raised(lambda: server.listen(2**40)),
                "recv_zero": raised(lambda: client.recv(0)),
                "timeout": raised(lambda: client.settimeout(-1)),
                "timeout_nan": raised(lambda: client.settimeout(float("nan"))),
                "family": raised(lambda: usrsctp.Socket(2**32 + socket.AF_INET)),
                "assoc_type": raised(lambda: client.status("1")),  # type: ignore[arg-type]
            }
        )
        return out


@scenario
def scope(args: list[str]) -> Result:
    """A %scope on a link-local address reaches the stack (getpaddrs shows it)."""
    with endpoint_pair() as (_, _server, _client, udp):
        sock = usrsctp.Socket(socket.AF_INET6)
        sock.set_udp_encaps(udp)
        assoc_id = connect_nonblocking(sock, [("fe80::1%lo", SCTP_PORT)])
        return {"paddrs": sock.getpaddrs(assoc_id), "lo": socket.if_nametoindex("lo")}


class Interrupted(Exception):
    """What the raising signal handler raises."""


@scenario
def signals(args: list[str]) -> Result:
    """A signal during a blocking connectx: PEP 475, or the handler's error with the id."""
    calls: list[float] = []

    def note(signum: int, frame: object) -> None:
        calls.append(time.monotonic())

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted("from the handler")

    addresses = [("127.0.0.3", SCTP_PORT), ("127.0.0.1", SCTP_PORT)]
    with endpoint_pair(rto_initial=300, blackhole=2) as (_, server, client, udp):
        signal.signal(signal.SIGALRM, note)
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        assoc_id = sctpx.connectx(client, addresses)
        state = client.status().state_name
        server.accept(timeout=5)
        other = client_to(udp)
        signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        seen = raised(lambda: sctpx.connectx(other, addresses))
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        later = other.wait_established(5, seen["assoc_id"] or 0).state_name
        return {
            "handled": len(calls),
            "assoc_id": assoc_id,
            "state": state,
            "interrupted": seen,
            "later": later,
        }


@scenario
def signals_in_waits(args: list[str]) -> Result:
    """PEP 475 in every wait: recv, accept and wait_established go on after a handler."""
    import threading

    calls: list[float] = []

    def note(signum: int, frame: object) -> None:
        calls.append(time.monotonic())

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted("from the handler")

    def handled(handler: Callable[[int, Any], None], call: Callable[[], object]) -> Result:
        calls.clear()
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        try:
            return {**raised(call), "handled": len(calls)}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)

    addresses = [("127.0.0.3", SCTP_PORT), ("127.0.0.1", SCTP_PORT)]
    with endpoint_pair(rto_initial=300, blackhole=2) as (_, server, client, _udp):
        # The handler raises in the middle of accept: its exception comes out,
        # and the call lets go of the handle on its way (close frees it).
        out: Result = {"accept_raises": handled(interrupt, server.accept)}
        pending = connect_nonblocking(client, addresses)
        out["wait"] = handled(note, lambda: client.wait_established(None, pending))
        out["wait"]["state"] = client.status().state_name
        peer, _ = server.accept(timeout=5)
        sender = threading.Timer(0.3, lambda: client.send(b"late"))
        sender.start()
        out["recv"] = handled(note, lambda: peer.recv(100).decode())
        sender.join()
        server.close()
        out["freed"] = server._handle.freed
        return out


@scenario
def close_during_calls(args: list[str]) -> Result:
    """A close (or stop) from another thread ends every call waiting on the socket with EBADF."""
    import threading

    results: dict[str, Result] = {}

    def run_in_thread(name: str, call: Callable[[], object]) -> threading.Thread:
        thread = threading.Thread(target=lambda: results.__setitem__(name, raised(call)))
        thread.start()
        return thread

    with endpoint_pair(blackhole=2) as (stack, server, client, udp):
        sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
        peer, _ = server.accept(timeout=5)
        hole = client_to(udp)
        waiting = client_to(udp)
        pending = connect_nonblocking(waiting, [("127.0.0.3", SCTP_PORT)])
        threads = [
            *(run_in_thread(f"recv{i}", lambda: peer.recv(100)) for i in range(4)),
            run_in_thread("accept", server.accept),
            run_in_thread("connectx", lambda: sctpx.connectx(hole, [("127.0.0.3", SCTP_PORT)])),
            run_in_thread("wait", lambda: waiting.wait_established(None, pending)),
        ]
        time.sleep(0.2)
        started = time.monotonic()
        for sock in (peer, server, hole, waiting):
            sock.close()
        for thread in threads:
            thread.join(5)
        took = time.monotonic() - started
        # stop() closes the sockets left open, ending their calls too.
        other = usrsctp.Socket()
        other.bind(("127.0.0.1", SCTP_PORT + 1))
        other.listen(1)
        late = run_in_thread("stopped", other.accept)
        time.sleep(0.1)
        stopped = stack.stop()
        late.join(5)
        return {"results": results, "seconds": took, "stopped": stopped}


def _child_main(argv: list[str]) -> NoReturn:
    # A wedged stack dies of SIGALRM here rather than hanging its parent.
    signal.alarm(CHILD_ALARM)
    result = SCENARIOS[argv[0]](argv[1:])
    print(json.dumps(result), flush=True)
    # os._exit: the stack may still run its threads (stop_gives_up leaves it
    # running on purpose); exit at once instead of finalising around them.
    os._exit(0)


# -- the parent side: pytest --------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _libusrsctp() -> None:
    # Loading the library starts nothing: only usrsctp_init does.
    try:
        _usrsctp_lib.load()
    except sctpx.BackendUnavailable as exc:
        unavailable(str(exc))


def run(name: str, *, netns: bool = False, script: str = __file__) -> Result:
    """Run scenario ``name`` in a child process (``script`` run as a program,
    which defines it); what it observed."""
    command = [sys.executable, script, name]
    if netns:
        # A private network namespace, where 127.0.0.2 can be configured.
        setup = 'ip link set lo up && ip addr add 127.0.0.2/8 dev lo && exec "$@"'
        command = ["unshare", "-n", "sh", "-c", setup, "sh", *command]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            env=child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"scenario {name} hung for {CHILD_TIMEOUT} s: {exc.stderr!r}")
    if done.returncode != 0:
        pytest.fail(f"scenario {name} exited {done.returncode}:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def as_tuples(addresses: list[list[Any]]) -> list[tuple[Any, ...]]:
    return [tuple(a) for a in addresses]


def test_association_established_with_the_returned_id() -> None:
    seen = run("association")
    assert seen["assoc_id"] > 0
    assert seen["status_id"] == seen["assoc_id"]
    assert seen["state"] == "ESTABLISHED"
    assert tuple(seen["primary"]) == ("127.0.0.1", SCTP_PORT)
    assert as_tuples(seen["paddrs"]) == [("127.0.0.1", SCTP_PORT)]
    assert seen["peer_state"] == "ESTABLISHED"
    # The accepted side sees the client's address, bound to 127.0.0.1.
    assert as_tuples(seen["peer_paddrs"]) == [tuple(seen["peer_address"])]
    assert as_tuples(seen["laddrs"]) == [tuple(seen["peer_address"])]
    assert (seen["sent"], seen["got"], seen["back"]) == (4, "ping", "pong")


def test_one_to_many_id_names_the_association() -> None:
    seen = run("one_to_many")
    assert seen["assoc_id"] > 0
    assert seen["status_id"] == seen["assoc_id"]
    assert seen["state"] == "ESTABLISHED"
    assert as_tuples(seen["paddrs"]) == [("127.0.0.1", SCTP_PORT)]
    assert seen["got"] == "hello"
    # Undocumented (usrsctp): an association to that peer already exists.
    assert seen["again"]["errno"] == errno.EALREADY
    assert seen["again"]["documented"] is False
    assert sctpx.undocumented_reason("usrsctp", seen["again"]["errno"])
    assert "not documented in sctp_connectx(3)" in seen["again"]["message"]


def test_failover_to_the_next_address_discards_the_unconfirmed_one() -> None:
    seen = run("failover")
    assert as_tuples(seen["before"]) == [("127.0.0.3", SCTP_PORT), ("127.0.0.1", SCTP_PORT)]
    assert seen["status_id"] == seen["assoc_id"]
    assert tuple(seen["primary"]) == ("127.0.0.1", SCTP_PORT)
    # The page: addresses the peer does not confirm are silently discarded.
    assert as_tuples(seen["after"]) == [("127.0.0.1", SCTP_PORT)]
    # One INIT timeout (rto_initial 300 ms) before the second address.
    assert seen["seconds"] >= 0.25


def test_abort_fails_a_blocking_connectx() -> None:
    # usrsctp_connectx returns before the handshake; sctpx waits, as the
    # kernel's connectx does, and raises the ABORT's SO_ERROR (no listener
    # at that address).  A non-blocking socket sees it from wait_established.
    seen = run("refused")
    for case in ("failover", "no_listener"):
        assert seen[case].get("errno") == errno.ECONNREFUSED, seen[case]
        assert seen[case]["documented"] is False
        assert "not documented in sctp_connectx(3)" in seen[case]["message"]
    assert seen["later"].get("errno") == errno.ECONNREFUSED, seen["later"]
    assert sctpx.undocumented_reason("usrsctp", errno.ECONNREFUSED)
    assert seen["many"].get("errno") == errno.ECONNABORTED, seen["many"]
    assert "ended before it was established" in seen["many"]["message"]
    assert sctpx.undocumented_reason("usrsctp", errno.ECONNABORTED)


def require_netns() -> None:
    """A private network namespace can be made here (for 127.0.0.2), or skip."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        unavailable("unshare(1) and ip(8) are needed for a private network namespace")
    probe = subprocess.run(
        ["unshare", "-n", "true"], capture_output=True, timeout=CHILD_TIMEOUT, check=False
    )
    if probe.returncode != 0:
        unavailable(f"unshare -n is not permitted here: {probe.stderr.decode().strip()}")


def test_multihomed_peer_lists_every_confirmed_address() -> None:
    require_netns()
    seen = run("multihomed", netns=True)
    both = [("127.0.0.1", SCTP_PORT), ("127.0.0.2", SCTP_PORT)]
    assert seen["status_id"] == seen["assoc_id"]
    assert as_tuples(seen["server_laddrs"]) == both
    assert as_tuples(seen["paddrs"]) == both
    # The client is multi-homed too, and the server sees both of its addresses.
    client_both = [("127.0.0.1", SCTP_PORT + 1), ("127.0.0.2", SCTP_PORT + 1)]
    assert as_tuples(seen["client_laddrs"]) == client_both
    assert as_tuples(seen["server_sees"]) == client_both


#: case -> (errno, the function whose page documents it)
DOCUMENTED = {
    "closed": (errno.EBADF, "sctp_connectx"),
    "closed_method": (errno.EBADF, "sctp_connectx"),
    "closed_getpaddrs": (errno.EBADF, "sctp_getpaddrs"),
    "closed_no_addresses": (errno.EINVAL, "sctp_connectx"),
    "empty": (errno.EINVAL, "sctp_connectx"),
    "none": (errno.EINVAL, "sctp_connectx"),
    "unix": (errno.EINVAL, "sctp_connectx"),
    "hostname": (errno.EINVAL, "sctp_connectx"),
    "ipv4_128": (errno.E2BIG, "sctp_connectx"),
    "ipv6_74": (errno.E2BIG, "sctp_connectx"),
}


@pytest.fixture(scope="module")
def error_results() -> Result:
    return run("errors")


@pytest.mark.parametrize("case", sorted(DOCUMENTED))
def test_documented_error(error_results: Result, case: str) -> None:
    seen = error_results[case]
    err, function = DOCUMENTED[case]
    name = errno.errorcode[err]
    assert seen.get("errno") == err, seen
    assert seen["type"] == "OSError"
    assert seen["documented"] is True
    _, condition = _stub.ERRORS[function][name]
    assert seen["condition"] == condition
    assert f"[{name}: {condition}" in seen["message"]


@pytest.mark.parametrize("case", ["ipv4_127", "ipv6_73"])
def test_largest_list_the_page_allows_reaches_the_stack(error_results: Result, case: str) -> None:
    # The sockets are non-blocking: the association is being set up.
    assert error_results[case].get("errno") == errno.EINPROGRESS, error_results[case]


@pytest.mark.parametrize(
    ("case", "err"),
    [
        # connectx on a connected one-to-one socket (sctp_do_connect_x).
        ("connected", errno.EADDRINUSE),
        # usrsctp's own limit, past 2048 bytes; sctpx raises E2BIG first.
        ("raw_128", errno.ENOMEM),
    ],
)
def test_undocumented_error(error_results: Result, case: str, err: int) -> None:
    seen = error_results[case]
    assert seen.get("errno") == err, seen
    assert seen["documented"] is False
    assert sctpx.undocumented_reason("usrsctp", err), "list it in UNDOCUMENTED_ERRNOS"
    assert seen["condition"] is None
    assert "not documented in sctp_connectx(3)" in seen["message"]


def test_a_listening_socket_connects(error_results: Result) -> None:
    # No EISCONN here, unlike Linux: the docs say so.
    assert int(error_results["listening"]["returned"]) > 0


def test_stop_is_bounded_with_an_association_up() -> None:
    seen = run("stop_with_association")
    assert seen["state"] == "ESTABLISHED"
    assert seen["stopped"] is True
    assert seen["seconds"] < 3
    assert seen["running"] is False
    assert seen["client_closed"] is True
    assert seen["connectx_after_stop"]["errno"] == errno.EBADF


def test_stop_gives_up_in_time_when_associations_remain() -> None:
    seen = run("stop_gives_up")
    assert seen["state"] == "ESTABLISHED"
    assert seen["stopped"] is False
    assert 1.0 <= seen["seconds"] < 2.5
    assert any("usrsctp_finish" in w for w in seen["warnings"])
    assert seen["still_running"] is True


def test_blocking_modes_follow_kernel_sockets() -> None:
    seen = run("blocking_modes")
    # Non-blocking: EINPROGRESS with the id, which wait_established then takes.
    assert seen["pending"] > 0 and seen["established_id"] == seen["pending"]
    # A timeout: TimeoutError carrying the id of the association still set up.
    timed_out = seen["timed_out"]
    assert timed_out["type"] == "TimeoutError" and timed_out["errno"] == errno.ETIMEDOUT
    assert timed_out["assoc_id"] and seen["still"] == "COOKIE_WAIT"
    assert sctpx.undocumented_reason("usrsctp", errno.ETIMEDOUT)
    assert 0.3 <= seen["seconds"] < 2
    for case in ("accept_now", "recv_now"):
        assert seen[case]["type"] == "BlockingIOError", seen[case]
    assert seen["recv_soon"]["type"] == "TimeoutError"
    assert seen["client_timeout"] is None and seen["slow_blocking"] is True
    # The stack's own timeout (no socket timeout): ETIMEDOUT, never ENETUNREACH.
    assert seen["unrouted"]["type"] == "TimeoutError", seen["unrouted"]
    assert "not established within" not in seen["unrouted"]["message"]


def test_one_to_many_ids_name_two_associations_at_once() -> None:
    seen = run("two_associations")
    a, b = seen["ids"]
    assert a != b
    # Each id finds its own association: a wrong id would show the other port.
    assert as_tuples(seen["primary"]) == [("127.0.0.1", SCTP_PORT), ("127.0.0.1", SCTP_PORT + 1)]
    assert [as_tuples(p) for p in seen["paddrs"]] == [
        [("127.0.0.1", SCTP_PORT)],
        [("127.0.0.1", SCTP_PORT + 1)],
    ]
    assert seen["got"] == ["to a", "to b"]
    assert seen["replies"] == [[a, "from a", True], [b, "from b", True]]


def test_messages_end_with_msg_eor() -> None:
    seen = run("messages")
    # 100 bytes read 10 at a time: the first piece is not the end, the second is.
    assert seen["pieces"] == [[10, False, False], [90, True, True]]
    assert seen["whole"] == ["BBBBB", True]
    assert seen["recv"] == "C" * 10  # recv() is socket.recv: a piece, no boundary
    assert seen["ids"] == [seen["peer_id"]] * 3
    assert tuple(seen["address"]) == tuple(seen["client_address"])
    assert seen["not_bytes"]["type"] == "TypeError"


def test_send_without_association_and_shutdown_half_closes() -> None:
    seen = run("send_and_shutdown")
    # One-to-one: ENOTCONN, where usrsctp says ENOENT (the page's ENOTCONN).
    for case in ("unconnected", "peer_send_after"):
        assert seen[case]["errno"] == errno.ENOTCONN, seen[case]
        assert seen[case]["type"] == "OSError"  # not FileNotFoundError (ENOENT)
    # One-to-many: the page's ENOENT, no association found to send on.
    for case in ("many_no_assoc", "many_bad_assoc"):
        assert seen[case]["errno"] == errno.ENOENT, seen[case]
        assert seen[case]["documented"] is True
    assert "77" in seen["many_bad_assoc"]["message"]
    assert seen["many_shutdown"]["errno"] == errno.EOPNOTSUPP
    assert seen["bad_how"]["errno"] == seen["wrapping_how"]["errno"] == errno.EINVAL
    # After SHUT_WR the peer reads the last message, then the end; what it
    # had sent before still arrives here.
    assert seen["peer_reads"] == ["last words", ""]
    assert seen["client_reads"] == "before"
    assert seen["after_unread_close"]["errno"] == errno.ECONNRESET, seen["after_unread_close"]


RANGE_ERRORS = {
    "bad_sysctl_start": "ValueError",
    "status": errno.EINVAL,
    "getpaddrs": errno.EINVAL,
    "getladdrs": errno.EINVAL,
    "send": errno.EINVAL,
    "wait": errno.EINVAL,
    "encaps_id": errno.EINVAL,
    "sysctl_negative": "ValueError",
    "sysctl_big": "ValueError",
    "sysctl_range": errno.EINVAL,  # usrsctp's own range for sctp_blackhole (0-2)
    "encaps_port": "ValueError",
    "listen": "ValueError",
    "recv_zero": "ValueError",
    "timeout": "ValueError",
    "timeout_nan": "ValueError",
    "family": errno.EAFNOSUPPORT,
    "assoc_type": "TypeError",
}


@pytest.fixture(scope="module")
def range_results() -> Result:
    return run("ranges")


@pytest.mark.parametrize("case", sorted(RANGE_ERRORS))
def test_out_of_range_is_a_clear_error(range_results: Result, case: str) -> None:
    seen, want = range_results[case], RANGE_ERRORS[case]
    if isinstance(want, str):
        assert seen["type"] == want, seen
    else:
        assert seen["errno"] == want, seen
    assert "returned" not in seen


def test_a_bad_sysctl_leaves_no_stack_running(range_results: Result) -> None:
    assert range_results["running_after"] is False


def test_link_local_scope_reaches_the_stack() -> None:
    seen = run("scope")
    assert as_tuples(seen["paddrs"]) == [("fe80::1", SCTP_PORT, 0, seen["lo"])]


def test_signal_during_connectx_follows_pep_475() -> None:
    seen = run("signals")
    # The handler ran and the call went on waiting: the id, established.
    assert seen["handled"] == 1
    assert seen["assoc_id"] > 0 and seen["state"] == "ESTABLISHED"
    # A handler that raises: its exception, carrying the association's id.
    assert seen["interrupted"]["type"] == "Interrupted"
    assert seen["interrupted"]["assoc_id"] > 0
    assert seen["later"] == "ESTABLISHED"


def test_signals_during_waits_follow_pep_475() -> None:
    seen = run("signals_in_waits")
    # A handler that returns: the wait goes on and ends as it would have.
    assert seen["wait"]["handled"] == 1 and seen["wait"]["state"] == "ESTABLISHED"
    assert seen["recv"] == {"returned": "'late'", "handled": 1}
    # A handler that raises: its exception, and the handle is not held by it.
    assert seen["accept_raises"]["type"] == "Interrupted"
    assert seen["freed"] is True


def test_close_ends_calls_in_flight_with_ebadf() -> None:
    seen = run("close_during_calls")
    calls = seen["results"]
    assert sorted(calls) == sorted(
        ["recv0", "recv1", "recv2", "recv3", "accept", "connectx", "wait", "stopped"]
    )
    for name, result in calls.items():
        assert result["errno"] == errno.EBADF, (name, result)
    assert calls["connectx"]["documented"] is True  # the page's EBADF
    assert calls["connectx"]["assoc_id"] > 0
    assert seen["seconds"] < 2
    assert seen["stopped"] is True


@pytest.mark.parametrize("function", ["sctp_connectx", "sctp_getpaddrs", "sctp_getladdrs"])
def test_page_prototypes_are_the_stubs_with_a_handle(function: str) -> None:
    lib = _usrsctp_lib.load()
    bound = getattr(lib, function.removeprefix("sctp_"))
    restype, argtypes = _stub.PROTOTYPES[function]
    assert bound.restype is restype
    assert tuple(bound.argtypes) == (ctypes.c_void_p, *argtypes[1:])
    assert bound.errcheck is not None


def test_missing_library_is_backend_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setattr(_usrsctp_lib, "LIBRARY", "libusrsctp.so.0-missing")
    _usrsctp_lib.load.cache_clear()
    try:
        with pytest.raises(sctpx.BackendUnavailable, match="libusrsctp"):
            usrsctp.start(0)
    finally:
        _usrsctp_lib.load.cache_clear()
    assert usrsctp.running() is None


def test_socket_without_a_stack_is_refused() -> None:

    with pytest.raises(RuntimeError, match=r"start\(\)"):
        usrsctp.Socket()


if __name__ == "__main__":
    _child_main(sys.argv[1:])
