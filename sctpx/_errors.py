"""Errors of sctpx: OSErrors built from the error table generated from the page."""

from __future__ import annotations

import os

from sctpx import _stub

FUNCTION = "sctp_connectx"


def error(err: int, function: str = FUNCTION) -> OSError:
    """The OSError for ``err``: the page's condition when documented, marked if not.

    Every exception carries ``.documented`` (the page lists this errno) and
    ``.condition`` (the page's text for it, or None).
    """
    return _stub.error(function, err)


def oserror(err: int, function: str) -> OSError:
    """:func:`error` for a function a shipped page documents; a plain OSError otherwise.

    The plain one names the C function (or socket option) that failed.
    """
    if function in _stub.PAGES:
        return error(err, function)
    return OSError(err, f"{os.strerror(err)} [{function}]")


def documented_errors(function: str = FUNCTION) -> dict[str, str]:
    """errno name -> condition, as the page documents them."""
    return {name: cond for name, (_, cond) in _stub.ERRORS.get(function, {}).items()}
