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
connectx returns before the handshake, so an ABORT (ECONNREFUSED) comes
later, from wait_established, not from connectx.
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
        assoc_id = sctpx.connectx(client, [("127.0.0.3", SCTP_PORT), ("127.0.0.1", SCTP_PORT)])
        before = sctpx.getpaddrs(client, assoc_id)
        status = client.wait_established(5)
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
        sctpx.connectx(client, [("127.0.0.3", SCTP_PORT), ("127.0.0.1", SCTP_PORT)])
        nobody = client_to(udp)
        sctpx.connectx(nobody, [("127.0.0.1", SCTP_PORT + 1)])
        return {
            "failover": observed(lambda: client.wait_established(5)),
            "no_listener": observed(lambda: nobody.wait_established(5)),
        }


@scenario
def multihomed(args: list[str]) -> Result:
    """bindx of a second address (needs it configured: run under unshare -n)."""
    udp = free_udp_port()
    with usrsctp.start(udp):
        server = listener()
        server.bindx([("127.0.0.2", SCTP_PORT)])
        client = client_to(udp)
        assoc_id = sctpx.connectx(client, [("127.0.0.2", SCTP_PORT)])
        status = client.wait_established(5)
        server.accept(timeout=5)
        return {
            "assoc_id": assoc_id,
            "status_id": status.assoc_id,
            "server_laddrs": sorted(server.getladdrs()),
            "paddrs": sorted(sctpx.getpaddrs(client, assoc_id)),
        }


@scenario
def errors(args: list[str]) -> Result:
    """Each error the page lists, and the undocumented ones this stack gives."""
    target = [("127.0.0.1", SCTP_PORT)]
    with endpoint_pair() as (_, _server, client, _udp):
        closed = usrsctp.Socket()
        closed.close()
        fresh = usrsctp.Socket()
        v6 = usrsctp.Socket(socket.AF_INET6)
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

        # What sctpx keeps out of reach: usrsctp's own answer to 128 IPv4
        # addresses, calling the bound function directly.
        lib = _usrsctp_lib.load()
        other = usrsctp.Socket()
        packed = _addr.pack(_addr.parse_addresses(target) * 128, "linux")
        assoc = ctypes.c_uint32(0)
        out["raw_128"] = observed(
            lambda: lib.connectx(other._so(), packed, 128, ctypes.byref(assoc))
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


def run(name: str, *, netns: bool = False) -> Result:
    """Run scenario ``name`` in a child process; what it observed."""
    command = [sys.executable, __file__, name]
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


def test_abort_fails_the_association_later() -> None:
    # usrsctp_connectx returns before the handshake: an ABORT (no listener
    # at that address) surfaces later, as SO_ERROR, through wait_established.
    seen = run("refused")
    for case in ("failover", "no_listener"):
        assert seen[case].get("errno") == errno.ECONNREFUSED, seen[case]


def test_multihomed_peer_lists_every_confirmed_address() -> None:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        unavailable("unshare(1) and ip(8) are needed for a private network namespace")
    probe = subprocess.run(
        ["unshare", "-n", "true"], capture_output=True, timeout=CHILD_TIMEOUT, check=False
    )
    if probe.returncode != 0:
        unavailable(f"unshare -n is not permitted here: {probe.stderr.decode().strip()}")
    seen = run("multihomed", netns=True)
    both = [("127.0.0.1", SCTP_PORT), ("127.0.0.2", SCTP_PORT)]
    assert seen["status_id"] == seen["assoc_id"]
    assert as_tuples(seen["server_laddrs"]) == both
    assert as_tuples(seen["paddrs"]) == both


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
    assert "returned" in error_results[case], error_results[case]


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
