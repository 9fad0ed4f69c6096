"""Handle lifetime and stack locking of sctpx.usrsctp, against a fake library.

The fake records every call into "usrsctp" on one timeline and can hold a
call inside the library until the test lets it go, so the orders that
matter are checked deterministically, without threads racing by chance:
usrsctp_close never runs while a call is using the pointer, a close ends
the calls in flight with EBADF, a handle from accept is closed when its
Socket cannot be made, and start, stop and socket creation are
linearizable.  The real library under load is tools/usrsctp_stress.py
(a short run is in this file too; the long one, and valgrind, run there).
"""

from __future__ import annotations

import ctypes
import errno
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from oracle import child_env, unavailable

import sctpx
from sctpx import _usrsctp_lib, usrsctp
from sctpx._handle import Handle

ROOT = Path(__file__).resolve().parent.parent
# Seconds a test waits for a thread that should finish at once.
JOIN = 5.0
# Seconds to watch a thread that must stay blocked.
BLOCKED = 0.2


class FakeLibrary:
    """Stands in for _usrsctp_lib.Library: records calls; gates can hold one inside."""

    def __init__(self) -> None:
        self.timeline: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        self.next_pointer = 0x1000
        self.inside: dict[str, threading.Event] = {}  # a call has entered
        self.gates: dict[str, threading.Event] = {}  # the call may leave
        self.fail_non_blocking: set[int] = set()
        self.accept_pointer = 0

    def record(self, name: str, pointer: int = 0) -> None:
        with self.lock:
            self.timeline.append((name, pointer))
        if name in self.gates:
            self.inside[name].set()
            assert self.gates[name].wait(JOIN)

    def hold(self, name: str) -> tuple[threading.Event, threading.Event]:
        """Hold the next calls of ``name`` until the returned gate is set."""
        self.inside[name], self.gates[name] = threading.Event(), threading.Event()
        return self.inside[name], self.gates[name]

    def calls(self, name: str) -> list[int]:
        return [p for n, p in self.timeline if n == name]

    # -- the library's functions --

    def init(self, port: int, output: Any, debug: Any) -> None:
        self.record("init")

    def finish(self) -> int:
        self.record("finish")
        return 0

    def socket(self, *args: Any) -> int:
        with self.lock:
            self.next_pointer += 0x100
            pointer = self.next_pointer
        self.record("socket", pointer)
        return pointer

    def set_non_blocking(self, pointer: int, on: int) -> int:
        self.record("set_non_blocking", pointer)
        if pointer in self.fail_non_blocking:
            ctypes.set_errno(errno.ENOMEM)
            return -1
        return 0

    def setsockopt(self, pointer: int, *args: Any) -> int:
        self.record("setsockopt", pointer)
        return 0

    def close(self, pointer: int) -> None:
        self.record("close", pointer)

    def set_upcall(self, pointer: int, upcall: Any, arg: Any) -> int:
        self.record("set_upcall", pointer)
        return 0

    def recvv(self, pointer: int, *args: Any) -> int:
        self.record("recvv", pointer)
        ctypes.set_errno(errno.EAGAIN)
        return -1

    def accept(self, pointer: int, *args: Any) -> int:
        self.record("accept", pointer)
        if self.accept_pointer:
            new, self.accept_pointer = self.accept_pointer, 0
            return new
        ctypes.set_errno(errno.EAGAIN)
        return 0

    def listen(self, pointer: int, backlog: int) -> int:
        self.record("listen", pointer)
        return 0

    def sysctl_setter(self, name: str) -> Any:
        return lambda value: 0


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLibrary]:
    lib = FakeLibrary()
    monkeypatch.setattr(_usrsctp_lib, "load", lambda: lib)
    monkeypatch.setattr(usrsctp._PROCESS, "stack", None)
    yield lib
    for gate in lib.gates.values():
        gate.set()


def in_thread(call: Any) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``call`` in a thread; the dict gets its "result" or "error"."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["result"] = call()
        except BaseException as exc:
            out["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, out


# -- the handle ---------------------------------------------------------------------


def closed_error() -> OSError:
    return OSError(errno.EBADF, "closed")


def test_handle_frees_once_after_the_last_call() -> None:
    freed: list[tuple[int, bool]] = []
    handle = Handle(7, lambda p, abort: freed.append((p, abort)))
    entered, leave = threading.Event(), threading.Event()

    def call() -> None:
        with handle.use(closed_error) as pointer:
            assert pointer == 7
            entered.set()
            assert leave.wait(JOIN)

    user, _ = in_thread(call)
    assert entered.wait(JOIN)
    closer, closing = in_thread(lambda: handle.close(abort=True))
    closer.join(BLOCKED)
    # close() marked the handle at once, but waits for the call to leave.
    assert handle.closed and closer.is_alive() and freed == []
    with pytest.raises(OSError) as info, handle.use(closed_error):
        pass
    assert info.value.errno == errno.EBADF
    leave.set()
    user.join(JOIN)
    closer.join(JOIN)
    assert freed == [(7, True)]
    assert closing["result"] is True
    assert handle.close() is False and freed == [(7, True)]


def test_close_inside_a_call_of_the_same_thread_frees_on_the_way_out() -> None:
    # A signal handler that closes the socket its thread is using: close()
    # cannot wait for that call, so the call frees the pointer as it leaves.
    freed: list[int] = []
    handle = Handle(9, lambda p, abort: freed.append(p))
    with handle.use(closed_error):
        with handle.use(closed_error):  # nested calls of one thread count too
            assert handle.close() is True
        assert freed == []
    assert freed == [9]


# -- sockets on the fake library ---------------------------------------------------


def test_close_waits_for_a_recv_inside_usrsctp(fake: FakeLibrary) -> None:
    usrsctp.start(0)
    sock = usrsctp.Socket()
    pointer = fake.calls("socket")[0]
    inside, leave = fake.hold("recvv")
    receiver, received = in_thread(lambda: sock.recv(100))
    assert inside.wait(JOIN)  # the receiver is inside usrsctp_recvv now
    closer, _ = in_thread(sock.close)
    closer.join(BLOCKED)
    assert closer.is_alive()
    assert fake.calls("close") == []  # never freed under a call in flight
    leave.set()
    receiver.join(JOIN)
    closer.join(JOIN)
    assert fake.calls("close") == [pointer]
    # Nothing touched the pointer after usrsctp_close.
    last = max(i for i, (_, p) in enumerate(fake.timeline) if p == pointer)
    assert fake.timeline[last] == ("close", pointer)
    exc = received["error"]
    assert isinstance(exc, OSError) and exc.errno == errno.EBADF
    assert "closed" in str(exc)


def test_many_receivers_end_with_ebadf_and_one_close(fake: FakeLibrary) -> None:
    usrsctp.start(0)
    sock = usrsctp.Socket()
    receivers = [in_thread(lambda: sock.recv(100)) for _ in range(8)]
    while len(fake.calls("recvv")) < 8:
        threading.Event().wait(0.001)
    sock.close()
    for thread, out in receivers:
        thread.join(JOIN)
        assert out["error"].errno == errno.EBADF
    assert len(fake.calls("close")) == 1


def test_stop_closes_sockets_whose_calls_are_in_flight(fake: FakeLibrary) -> None:
    stack = usrsctp.start(0)
    sock = usrsctp.Socket()
    sock.listen(1)
    acceptor, accepted = in_thread(sock.accept)
    while not fake.calls("accept"):
        threading.Event().wait(0.001)
    assert stack.stop() is True
    acceptor.join(JOIN)
    assert accepted["error"].errno == errno.EBADF
    names = [n for n, _ in fake.timeline]
    assert names.index("close") < names.index("finish")


def test_accept_closes_the_handle_when_its_socket_cannot_be_made(fake: FakeLibrary) -> None:
    usrsctp.start(0)
    server = usrsctp.Socket()
    fake.accept_pointer = 0xBAD0
    fake.fail_non_blocking.add(0xBAD0)
    with pytest.raises(OSError) as info:
        server.accept(timeout=1)
    assert info.value.errno == errno.ENOMEM
    assert fake.calls("close") == [0xBAD0]  # aborted, not leaked
    assert fake.calls("setsockopt")[-1] == 0xBAD0  # SO_LINGER 0 first: an ABORT


def test_socket_creation_waits_for_stop(fake: FakeLibrary) -> None:
    stack = usrsctp.start(0)
    inside, leave = fake.hold("finish")
    stopper, stopped = in_thread(stack.stop)
    assert inside.wait(JOIN)  # stop() is inside usrsctp_finish
    maker, made = in_thread(usrsctp.Socket)
    starter, started = in_thread(lambda: usrsctp.start(0))
    maker.join(BLOCKED)
    # Neither may touch the stack that is being finished.
    assert maker.is_alive() and starter.is_alive()
    assert fake.calls("socket") == [] and fake.calls("init") == [0]
    leave.set()
    for thread in (stopper, maker, starter):
        thread.join(JOIN)
    assert stopped["result"] is True
    names = [n for n, _ in fake.timeline]
    assert names[:2] == ["init", "finish"]
    # After stop: start() made a new stack; Socket() either found none
    # (RuntimeError) or the new one (made after the second init).
    assert started["result"] is not stack and started["result"].running
    if "error" in made:
        assert isinstance(made["error"], RuntimeError)
    else:
        assert names.index("socket") > names.index("init", 1)


def test_socket_on_a_stopped_stack_is_refused(fake: FakeLibrary) -> None:
    stack = usrsctp.start(0)
    sock = usrsctp.Socket()
    stack.stop()
    with pytest.raises(RuntimeError, match=r"start\(\)"):
        usrsctp.Socket()
    with pytest.raises(RuntimeError, match="stopped"):
        stack.set_sysctl("blackhole", 1)
    with pytest.raises(OSError) as info:
        sock.recv(10)
    assert info.value.errno == errno.EBADF


def test_handles_are_non_blocking_and_report_their_association(fake: FakeLibrary) -> None:
    usrsctp.start(0)
    sock = usrsctp.Socket()
    pointer = fake.calls("socket")[0]
    assert fake.calls("set_non_blocking") == [pointer]
    sock.setblocking(True)  # the blocking mode lives in Python, not in usrsctp
    sock.settimeout(3)
    assert fake.calls("set_non_blocking") == [pointer]
    assert sock.gettimeout() == 3.0 and sock.getblocking()
    with pytest.raises(BlockingIOError):
        sock.recv(10, timeout=0)


def test_the_upcall_is_cleared_before_the_handle_is_freed(fake: FakeLibrary) -> None:
    """usrsctp calls the upcall from its own threads: never into a freed socket."""
    usrsctp.start(0)
    sock = usrsctp.Socket()
    pointer = fake.calls("socket")[0]
    sock._watch()  # sctpx.aio sets the upcall on first use
    sock.close()
    mine = [name for name, p in fake.timeline if p == pointer]
    assert mine[-3:] == ["set_upcall", "set_upcall", "close"], mine


def test_usrsctp_loads_no_unused_prototype() -> None:
    # get_non_blocking served nothing once the handles stay non-blocking;
    # shutdown serves Socket.shutdown.
    assert "usrsctp_get_non_blocking" not in _usrsctp_lib._PROTOTYPES
    assert "usrsctp_shutdown" in _usrsctp_lib._PROTOTYPES
    assert callable(usrsctp.Socket.shutdown)


# -- the real library under load: a bounded run of tools/usrsctp_stress.py -----------


def stress(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    try:
        _usrsctp_lib.load()
    except sctpx.BackendUnavailable as exc:
        unavailable(str(exc))
    return subprocess.run(
        [sys.executable, str(ROOT / "tools" / "usrsctp_stress.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(),
        check=False,
    )


def test_stress_short_run() -> None:
    done = stress("--seconds", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 failures" in done.stdout


def test_stress_under_valgrind_short_run() -> None:
    import shutil

    if shutil.which("valgrind") is None:
        unavailable("valgrind is not installed (apt-get install valgrind)")
    done = stress("--valgrind", "--rounds", "1", "--phase", "close", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    assert "valgrind: no errors" in done.stdout
