"""``connectx`` on a kernel socket, with ``socket.connect``'s timeout and PEP 475.

``sctp_connectx`` on a kernel socket blocks until the association is up,
or fails at once with EINPROGRESS (and the id) on a non-blocking one.  A
``socket.socket`` with a timeout is non-blocking underneath, so the C call
alone would ignore the timeout; and a signal during a blocking call fails
it with EINTR, without the id, while the association goes on being set up
(a second call then meets EALREADY).  Here both are handled as
``socket.connect`` handles them: the association is waited for up to the
socket's timeout (TimeoutError carrying ``assoc_id``), and after EINTR the
signal handlers run and the wait goes on (PEP 475); an exception from a
handler propagates, carrying ``assoc_id``.
"""

from __future__ import annotations

import ctypes
import errno
import time
from collections.abc import Sequence

from sctpx import _assoc
from sctpx._assoc import POLL_INTERVAL, Deadline
from sctpx._backend import FUNCTION, Backend, Waiter
from sctpx._errors import error


def _run_signal_handlers() -> None:
    """Run the handlers of signals caught during the C call now (they may raise).

    CPython would run them at its next check anyway; running them here
    makes their exception come from this point, where the id is known.
    """
    check = getattr(ctypes, "pythonapi", None)
    if check is not None:
        func = check.PyErr_CheckSignals
        func.restype, func.argtypes = ctypes.c_int, ()
        func()  # PyDLL: a handler's exception is raised from this call


def connect(backend: Backend, fd: int, packed: Sequence[bytes], timeout: float | None) -> int:
    """Call ``sctp_connectx`` and wait for the association as ``socket.connect`` would.

    ``timeout`` is the socket's (None: blocking, or a bare descriptor).
    """
    waiter = backend.waiter
    joined = b"".join(packed)
    started = time.monotonic()
    while True:
        try:
            return backend.connectx(fd, joined, len(packed))
        except InterruptedError:
            if waiter is None:
                raise
            assoc_id = waiter.find(fd, packed)
            if assoc_id is None:
                _run_signal_handlers()
                continue  # interrupted before the association existed: call again
            return _wait(waiter, fd, assoc_id, packed, Deadline.after(None), handlers=True)
        except BlockingIOError as exc:
            # EINPROGRESS only: EALREADY is a BlockingIOError too.
            if exc.errno != errno.EINPROGRESS or waiter is None or not timeout:
                raise  # non-blocking, or no timeout known
            deadline = Deadline(started + timeout, timeout)
            return _wait(waiter, fd, exc.assoc_id, packed, deadline)  # type: ignore[attr-defined]
        except OSError:
            raise
        except BaseException as exc:
            # A signal handler's exception, raised while the call's result was
            # being checked: the association it interrupted may exist.
            found = None if waiter is None else waiter.find(fd, packed)
            if found is not None:
                _assoc.carry(exc, found)
            raise


def _wait(
    waiter: Waiter,
    fd: int,
    assoc_id: int,
    packed: Sequence[bytes],
    deadline: Deadline,
    handlers: bool = False,
) -> int:
    """Wait for association ``assoc_id`` to come up; its id, or the error that ended it."""
    try:
        if handlers:
            _run_signal_handlers()
        one_to_many = waiter.one_to_many(fd)
        while True:
            if waiter.established(fd, assoc_id):
                return assoc_id
            if waiter.find(fd, packed) != assoc_id:
                # Gone.  A one-to-one socket says why in SO_ERROR (the
                # kernel's own ECONNREFUSED or ETIMEDOUT); a one-to-many one
                # keeps no reason.
                failed = 0 if one_to_many else waiter.so_error(fd)
                raise error(failed, FUNCTION) if failed else _assoc.ended(assoc_id, FUNCTION)
            if deadline.passed():
                raise _assoc.timed_out(assoc_id, deadline, FUNCTION)
            time.sleep(POLL_INTERVAL)  # PEP 475: a signal runs its handler, sleep goes on
    except BaseException as exc:
        _assoc.carry(exc, assoc_id)
        raise
