#!/usr/bin/env python3
"""Stress sctpx.usrsctp where threads meet: closes during calls, start/stop races.

    python3 tools/usrsctp_stress.py [--seconds 60] [--rounds N] [--phase P] [--valgrind] [--flood]

Two phases, each given half the time (or the rounds; ``--phase`` picks one):

lifecycle  one thread starts and stops the stack over and over while others
         make sockets and receive on them.  A socket is made on a running
         stack or refused with RuntimeError; EPROTONOSUPPORT (a socket made
         on a stack being finished) is a failure.
close    associations on loopback; in each round threads wait in recv,
         accept, connectx, wait_established and status (``--flood``: send
         on a full buffer too, see close_round) while the main thread
         closes (or aborts) the sockets under them after a random delay.
         Every call must end within a bound, with data, the end of the
         association, or EBADF -- never EFAULT or another stray errno, which
         is what a read of a freed ``struct socket`` looked like -- and every
         closed socket's handle must be freed.  Whether usrsctp_finish then
         succeeds is a figure, not a verdict: with ``--flood``, associations
         closed with data queued stay in usrsctp 0.9.5.0 (see close_round),
         so this phase runs last.

``--valgrind`` runs the same under valgrind (memcheck; PYTHONMALLOC=malloc,
and suppressions for what the interpreter alone reports at start-up) and
fails on any error it reports: an invalid read of freed memory is one.
Prints figures; exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import errno
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sctpx  # noqa: E402
from sctpx import usrsctp  # noqa: E402

SCTP_PORT = 5101
#: Seconds a call may take to end once its socket is closed.
END_BOUND = 5.0
#: What a call may end with when its socket (or the peer's) is closed under it.
ALLOWED_ERRNOS = frozenset(
    {errno.EBADF, errno.ENOTCONN, errno.ECONNRESET, errno.EPIPE, errno.ECONNREFUSED}
)


@dataclass
class Tally:
    """What the calls ended with, and what should never have happened."""

    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, name: str, func: Callable[[], object]) -> None:
        try:
            func()
        except TimeoutError:
            self.add("timeout")
        except OSError as exc:
            if exc.errno in ALLOWED_ERRNOS:
                self.add(errno.errorcode[exc.errno or 0])
            else:
                self.fail(f"{name}: {exc!r}")
        except Exception as exc:  # every other exception is a failure to report
            self.fail(f"{name}: {exc!r}")
        else:
            self.add("returned")

    def add(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def client(udp: int, kind: int = socket.SOCK_STREAM) -> usrsctp.Socket:
    sock = usrsctp.Socket(socket.AF_INET, kind)
    sock.bind(("127.0.0.1", 0))
    sock.set_udp_encaps(udp)
    return sock


def close_round(
    udp: int, server: usrsctp.Socket, rnd: random.Random, tally: Tally, flood: bool
) -> list[usrsctp.Socket]:
    """Threads in every kind of waiting call; close their sockets under them.

    Returns the sockets the round made, every one closed.  usrsctp 0.9.5.0
    mishandles an association that ends with messages still queued to
    send.  Aborted -- by SO_LINGER 0, or by the ABORT that a close() with
    received data still unread sends -- it now and then corrupts usrsctp's
    heap, and the process dies in malloc or free on any thread; the C
    program tools/usrsctp_abort.c, usrsctp alone, dies the same way.  Shut
    down gracefully, it stays in usrsctp for good, and usrsctp_finish
    refuses from then on.  Neither is a call in flight on a freed socket,
    which is what this phase is after.  So by default no pair carries data:
    both are closed gracefully under their receives.  With ``flood`` one
    socket floods its peer and is closed gracefully under its send, while
    the peer reads on to the end of the association and closes with nothing
    unread; that leaves usrsctp_finish refusing, and now and then usrsctp
    crashes all the same (SIGSEGV).  The sockets without associations are
    aborted or closed at random.
    """
    pairs = []
    for _ in range(2):
        c = client(udp)
        sctpx.connectx(c, [("127.0.0.1", SCTP_PORT)])
        peer, _ = server.accept(timeout=5)
        pairs.append((c, peer))
    (sender, drained), (quiet, quiet_peer) = pairs
    hole = client(udp)  # nobody answers 127.0.0.3 (blackhole=2): connectx waits
    pending = client(udp)
    pending.setblocking(False)
    try:
        pending.connectx([("127.0.0.3", SCTP_PORT)])
    except BlockingIOError as exc:
        pending_id = exc.assoc_id  # type: ignore[attr-defined]
    pending.setblocking(True)
    listener = usrsctp.Socket()
    listener.bind(("127.0.0.1", SCTP_PORT + 1))
    listener.listen(1)
    big = b"x" * 60000

    def flooding(sock: usrsctp.Socket) -> None:
        while True:
            sock.send(big)

    def drain(sock: usrsctp.Socket) -> None:
        while sock.recv(1000):
            pass

    data: list[tuple[str, Callable[[], object]]] = [
        ("send", partial(flooding, sender)),
        ("drain", partial(drain, drained)),
    ]
    calls: list[tuple[str, Callable[[], object]]] = [
        *(data if flood else [("recv", partial(drained.recv, 1000))]),
        ("recvmsg", partial(sender.recvmsg, 1000)),
        *((f"recv{i}", partial(quiet_peer.recv, 1000)) for i in range(3)),
        ("recvmsg", partial(quiet.recvmsg, 1000)),
        ("accept", listener.accept),
        ("connectx", lambda: hole.connectx([("127.0.0.3", SCTP_PORT)])),
        ("wait", lambda: pending.wait_established(None, pending_id)),
        ("status", lambda: [pending.status(pending_id) for _ in range(1000)]),
    ]
    threads = [
        threading.Thread(target=tally.call, args=(name, func), daemon=True) for name, func in calls
    ]
    for thread in threads:
        thread.start()
    time.sleep(rnd.uniform(0, 0.02))
    graceful = [(quiet, False), (quiet_peer, False)]
    if not flood:
        graceful += [(drained, False)]
    closing = [(sender, False), *rnd.sample(graceful, len(graceful))]
    others = [hole, pending, listener]
    rnd.shuffle(others)
    closing += [(sock, rnd.random() < 0.5) for sock in others]
    for sock, abort in closing:
        sock.close(abort=abort)
    deadline = time.monotonic() + END_BOUND
    for thread, (name, _) in zip(threads, calls, strict=True):
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            tally.fail(f"{name}: still running {END_BOUND:g} s after its socket closed")
    if flood:
        drained.close()  # read to the end: a graceful close
    return [sender, drained, quiet, quiet_peer, *others]


def close_phase(
    seconds: float, rounds: int | None, rnd: random.Random, flood: bool
) -> tuple[int, Tally]:
    tally = Tally()
    udp = free_udp_port()
    done = 0
    # Short SCTP timers, so that the associations closed gracefully end in
    # seconds (a black hole's INITs, a SHUTDOWN nobody answers), not minutes.
    timers = {"rto_max_default": 1000, "shutdown_guard_time_default": 2}
    stack = usrsctp.start(udp, blackhole=2, assoc_rtx_max_default=3, **timers)
    server = usrsctp.Socket()
    server.bind(("127.0.0.1", SCTP_PORT))
    server.listen(16)
    made = [server]
    end = time.monotonic() + seconds
    while (rounds is None or done < rounds) and time.monotonic() < end:
        made += close_round(udp, server, rnd, tally, flood)
        done += 1
    server.close()
    # Every handle freed: no socket leaked, no call left holding one.
    held = sum(not sock._handle.freed for sock in made)
    if held:
        tally.fail(f"{held} of {len(made)} closed sockets still hold their usrsctp handle")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a refusal is reported below
        if stack.stop(timeout=5):
            tally.add("usrsctp_finish: done")
        else:
            # The flooding sockets' associations (see close_round): usrsctp's.
            tally.add("usrsctp_finish: refused, associations closed with data queued remain")
    return done, tally


def lifecycle_phase(seconds: float, cycles: int | None) -> tuple[int, Tally]:
    """start()/stop() in a loop against threads making sockets and receiving."""
    tally = Tally()
    udp = free_udp_port()
    stop_making = threading.Event()
    done = 0

    def make() -> None:
        while not stop_making.is_set():
            try:
                sock = usrsctp.Socket()
            except RuntimeError:
                tally.add("refused: not running")
                time.sleep(0.0005)
                continue
            except Exception as exc:  # EPROTONOSUPPORT here was the race
                tally.fail(f"Socket(): {exc!r}")
                continue
            tally.add("made")
            tally.call("recv", partial(sock.recv, 10, timeout=0.001))
            sock.close()

    makers = [threading.Thread(target=make, daemon=True) for _ in range(4)]
    for thread in makers:
        thread.start()
    end = time.monotonic() + seconds
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a stop() that gives up warns: a failure
        while (cycles is None or done < cycles) and time.monotonic() < end:
            stack = usrsctp.start(udp)
            time.sleep(0.001)
            try:
                if not stack.stop(timeout=5):
                    tally.fail("stop() returned False with no association")
            except RuntimeWarning as warning:
                tally.fail(f"stop(): {warning}")
            done += 1
    stop_making.set()
    for thread in makers:
        thread.join(END_BOUND)
        if thread.is_alive():
            tally.fail("a socket-making thread hung")
    final = usrsctp.running()
    if final is not None:
        final.stop()
    return done, tally


def report(name: str, count: int, unit: str, tally: Tally) -> None:
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(tally.outcomes.items()))
    print(f"usrsctp_stress: {name}: {count} {unit}; {outcomes}")
    for failure in tally.failures[:20]:
        print(f"usrsctp_stress: {name}: FAILED {failure}", file=sys.stderr)


@dataclass(frozen=True)
class ValgrindError:
    kind: str  # InvalidRead, UninitValue, ...
    objects: tuple[str, ...]  # the shared objects of its stack
    text: str


def valgrind_errors(xml: Path) -> list[ValgrindError]:
    import xml.etree.ElementTree as ET

    out = []
    for err in ET.parse(xml).getroot().iter("error"):
        frames = err.find("stack")
        objs = tuple(f.findtext("obj", "") for f in frames.iter("frame")) if frames else ()
        fns = [f.findtext("fn", "?") for f in frames.iter("frame")] if frames else []
        what = err.findtext("what") or err.findtext("xwhat/text") or ""
        out.append(ValgrindError(err.findtext("kind", "?"), objs, f"{what} at {fns[:6]}"))
    return out


def counts(error: ValgrindError) -> bool:
    """Whether an error found by valgrind is this run's to answer for.

    Every invalid access and invalid free counts.  The interpreter built
    here also reads a few bytes it never wrote (in its int and GC code, the
    same in ``python -c pass``); such uninitialised-value reports count
    only when usrsctp is on their stack.  Leaks at exit are not counted
    (valgrind lists the interpreter's own even with --leak-check=no): a
    usrsctp handle never closed stays reachable from the stack's lists,
    and tests/test_usrsctp_lifetime.py checks that accept closes one.
    """
    if error.kind.startswith("Leak_"):
        return False
    if not error.kind.startswith("Uninit"):
        return True
    return any("usrsctp" in obj for obj in error.objects)


def under_valgrind(argv: list[str]) -> int:
    """Run this script under valgrind; 0 only if it passed and valgrind found nothing."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("usrsctp_stress: valgrind is not installed", file=sys.stderr)
        return 2
    # The real interpreter, not a shim script (pyenv) that valgrind would trace instead.
    python = os.path.realpath(sys.executable)
    env = {**os.environ, "PYTHONMALLOC": "malloc"}
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "memcheck.xml"
        done = subprocess.run(
            [
                valgrind,
                "--xml=yes",
                f"--xml-file={xml}",
                "--leak-check=no",
                "--num-callers=30",
                python,
                __file__,
                *argv,
            ],
            env=env,
            check=False,
        )
        errors = valgrind_errors(xml)
    real = [e for e in errors if counts(e)]
    for error in real[:10]:
        print(f"usrsctp_stress: valgrind: {error.kind}: {error.text}", file=sys.stderr)
    leaks = sum(e.kind.startswith("Leak_") for e in errors)
    ignored = (
        f"ignored {leaks} leak reports at exit and "
        f"{len(errors) - len(real) - leaks} uninitialised reads of the interpreter alone"
    )
    if real:
        print(f"usrsctp_stress: valgrind: {len(real)} errors ({ignored})")
        return 1
    print(f"usrsctp_stress: valgrind: no errors ({ignored})")
    return done.returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="the whole run's bound")
    ap.add_argument("--rounds", type=int, default=None, help="close rounds (lifecycle: x10)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--phase", choices=("both", "close", "lifecycle"), default="both")
    ap.add_argument("--valgrind", action="store_true", help="run under valgrind (memcheck)")
    ap.add_argument(
        "--flood",
        action="store_true",
        help="close a socket under a blocked send (usrsctp itself may crash: see close_round)",
    )
    args = ap.parse_args()
    if args.valgrind:
        rest = [a for a in sys.argv[1:] if a != "--valgrind"]
        return under_valgrind(rest)
    seed = args.seed if args.seed is not None else int(time.time())
    rnd = random.Random(seed)
    half = args.seconds / 2
    cycles = None if args.rounds is None else 10 * args.rounds
    failures = 0
    # Lifecycle first: the close phase may leave the stack unable to finish.
    if args.phase in ("both", "lifecycle"):
        starts, lifecycle = lifecycle_phase(half, cycles)
        report("lifecycle", starts, "start/stop cycles", lifecycle)
        failures += len(lifecycle.failures)
    if args.phase in ("both", "close"):
        rounds, closing = close_phase(half, args.rounds, rnd, args.flood)
        report("close", rounds, "rounds", closing)
        failures += len(closing.failures)
    print(f"usrsctp_stress: seed {seed}, {failures} failures", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # A stack that could not finish still runs its threads: exit without
    # finalising the interpreter around them.
    os._exit(code)
