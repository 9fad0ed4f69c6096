"""errnos that the stacks give but the functions' manual pages do not document.

sctpx raises them like any other error (marked ``exc.documented is
False``); the tests that observe one check that it is listed here for
that backend (and function), with the reason.
"""

from __future__ import annotations

import errno
from typing import Final

#: (backend, errno name) -> when it happens and why the page does not say so.
UNDOCUMENTED_ERRNOS: Final[dict[tuple[str, str], str]] = {
    ("linux", "EOPNOTSUPP"): (
        "a TCP or UDP socket: libsctp sets an SCTP socket option on a socket of "
        "another protocol; the page assumes an SCTP socket"
    ),
    ("linux", "EISCONN"): (
        "connectx on a one-to-one socket that is already connected or listening, or on a "
        "one-to-many socket to a peer it already has an established association with"
    ),
    ("linux", "EINPROGRESS"): (
        "a non-blocking socket: the association is being set up and the id is already "
        "known (raised as BlockingIOError with assoc_id)"
    ),
    ("linux", "EALREADY"): (
        "connectx to a peer whose association is still being set up: after EINPROGRESS "
        "or a socket timeout, or a direct call of the C function after EINTR"
    ),
    ("linux", "EINTR"): (
        "a signal during a blocking connectx: the C function fails without the id while "
        "the association goes on; sctpx runs the handler and waits for the association "
        "(PEP 475), so only a direct call of the C function sees it"
    ),
    ("linux", "ECONNREFUSED"): (
        "the first address answers the INIT with an ABORT (nothing listens on that "
        "port); the call fails at once, later addresses are not tried"
    ),
    ("linux", "ETIMEDOUT"): (
        "no listed address ever answers (a black hole on its own), or the socket's "
        "timeout passed first (TimeoutError with assoc_id; the association goes on)"
    ),
    ("linux", "ECONNABORTED"): (
        "a one-to-many association ended before it was established while sctpx waited "
        "for it (a socket timeout, or after a signal): the kernel keeps no SO_ERROR on a "
        "one-to-many socket, so sctpx cannot tell an ABORT from unanswered INITs"
    ),
    ("linux", "ENETUNREACH"): (
        "no local address is in scope for the first address (a socket bound to "
        "127.0.0.1 connecting to another host): the kernel has no source address"
    ),
    ("linux", "EADDRNOTAVAIL"): (
        "the same address listed twice, or a second socket on the same local address "
        "and port (SO_REUSEADDR) connecting to the same peer"
    ),
    ("linux", "EAGAIN"): (
        "no local port left for the association (the ephemeral range is used up); "
        "lksctp-tools' page lists it"
    ),
    ("usrsctp", "EADDRINUSE"): "connectx on a usrsctp one-to-one socket already connected",
    ("usrsctp", "EALREADY"): (
        "a second connectx to the same peer on a one-to-many (SOCK_SEQPACKET) socket"
    ),
    ("usrsctp", "ENOMEM"): (
        "usrsctp's own answer to a list over its 2048-byte buffer; sctpx raises the "
        "page's E2BIG first, so only a direct call to the C function sees it"
    ),
    ("usrsctp", "ECONNREFUSED"): (
        "an ABORT during setup (nothing listens at the address): usrsctp_connectx returns "
        "at once, and sctpx waits for the association as the kernel does, so a blocking "
        "connectx raises the socket's SO_ERROR (a non-blocking one: Socket.wait_established)"
    ),
    ("usrsctp", "EINPROGRESS"): (
        "a non-blocking socket (timeout 0): the association is being set up; raised as "
        "BlockingIOError with assoc_id, as the kernel does (usrsctp_connectx itself "
        "never blocks and never raises it)"
    ),
    ("usrsctp", "ETIMEDOUT"): (
        "the socket's timeout passed before the association came up (TimeoutError with "
        "assoc_id; the association is still being set up), or no INIT was ever answered"
    ),
    ("usrsctp", "ECONNABORTED"): (
        "a one-to-many association ended before it was established while connectx waited: "
        "usrsctp sets no SO_ERROR on a one-to-many socket, so sctpx cannot tell an ABORT "
        "from unanswered INITs"
    ),
}


#: (function, backend, errno name) -> when, for the other functions of the family.
UNDOCUMENTED_BY_FUNCTION: Final[dict[tuple[str, str, str], str]] = {
    ("sctp_sendmsg", "linux", "EINVAL"): (
        "a stream number past the association's outbound streams (SCTP_INITMSG and the "
        "peer's answer decide how many)"
    ),
    ("sctp_sendmsg", "usrsctp", "EINVAL"): (
        "a stream number past the association's outbound streams"
    ),
    ("sctp_bindx", "linux", "EADDRNOTAVAIL"): "an address that is not one of the machine's",
    ("sctp_bindx", "linux", "EACCES"): (
        "a port below 1024 without the privilege to bind it (CAP_NET_BIND_SERVICE), as "
        "bind(2) says; lksctp-tools' page lists it"
    ),
    ("sctp_peeloff", "linux", "EINVAL"): (
        "an association id the one-to-many socket does not have (or no longer has: it "
        "was branched off already), or a one-to-one socket"
    ),
    ("sctp_peeloff", "usrsctp", "ENOENT"): (
        "an association id the one-to-many socket does not have (or no longer has: "
        "it was branched off already)"
    ),
    ("sctp_peeloff", "usrsctp", "EOPNOTSUPP"): (
        "a one-to-one socket, which has nothing to branch off"
    ),
    ("sctp_opt_info", "usrsctp", "ENOENT"): (
        "an association id the one-to-many socket does not have (the page's EINVAL)"
    ),
}


def undocumented_reason(backend: str, err: int, function: str = "sctp_connectx") -> str | None:
    """Why ``backend`` gives ``err`` from ``function`` although its page does not
    list it (None: unknown).

    Matched by number, so aliases (EOPNOTSUPP and ENOTSUP) are one entry.
    """
    if function == "sctp_connectx":
        rows = {(b, name): why for (b, name), why in UNDOCUMENTED_ERRNOS.items()}
    else:
        rows = {
            (b, name): why
            for (f, b, name), why in UNDOCUMENTED_BY_FUNCTION.items()
            if f == function
        }
    for (b, name), why in rows.items():
        if b == backend and getattr(errno, name, None) == err:
            return why
    return None
