"""A usrsctp socket handle that stays valid for every call in flight.

usrsctp's ``struct socket *`` is freed by ``usrsctp_close``.  A thread still
polling ``usrsctp_recvv`` with the pointer when another thread closes the
socket would then read freed memory (valgrind: an invalid read in
``sctp_sorecvmsg`` of a block freed by ``sofree``), and usually sees a stray
EFAULT.  So every call holds the handle while it uses the pointer
(:meth:`Handle.use`), and closing is two steps: :meth:`Handle.close` marks
the handle closed at once -- a waiting call sees that at its next look and
ends with EBADF -- and ``usrsctp_close`` runs only when no call holds the
pointer any more.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Frees the pointer: ``free(pointer, abort)``.
Free = Callable[[int, bool], None]


class Handle:
    """The pointer, the calls holding it (per thread), and whether it is closed."""

    def __init__(self, pointer: int, free: Free) -> None:
        self._pointer = pointer
        self._free = free
        self._cond = threading.Condition(threading.Lock())
        self._users: dict[int, int] = {}  # thread id -> calls of that thread
        self._closed = False
        self._freed = False
        self._abort = False

    @property
    def closed(self) -> bool:
        """True from the moment close() begins: calls in flight must end."""
        return self._closed

    @property
    def freed(self) -> bool:
        return self._freed

    @property
    def pointer(self) -> int | None:
        return None if self._closed else self._pointer

    @contextmanager
    def use(self, closed_error: Callable[[], OSError]) -> Iterator[int]:
        """Hold the pointer for the duration; ``closed_error()`` is raised if closed."""
        me = threading.get_ident()
        with self._cond:
            if self._closed:
                raise closed_error()
            self._users[me] = self._users.get(me, 0) + 1
        try:
            yield self._pointer
        finally:
            self._release(me)

    def _release(self, me: int) -> None:
        with self._cond:
            left = self._users[me] - 1
            if left:
                self._users[me] = left
            else:
                del self._users[me]
            free = self._closed and not self._users and not self._freed
            if free:
                self._freed = True
            self._cond.notify_all()
        if free:
            # The last call out of a closed handle frees it (see close()).
            self._free(self._pointer, self._abort)

    def close(self, abort: bool = False) -> bool:
        """Mark closed, wait for other threads' calls to end, then free the pointer.

        Returns True if this call closed the handle (False: it was closed
        already).  Calls of other threads end within one poll interval of
        seeing the mark.  A call of this very thread -- close() from a
        signal handler that interrupted a call on the same socket -- cannot
        end while close() waits, so then the pointer is freed by that call
        on its way out instead of here.
        """
        me = threading.get_ident()
        with self._cond:
            if self._closed:
                return False
            self._closed = True
            self._abort = abort
            while self._users and me not in self._users:
                self._cond.wait()
            free = not self._users and not self._freed
            if free:
                self._freed = True
        if free:
            self._free(self._pointer, abort)
        return True
