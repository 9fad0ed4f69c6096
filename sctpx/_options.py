"""SCTP socket options as typed values, packed per ABI.

``OPTIONS`` maps each option's C name to how its value is packed and
read: ``option.number(abi)`` is what ``setsockopt``/``getsockopt`` (or
``usrsctp_setsockopt``, ``sctp_opt_info``) take as the option name, and
``option.pack(value, abi)`` / ``option.unpack(data, abi)`` turn the value
into the option's bytes and back.  The level is ``IPPROTO_SCTP`` (132) on
every ABI.

A field one ABI lacks (Linux's ``spp_sackdelay`` on FreeBSD) must stay 0
there: a non-zero value is a ValueError rather than a setting silently
dropped.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

from sctpx._addr import Address
from sctpx._layout import S32, Abi, AbiLike, abi, check_int, pack, unpack
from sctpx._notifications import (
    EventSetting,
    pack_event,
    pack_event_subscribe,
    unpack_event,
    unpack_event_subscribe,
)
from sctpx._values import (
    CEnum,
    SendInfo,
    as_address,
    as_int,
    decode_enum,
    decode_flags,
    encode_flags,
    pack_sndinfo,
    pack_sndrcvinfo,
    unpack_sndinfo,
    unpack_sndrcvinfo_as_send,
)


class AssocStatus(CEnum):
    """``sstat_state``: where the association is (Linux and the BSDs number it apart)."""

    EMPTY = "SCTP_EMPTY"  # Linux
    CLOSED = "SCTP_CLOSED"
    BOUND = "SCTP_BOUND"  # BSDs
    LISTEN = "SCTP_LISTEN"  # BSDs
    COOKIE_WAIT = "SCTP_COOKIE_WAIT"
    COOKIE_ECHOED = "SCTP_COOKIE_ECHOED"
    ESTABLISHED = "SCTP_ESTABLISHED"
    SHUTDOWN_PENDING = "SCTP_SHUTDOWN_PENDING"
    SHUTDOWN_SENT = "SCTP_SHUTDOWN_SENT"
    SHUTDOWN_RECEIVED = "SCTP_SHUTDOWN_RECEIVED"
    SHUTDOWN_ACK_SENT = "SCTP_SHUTDOWN_ACK_SENT"


class PathState(CEnum):
    """``spinfo_state``: how a peer address is doing."""

    ACTIVE = "SCTP_ACTIVE"
    INACTIVE = "SCTP_INACTIVE"
    POTENTIALLY_FAILED = "SCTP_PF"  # Linux
    UNCONFIRMED = "SCTP_UNCONFIRMED"
    UNKNOWN = "SCTP_UNKNOWN"  # Linux


class PathFlag(enum.Flag):
    """``spp_flags`` of SCTP_PEER_ADDR_PARAMS."""

    HB_ENABLE = enum.auto()
    HB_DISABLE = enum.auto()
    HB_DEMAND = enum.auto()
    PMTUD_ENABLE = enum.auto()
    PMTUD_DISABLE = enum.auto()
    SACKDELAY_ENABLE = enum.auto()  # Linux
    SACKDELAY_DISABLE = enum.auto()  # Linux
    HB_TIME_IS_ZERO = enum.auto()
    IPV6_FLOWLABEL = enum.auto()
    DSCP = enum.auto()


NO_PATH_FLAGS = PathFlag(0)
PATH_FLAGS: dict[PathFlag, str] = {flag: f"SPP_{flag.name}" for flag in PathFlag}


@dataclass(frozen=True, slots=True)
class InitMsg:
    """SCTP_INITMSG: the stream counts and INIT retries of new associations."""

    num_ostreams: int = 0
    max_instreams: int = 0
    max_attempts: int = 0
    max_init_timeo: int = 0


@dataclass(frozen=True, slots=True)
class RtoInfo:
    """SCTP_RTOINFO: retransmission timeouts, in milliseconds."""

    assoc_id: int = 0
    initial: int = 0
    max: int = 0
    min: int = 0


@dataclass(frozen=True, slots=True)
class AssocParams:
    """SCTP_ASSOCINFO."""

    assoc_id: int = 0
    asocmaxrxt: int = 0
    number_peer_destinations: int = 0
    peer_rwnd: int = 0
    local_rwnd: int = 0
    cookie_life: int = 0


@dataclass(frozen=True, slots=True)
class PeerAddrParams:
    """SCTP_PEER_ADDR_PARAMS: heartbeat, path MTU and retransmissions of a path.

    ``address`` is an address tuple (or a checked Address), or None for
    the association's (or the socket's) defaults.
    """

    assoc_id: int = 0
    address: Address | tuple[object, ...] | None = None
    hbinterval: int = 0
    pathmaxrxt: int = 0
    pathmtu: int = 0
    sackdelay: int = 0  # Linux only
    flags: PathFlag = NO_PATH_FLAGS
    ipv6_flowlabel: int = 0
    dscp: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", as_address("PeerAddrParams.address", self.address))


@dataclass(frozen=True, slots=True)
class PeerAddrInfo:
    """SCTP_GET_PEER_ADDR_INFO (set ``address`` to ask), and SCTP_STATUS's primary path."""

    assoc_id: int = 0
    address: Address | tuple[object, ...] | None = None
    state: PathState | int = 0
    cwnd: int = 0
    srtt: int = 0
    rto: int = 0
    mtu: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", as_address("PeerAddrInfo.address", self.address))


NO_PATH = PeerAddrInfo()


@dataclass(frozen=True, slots=True)
class Status:
    """SCTP_STATUS (read only; set ``assoc_id`` to ask)."""

    assoc_id: int = 0
    state: AssocStatus | int = 0
    rwnd: int = 0
    unackdata: int = 0
    penddata: int = 0
    instrms: int = 0
    outstrms: int = 0
    fragmentation_point: int = 0
    primary: PeerAddrInfo = NO_PATH


# --- Generic struct values --------------------------------------------------------------------


def _pack_struct(
    c_struct: str,
    value: object,
    a: Abi,
    convert: Mapping[str, Callable[[object, Abi], object]] | None = None,
) -> bytes:
    """The dataclass ``value`` into ``c_struct``: each field by its own name."""
    st = a.struct(c_struct)
    owner = type(value).__name__
    present = {f.name for f in st.fields}
    values: dict[str, object] = {}
    for f in fields(value):  # type: ignore[arg-type]
        v = getattr(value, f.name)
        if convert and f.name in convert:
            v = convert[f.name](v, a)
        if f.name not in present:
            if v:
                raise ValueError(f"{owner}.{f.name}: the {a.name} ABI has no such field")
            continue
        values[f.name] = v
    return pack(st, a, values, owner=owner)


def _unpack_fields(c_struct: str, data: bytes, a: Abi) -> dict[str, object]:
    return unpack(a.struct(c_struct), a, data)


def _paddrinfo(f: Mapping[str, object], a: Abi) -> PeerAddrInfo:
    address = f["address"]
    assert address is None or isinstance(address, Address)
    return PeerAddrInfo(
        assoc_id=as_int(f["assoc_id"]),
        address=address,
        state=decode_enum(PathState, as_int(f["state"]), a),
        cwnd=as_int(f["cwnd"]),
        srtt=as_int(f["srtt"]),
        rto=as_int(f["rto"]),
        mtu=as_int(f["mtu"]),
    )


def _path_flags(v: object, a: Abi) -> object:
    assert isinstance(v, PathFlag)
    return encode_flags("PeerAddrParams.flags", v, PATH_FLAGS, a)


@dataclass(frozen=True, slots=True)
class Option:
    """One socket option: its C name, and how its value is packed and read."""

    c_name: str
    pack: Callable[[object, Abi], bytes]
    unpack: Callable[[bytes, Abi], object]

    def number(self, abi_name: AbiLike) -> int:
        return abi(abi_name).constant(self.c_name)


def _int_option(name: str, as_bool: bool) -> Option:
    """An option whose value is a C int (SCTP_NODELAY, SCTP_AUTOCLOSE)."""

    def pack_int(value: object, a: Abi) -> bytes:
        if as_bool and isinstance(value, bool):
            value = int(value)
        return struct.pack("=i", check_int(name, value, S32))

    def unpack_int(data: bytes, a: Abi) -> object:
        if len(data) < 4:
            raise ValueError(f"{name} takes 4 bytes, got {len(data)}")
        (v,) = struct.unpack_from("=i", data)
        return bool(v) if as_bool else v

    return Option(name, pack_int, unpack_int)


def _struct_option(
    name: str,
    c_struct: str,
    cls: type,
    convert: Mapping[str, Callable[[object, Abi], object]] | None = None,
    read: Callable[[Mapping[str, object], Abi], object] | None = None,
) -> Option:
    def pack_value(value: object, a: Abi) -> bytes:
        if not isinstance(value, cls):
            raise TypeError(f"{name} takes a {cls.__name__}, not {type(value).__name__}")
        return _pack_struct(c_struct, value, a, convert)

    def unpack_value(data: bytes, a: Abi) -> object:
        f = _unpack_fields(c_struct, data, a)
        if read is not None:
            return read(f, a)
        names = {x.name for x in fields(cls)}
        return cls(**{k: v for k, v in f.items() if k in names})

    return Option(name, pack_value, unpack_value)


def _read_paddrparams(f: Mapping[str, object], a: Abi) -> PeerAddrParams:
    address = f["address"]
    assert address is None or isinstance(address, Address)
    return PeerAddrParams(
        assoc_id=as_int(f["assoc_id"]),
        address=address,
        hbinterval=as_int(f["hbinterval"]),
        pathmaxrxt=as_int(f["pathmaxrxt"]),
        pathmtu=as_int(f["pathmtu"]),
        sackdelay=as_int(f.get("sackdelay", 0)),
        flags=decode_flags(PathFlag, PATH_FLAGS, as_int(f["flags"]), a),
        ipv6_flowlabel=as_int(f["ipv6_flowlabel"]),
        dscp=as_int(f["dscp"]),
    )


def _read_status(f: Mapping[str, object], a: Abi) -> Status:
    primary = f["primary"]
    assert isinstance(primary, dict)
    return Status(
        assoc_id=as_int(f["assoc_id"]),
        state=decode_enum(AssocStatus, as_int(f["state"]), a),
        rwnd=as_int(f["rwnd"]),
        unackdata=as_int(f["unackdata"]),
        penddata=as_int(f["penddata"]),
        instrms=as_int(f["instrms"]),
        outstrms=as_int(f["outstrms"]),
        fragmentation_point=as_int(f["fragmentation_point"]),
        primary=_paddrinfo(primary, a),
    )


def _pack_status(value: object, a: Abi) -> bytes:
    """A query: SCTP_STATUS reads the assoc id (and nothing else) from the caller."""
    if not isinstance(value, Status):
        raise TypeError(f"SCTP_STATUS takes a Status, not {type(value).__name__}")
    return pack(a.struct("sctp_status"), a, {"assoc_id": value.assoc_id}, owner="Status")


def _unpack_status(data: bytes, a: Abi) -> Status:
    return _read_status(_unpack_fields("sctp_status", data, a), a)


def _unpack_paddrinfo(data: bytes, a: Abi) -> PeerAddrInfo:
    return _paddrinfo(_unpack_fields("sctp_paddrinfo", data, a), a)


def _pack_paddrinfo(value: object, a: Abi) -> bytes:
    if not isinstance(value, PeerAddrInfo):
        raise TypeError(f"SCTP_GET_PEER_ADDR_INFO takes a PeerAddrInfo, not {value!r}")
    values = {"assoc_id": value.assoc_id, "address": value.address}
    return pack(a.struct("sctp_paddrinfo"), a, values, owner="PeerAddrInfo")


def _typed(cls: type, pack_fn: Callable[[object, Abi], bytes]) -> Callable[[object, Abi], bytes]:
    def checked(value: object, a: Abi) -> bytes:
        if not isinstance(value, cls):
            raise TypeError(f"expected a {cls.__name__}, not {type(value).__name__}")
        return pack_fn(value, a)

    return checked


def _send_value(fn: Callable[[SendInfo, Abi], bytes]) -> Callable[[object, Abi], bytes]:
    def packed(value: object, a: Abi) -> bytes:
        assert isinstance(value, SendInfo)
        return fn(value, a)

    return _typed(SendInfo, packed)


def _default_sndinfo(info: SendInfo, a: Abi) -> bytes:
    if info.ttl or info.auth_key is not None:
        raise ValueError(
            "SCTP_DEFAULT_SNDINFO has no ttl or key: use SCTP_DEFAULT_PRINFO, or "
            "SCTP_DEFAULT_SEND_PARAM"
        )
    return pack_sndinfo(info, a)


def _event_value(value: object, a: Abi) -> bytes:
    assert isinstance(value, EventSetting)
    return pack_event(value, a)


def _events_value(value: object, a: Abi) -> bytes:
    if not isinstance(value, (set, frozenset)):
        raise TypeError(f"SCTP_EVENTS takes a set of Event members, not {value!r}")
    return pack_event_subscribe(value, a)


OPTIONS: dict[str, Option] = {
    o.c_name: o
    for o in (
        _struct_option("SCTP_INITMSG", "sctp_initmsg", InitMsg),
        _struct_option("SCTP_RTOINFO", "sctp_rtoinfo", RtoInfo),
        _struct_option("SCTP_ASSOCINFO", "sctp_assocparams", AssocParams),
        _struct_option(
            "SCTP_PEER_ADDR_PARAMS",
            "sctp_paddrparams",
            PeerAddrParams,
            convert={"flags": _path_flags},
            read=_read_paddrparams,
        ),
        _int_option("SCTP_NODELAY", as_bool=True),
        _int_option("SCTP_AUTOCLOSE", as_bool=False),
        Option("SCTP_DEFAULT_SEND_PARAM", _send_value(pack_sndrcvinfo), unpack_sndrcvinfo_as_send),
        Option("SCTP_DEFAULT_SNDINFO", _send_value(_default_sndinfo), unpack_sndinfo),
        Option("SCTP_STATUS", _pack_status, _unpack_status),
        Option("SCTP_GET_PEER_ADDR_INFO", _pack_paddrinfo, _unpack_paddrinfo),
        Option("SCTP_EVENT", _typed(EventSetting, _event_value), unpack_event),
        Option("SCTP_EVENTS", _events_value, unpack_event_subscribe),
    )
}  # fmt: skip


def option(name: str) -> Option:
    try:
        return OPTIONS[name]
    except KeyError:
        known = ", ".join(sorted(OPTIONS))
        raise ValueError(f"sctpx has no typed value for {name!r} (it has {known})") from None


def option_size(name: str, abi_name: AbiLike) -> int:
    """The buffer ``getsockopt`` needs for ``name`` on ``abi``."""
    a = abi(abi_name)
    c_struct = _STRUCTS.get(name)
    return 4 if c_struct is None else a.struct(c_struct).size


_STRUCTS = {
    "SCTP_INITMSG": "sctp_initmsg",
    "SCTP_RTOINFO": "sctp_rtoinfo",
    "SCTP_ASSOCINFO": "sctp_assocparams",
    "SCTP_PEER_ADDR_PARAMS": "sctp_paddrparams",
    "SCTP_DEFAULT_SEND_PARAM": "sctp_sndrcvinfo",
    "SCTP_DEFAULT_SNDINFO": "sctp_sndinfo",
    "SCTP_STATUS": "sctp_status",
    "SCTP_GET_PEER_ADDR_INFO": "sctp_paddrinfo",
    "SCTP_EVENT": "sctp_event",
    "SCTP_EVENTS": "sctp_event_subscribe",
}
