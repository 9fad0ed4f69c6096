"""Waiting for an association, as ``socket.connect`` waits for a connection.

Both backends need the same rules once ``connectx`` knows the id of an
association that is not up yet: a socket with a timeout waits for it up to
the timeout and then raises TimeoutError; a blocking socket waits as long
as the stack keeps trying; a signal runs its handler and the wait goes on
(PEP 475).  Every error raised after the id is known carries it as
``assoc_id`` -- a handler's own exception too -- so the caller can keep
waiting, or abort the association, instead of meeting EALREADY on a
second call.
"""

from __future__ import annotations

import errno
import time
from dataclasses import dataclass

from sctpx._errors import oserror

#: How often a wait looks again: short next to an RTO, long enough not to spin.
POLL_INTERVAL = 0.005


@dataclass(frozen=True, slots=True)
class Deadline:
    """When a wait gives up (``at`` on the monotonic clock; None: never)."""

    at: float | None
    timeout: float | None

    @classmethod
    def after(cls, timeout: float | None) -> Deadline:
        return cls(None if timeout is None else time.monotonic() + timeout, timeout)

    def passed(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at


def carry(exc: BaseException, assoc_id: int) -> BaseException:
    """Mark ``exc`` with the association it interrupted (kept if already set)."""
    if getattr(exc, "assoc_id", None) is None:
        try:
            exc.assoc_id = assoc_id  # type: ignore[attr-defined]
            exc.add_note(f"sctpx: association {assoc_id} was being set up")
        except (AttributeError, TypeError):  # an exception type that takes no attributes
            pass
    return exc


def in_progress(assoc_id: int, function: str) -> OSError:
    """EINPROGRESS (BlockingIOError) for a non-blocking socket, with the id."""
    exc = oserror(errno.EINPROGRESS, function)
    carry(exc, assoc_id)
    return exc


def timed_out(assoc_id: int, deadline: Deadline, function: str) -> OSError:
    """TimeoutError: the socket's timeout passed before the association came up."""
    exc = oserror(errno.ETIMEDOUT, function)
    exc.strerror = (
        f"{exc.strerror} (association {assoc_id} not established within "
        f"{deadline.timeout:g} s; it is still being set up)"
    )
    carry(exc, assoc_id)
    return exc


def ended(assoc_id: int, function: str) -> OSError:
    """ECONNABORTED: the association ended before it came up, and the stack keeps no reason.

    On a one-to-many socket neither Linux nor usrsctp sets SO_ERROR when an
    association fails: only an SCTP_ASSOC_CHANGE notification (which sctpx
    does not subscribe to) says whether an ABORT or INIT retries ended it.
    """
    exc = oserror(errno.ECONNABORTED, function)
    exc.strerror = (
        f"{exc.strerror} (association {assoc_id} ended before it was established: "
        "an ABORT, or no answer to any INIT)"
    )
    carry(exc, assoc_id)
    return exc
