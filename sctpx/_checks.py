"""Integers and timeouts checked before they reach ctypes.

ctypes converts a Python int to a C integer modulo its width, without a
word: an association id of ``2**32 + 3`` becomes association 3, a sysctl
value of -1 becomes 4294967295.  Every integer sctpx passes to C goes
through here first.  The rule: an association id that no association can
have is EINVAL (an OSError, what the stack answers for an id it does not
know); any other number out of its C type's range is a ValueError, and a
value of the wrong type a TypeError.
"""

from __future__ import annotations

import errno
import math
import os

#: sctp_assoc_t is a 32-bit integer (unsigned on FreeBSD and usrsctp, signed
#: on Linux, whose ids are positive ints).
ASSOC_ID_MAX = 2**32 - 1
U16_MAX = 2**16 - 1
U32_MAX = 2**32 - 1
INT_MAX = 2**31 - 1
#: Ints longer than this are named by their size in messages: printing one
#: of more than 4300 digits would itself raise ValueError (int_max_str_digits).
SHOWN_DIGITS = 40


def shown(value: int) -> str:
    """``value`` for an error message: its digits, or its size when it is huge."""
    if value.bit_length() > SHOWN_DIGITS * 3:  # about SHOWN_DIGITS digits or more
        return f"an int of {value.bit_length()} bits"
    return str(value)


def integer(name: str, value: object, low: int, high: int) -> int:
    """``value`` if it is an int from ``low`` to ``high``; TypeError or ValueError if not."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low} to {high}, not {shown(value)}")
    return value


def assoc_id(value: object, function: str) -> int:
    """An association id: an int that fits sctp_assoc_t, else EINVAL."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"assoc_id must be an int, not {type(value).__name__}")
    if not 0 <= value <= ASSOC_ID_MAX:
        raise OSError(
            errno.EINVAL,
            f"{os.strerror(errno.EINVAL)} [{function}: no association has id {shown(value)}; "
            f"ids are from 0 to {ASSOC_ID_MAX}]",
        )
    return value


def timeout(value: object) -> float | None:
    """A timeout as ``socket.settimeout`` takes it: None, or seconds >= 0."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"timeout must be None or a number, not {type(value).__name__}")
    try:
        seconds = float(value)
    except OverflowError:  # an int past the largest float (not printed: it may be huge)
        raise ValueError("timeout must be None or a number >= 0 that fits a float") from None
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"timeout must be None or a number >= 0, not {value}")
    return seconds
