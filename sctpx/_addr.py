"""Socket addresses: checked in Python, packed as the C library wants them.

``connectx`` takes a sequence of ``(host, port)`` IPv4 or
``(host, port[, flowinfo, scope_id])`` IPv6 tuples with numeric hosts; an
IPv6 host may name its scope as ``fe80::1%eth0`` or ``fe80::1%2``.
Everything that would reach the C library malformed is refused here with
EINVAL, as the page documents for a bad address list, so no call can crash
the interpreter.  Host names are refused too: resolving them is the
caller's choice (``socket.getaddrinfo``), and a name with several
addresses is exactly what ``connectx`` wants spelled out.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sctpx._errors import error

#: The page's limit: the address list must fit a 2048-byte buffer together
#: with its count (``sizeof(int)``), as FreeBSD's implementation had it.
BUFFER_SIZE = 2048
COUNT_SIZE = 4

SOCKADDR_IN_SIZE = 16
SOCKADDR_IN6_SIZE = 28

Layout = Literal["linux", "bsd"]


@dataclass(frozen=True, slots=True)
class Address:
    """One checked destination address."""

    family: int  # socket.AF_INET or socket.AF_INET6
    host: str  # the canonical numeric form
    port: int
    flowinfo: int = 0
    scope_id: int = 0

    @property
    def size(self) -> int:
        return SOCKADDR_IN_SIZE if self.family == socket.AF_INET else SOCKADDR_IN6_SIZE

    def as_tuple(self) -> tuple[str, int] | tuple[str, int, int, int]:
        if self.family == socket.AF_INET:
            return (self.host, self.port)
        return (self.host, self.port, self.flowinfo, self.scope_id)


def _invalid(why: str) -> OSError:
    exc = error(errno.EINVAL)
    exc.strerror = f"{exc.strerror} ({why})"
    return exc


def _scope(host: str, index: int) -> tuple[str, int]:
    """Split ``host`` into the address and the scope id its ``%scope`` names (0: none).

    Read as the socket module reads it, with ``getaddrinfo(AI_NUMERICHOST)``:
    ``%ifname`` or ``%index`` after an IPv6 address that may carry a scope
    (link-local or multicast); anything else is EINVAL.  AI_NUMERICHOST
    never asks a resolver.
    """
    address, sep, scope = host.partition("%")
    if not sep:
        return host, 0
    if not (scope and scope.isascii() and scope.isprintable()):
        raise _invalid(f"address {index}: {host!r} has an empty or unprintable scope")
    try:
        info = socket.getaddrinfo(
            host, None, socket.AF_INET6, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST
        )
    except (OSError, ValueError):  # gaierror; UnicodeError for an over-long name
        raise _invalid(
            f"address {index}: {host!r}: a scope (%interface or %index) must follow an "
            "IPv6 address that takes one (link-local or multicast), and name an interface "
            "of this machine"
        ) from None
    sockaddr = info[0][4]
    return address, sockaddr[3] if len(sockaddr) == 4 else 0


def parse_address(item: object, index: int = 0) -> Address:
    """Check one address tuple; raise EINVAL (an OSError) when it is malformed."""
    if not isinstance(item, tuple) or len(item) not in (2, 4):
        raise _invalid(
            f"address {index}: expected (host, port) or (host, port, flowinfo, scope_id)"
        )
    host, port = item[0], item[1]
    if not isinstance(host, str):
        raise _invalid(f"address {index}: host must be a str, not {type(host).__name__}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 0xFFFF:
        raise _invalid(f"address {index}: port must be an int from 0 to 65535")
    if "\0" in host:
        raise _invalid(f"address {index}: {host!r} holds a NUL character")
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        raise _invalid(
            f"address {index}: {host!r} is not a numeric IPv4 or IPv6 address "
            "(resolve names with socket.getaddrinfo first)"
        ) from None
    if ip.version == 4:
        if "%" in host:
            raise _invalid(f"address {index}: {host!r}: only IPv6 addresses take a %scope")
        if len(item) != 2:
            raise _invalid(f"address {index}: an IPv4 address takes (host, port)")
        return Address(socket.AF_INET, str(ip), port)
    flowinfo, scope_id = (item[2], item[3]) if len(item) == 4 else (0, 0)
    for name, value, bits in (("flowinfo", flowinfo, 20), ("scope_id", scope_id, 32)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << bits:
            raise _invalid(f"address {index}: {name} must be an int below 2**{bits}")
    assert isinstance(flowinfo, int) and isinstance(scope_id, int)
    _, named = _scope(host, index)
    if named and scope_id and named != scope_id:
        raise _invalid(f"address {index}: {host!r} names scope {named} but scope_id is {scope_id}")
    # An explicit scope_id is honoured; so is %scope where scope_id is 0 (the
    # default of a 2-tuple), which the socket module would overwrite with 0.
    return Address(socket.AF_INET6, str(ip), port, flowinfo, scope_id or named)


def parse_addresses(addresses: object) -> list[Address]:
    """Check a whole address list: a non-empty sequence of address tuples.

    The size limit is checked before any address: a list that cannot fit
    even if every address were IPv4 is E2BIG at once, whatever its length.
    """
    if addresses is None:
        raise _invalid("no addresses (None)")
    if isinstance(addresses, (str, bytes, bytearray)):
        raise _invalid("addresses must be a sequence of address tuples, not a string")
    if isinstance(addresses, tuple) and addresses and not isinstance(addresses[0], tuple):
        raise _invalid("pass a list of address tuples, not a single address")
    if not isinstance(addresses, Sequence):
        raise _invalid(f"addresses must be a sequence, not {type(addresses).__name__}")
    try:
        count = len(addresses)
    except OverflowError:  # a Sequence claiming more items than an index holds
        raise _too_big("more than sys.maxsize addresses") from None
    if count == 0:
        raise _invalid("no addresses were provided")
    least = COUNT_SIZE + count * SOCKADDR_IN_SIZE
    if least > BUFFER_SIZE:
        raise _too_big(f"{count} addresses take at least {least} bytes with the count")
    out = [parse_address(a, i) for i, a in enumerate(addresses)]
    check_size(out)
    return out


def _too_big(why: str) -> OSError:
    exc = error(errno.E2BIG)
    exc.strerror = f"{exc.strerror} ({why}, over the {BUFFER_SIZE}-byte limit)"
    return exc


def check_size(addrs: Sequence[Address]) -> None:
    """E2BIG when the list exceeds the page's buffer: the same on every backend."""
    size = COUNT_SIZE + sum(a.size for a in addrs)
    if size > BUFFER_SIZE:
        raise _too_big(f"{len(addrs)} addresses take {size} bytes with the count")


def pack_one(a: Address, layout: Layout) -> bytes:
    """One ``struct sockaddr_in`` or ``sockaddr_in6`` in the given layout.

    Linux and usrsctp on Linux: a 16-bit family in host order.  BSD: a
    length byte (``sa_len``) and a family byte.  Port, flow info and the
    address are in network order; the scope id is in host order.
    """
    fam = a.family
    if layout == "bsd":
        bsd_fam = 2 if fam == socket.AF_INET else 28  # FreeBSD's AF_INET, AF_INET6
        head = struct.pack("BB", a.size, bsd_fam)
    else:
        head = struct.pack("=H", fam)
    packed_ip = socket.inet_pton(fam, a.host)
    if fam == socket.AF_INET:
        return head + struct.pack("!H", a.port) + packed_ip + bytes(8)
    return (
        head + struct.pack("!HI", a.port, a.flowinfo) + packed_ip + struct.pack("=I", a.scope_id)
    )


def pack(addrs: Sequence[Address], layout: Layout) -> bytes:
    """The packed list ``sctp_connectx`` takes: sockaddrs back to back."""
    return b"".join(pack_one(a, layout) for a in addrs)


def unpack(
    data: bytes, count: int, layout: Layout
) -> list[tuple[str, int] | tuple[str, int, int, int]]:
    """Read ``count`` packed sockaddrs back (for getpaddrs)."""
    out: list[tuple[str, int] | tuple[str, int, int, int]] = []
    off = 0
    for _ in range(count):
        if layout == "bsd":
            size, fam_raw = struct.unpack_from("BB", data, off)
            fam = socket.AF_INET if fam_raw == 2 else socket.AF_INET6
        else:
            (fam,) = struct.unpack_from("=H", data, off)
            size = SOCKADDR_IN_SIZE if fam == socket.AF_INET else SOCKADDR_IN6_SIZE
        if fam == socket.AF_INET:
            (port,) = struct.unpack_from("!H", data, off + 2)
            host = socket.inet_ntop(fam, data[off + 4 : off + 8])
            out.append((host, port))
        elif fam == socket.AF_INET6:
            port, flow = struct.unpack_from("!HI", data, off + 2)
            host = socket.inet_ntop(fam, data[off + 8 : off + 24])
            (scope,) = struct.unpack_from("=I", data, off + 24)
            out.append((host, port, flow, scope))
        else:
            break
        off += size
    return out
