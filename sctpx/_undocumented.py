"""errnos that sctp_connectx gives but its manual page does not document.

sctpx raises them like any other error (marked ``exc.documented is
False``); the tests check each row on every backend that can produce it
here, and fail when a row is observed on no backend any more.
"""

from __future__ import annotations

from typing import Final

#: (backend, errno name) -> when it happens and why the page does not say so.
UNDOCUMENTED_ERRNOS: Final[dict[tuple[str, str], str]] = {
    ("linux", "EOPNOTSUPP"): (
        "a TCP or UDP socket: libsctp sets SCTP_SOCKOPT_CONNECTX on a socket whose "
        "protocol has no such option; the page assumes an SCTP socket"
    ),
    ("linux", "EISCONN"): (
        "connectx on a one-to-one socket that is already connected; the page "
        "describes only the first connection"
    ),
    ("linux", "ECONNREFUSED"): (
        "the peer answers the INIT with an ABORT (nothing listens on that port)"
    ),
    ("linux", "EINPROGRESS"): (
        "a non-blocking socket: the association is being set up and the id is "
        "already known (raised as BlockingIOError with assoc_id)"
    ),
    ("usrsctp", "EADDRINUSE"): ("connectx on a usrsctp socket that is already connected"),
}
