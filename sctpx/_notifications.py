"""SCTP notifications as typed values, and the subscriptions that ask for them.

``parse_notification(data, abi)`` reads the buffer of a message received
with MSG_NOTIFICATION.  Every notification starts with type, flags and
length; the type picks a reader from a table, the reader the struct of the
ABI.  A type sctpx does not know becomes an ``UnknownNotification`` that
keeps the bytes.  A buffer shorter than its header, a length that claims
more bytes than arrived, or a length shorter than its type's struct is a
ValueError saying so: nothing is read past what arrived.

Subscribing: ``Event`` names the kinds; ``pack_event`` builds RFC 6458's
``struct sctp_event`` (SCTP_EVENT, one kind per call) and
``pack_event_subscribe`` the older ``struct sctp_event_subscribe``
(SCTP_EVENTS, every kind at once).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sctpx._addr import Address
from sctpx._layout import SUBSCRIBE_FIELDS, Abi, AbiLike, abi, pack, unpack
from sctpx._values import (
    CEnum,
    SendInfo,
    as_int,
    decode_enum,
    sendinfo_from_sndinfo,
    sendinfo_from_sndrcvinfo,
)

HEADER_SIZE = 8


class Event(CEnum):
    """Kinds of notification, by their C type names."""

    DATA_IO = "SCTP_DATA_IO_EVENT"
    ASSOC_CHANGE = "SCTP_ASSOC_CHANGE"
    PEER_ADDR_CHANGE = "SCTP_PEER_ADDR_CHANGE"
    SEND_FAILED = "SCTP_SEND_FAILED"
    REMOTE_ERROR = "SCTP_REMOTE_ERROR"
    SHUTDOWN = "SCTP_SHUTDOWN_EVENT"
    PARTIAL_DELIVERY = "SCTP_PARTIAL_DELIVERY_EVENT"
    ADAPTATION_INDICATION = "SCTP_ADAPTATION_INDICATION"
    AUTHENTICATION = "SCTP_AUTHENTICATION_EVENT"
    SENDER_DRY = "SCTP_SENDER_DRY_EVENT"
    STREAM_RESET = "SCTP_STREAM_RESET_EVENT"
    ASSOC_RESET = "SCTP_ASSOC_RESET_EVENT"
    STREAM_CHANGE = "SCTP_STREAM_CHANGE_EVENT"
    SEND_FAILED_EVENT = "SCTP_SEND_FAILED_EVENT"


#: Event -> its byte in ``struct sctp_event_subscribe``.
SUBSCRIBE_BYTES: dict[Event, str] = dict(
    zip(
        (
            Event.DATA_IO,
            Event.ASSOC_CHANGE,
            Event.PEER_ADDR_CHANGE,
            Event.SEND_FAILED,
            Event.REMOTE_ERROR,
            Event.SHUTDOWN,
            Event.PARTIAL_DELIVERY,
            Event.ADAPTATION_INDICATION,
            Event.AUTHENTICATION,
            Event.SENDER_DRY,
            Event.STREAM_RESET,
            Event.ASSOC_RESET,
            Event.STREAM_CHANGE,
            Event.SEND_FAILED_EVENT,
        ),
        SUBSCRIBE_FIELDS,
        strict=True,
    )
)


class AssocState(CEnum):
    COMM_UP = "SCTP_COMM_UP"
    COMM_LOST = "SCTP_COMM_LOST"
    RESTART = "SCTP_RESTART"
    SHUTDOWN_COMP = "SCTP_SHUTDOWN_COMP"
    CANT_STR_ASSOC = "SCTP_CANT_STR_ASSOC"


class Feature(CEnum):
    """What an association supports, listed in a COMM_UP or RESTART ``sac_info``."""

    PR = "SCTP_ASSOC_SUPPORTS_PR"
    AUTH = "SCTP_ASSOC_SUPPORTS_AUTH"
    ASCONF = "SCTP_ASSOC_SUPPORTS_ASCONF"
    MULTIBUF = "SCTP_ASSOC_SUPPORTS_MULTIBUF"
    RE_CONFIG = "SCTP_ASSOC_SUPPORTS_RE_CONFIG"
    INTERLEAVING = "SCTP_ASSOC_SUPPORTS_INTERLEAVING"


class AddrState(CEnum):
    AVAILABLE = "SCTP_ADDR_AVAILABLE"
    UNREACHABLE = "SCTP_ADDR_UNREACHABLE"
    REMOVED = "SCTP_ADDR_REMOVED"
    ADDED = "SCTP_ADDR_ADDED"
    MADE_PRIM = "SCTP_ADDR_MADE_PRIM"
    CONFIRMED = "SCTP_ADDR_CONFIRMED"
    POTENTIALLY_FAILED = "SCTP_ADDR_POTENTIALLY_FAILED"


class PartialDeliveryIndication(CEnum):
    ABORTED = "SCTP_PARTIAL_DELIVERY_ABORTED"


class AuthIndication(CEnum):
    NEW_KEY = "SCTP_AUTH_NEW_KEY"
    FREE_KEY = "SCTP_AUTH_FREE_KEY"
    NO_AUTH = "SCTP_AUTH_NO_AUTH"


# --- The notifications ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssocChange:
    assoc_id: int
    state: AssocState | int
    error: int
    outbound_streams: int
    inbound_streams: int
    #: COMM_UP and RESTART: what the association supports (where the stack says).
    features: tuple[Feature | int, ...] = ()
    #: COMM_LOST and CANT_STR_ASSOC: the ABORT chunk that ended it, if any.
    abort: bytes = b""


@dataclass(frozen=True, slots=True)
class PeerAddrChange:
    assoc_id: int
    address: Address | None  # None: a family sctpx does not model
    state: AddrState | int
    error: int


@dataclass(frozen=True, slots=True)
class SendFailed:
    """A message that could not be (fully) delivered, with its send parameters.

    ``legacy`` tells the old ``struct sctp_send_failed`` (SCTP_SEND_FAILED,
    whose ``info`` has the TTL) from RFC 6458's ``sctp_send_failed_event``.
    """

    assoc_id: int
    error: int
    sent: bool  # SCTP_DATA_SENT: it had been put on the wire
    info: SendInfo
    data: bytes
    legacy: bool = False


@dataclass(frozen=True, slots=True)
class RemoteError:
    """The peer sent an ERROR chunk.

    ``error`` is its (first) cause code as a number: Linux hands it over in
    network byte order (``__be16 sre_error``) and sctpx swaps it; the BSD
    stacks store the host-order code.  ``data`` is what follows the struct,
    as the stack gives it: Linux the chunk's causes, FreeBSD and usrsctp
    (``sctp_notify_remote_error``) the whole ERROR chunk.
    """

    assoc_id: int
    error: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Shutdown:
    assoc_id: int


@dataclass(frozen=True, slots=True)
class AdaptationIndication:
    assoc_id: int
    indication: int


@dataclass(frozen=True, slots=True)
class PartialDelivery:
    assoc_id: int
    indication: PartialDeliveryIndication | int
    stream: int
    seq: int


@dataclass(frozen=True, slots=True)
class Authentication:
    assoc_id: int
    keynumber: int
    altkeynumber: int
    indication: AuthIndication | int


@dataclass(frozen=True, slots=True)
class SenderDry:
    assoc_id: int


@dataclass(frozen=True, slots=True)
class StreamReset:
    assoc_id: int
    flags: int  # SCTP_STREAM_RESET_INCOMING_SSN and the others, as the ABI numbers them
    streams: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AssocReset:
    assoc_id: int
    flags: int
    local_tsn: int
    remote_tsn: int


@dataclass(frozen=True, slots=True)
class StreamChange:
    assoc_id: int
    flags: int
    inbound_streams: int
    outbound_streams: int


@dataclass(frozen=True, slots=True)
class UnknownNotification:
    """A notification type sctpx has no reader for: its header and its bytes."""

    type: int
    flags: int
    data: bytes


Notification = (
    AssocChange
    | PeerAddrChange
    | SendFailed
    | RemoteError
    | Shutdown
    | AdaptationIndication
    | PartialDelivery
    | Authentication
    | SenderDry
    | StreamReset
    | AssocReset
    | StreamChange
    | UnknownNotification
)

# --- Readers ----------------------------------------------------------------------------------

Fields = dict[str, object]


def _assoc_change(f: Fields, tail: bytes, a: Abi) -> Notification:
    state = decode_enum(AssocState, as_int(f["state"]), a)
    features: tuple[Feature | int, ...] = ()
    abort = b""
    if state in (AssocState.COMM_UP, AssocState.RESTART):
        features = tuple(decode_enum(Feature, b, a) for b in tail)
    elif state in (AssocState.COMM_LOST, AssocState.CANT_STR_ASSOC):
        abort = tail
    return AssocChange(
        as_int(f["assoc_id"]),
        state,
        as_int(f["error"]),
        as_int(f["outbound_streams"]),
        as_int(f["inbound_streams"]),
        features,
        abort,
    )


def _paddr_change(f: Fields, tail: bytes, a: Abi) -> Notification:
    address = f["aaddr"]
    assert address is None or isinstance(address, Address)
    return PeerAddrChange(
        as_int(f["assoc_id"]),
        address,
        decode_enum(AddrState, as_int(f["state"]), a),
        as_int(f["error"]),
    )


def _send_failed(f: Fields, tail: bytes, a: Abi) -> Notification:
    """Both send-failed structs: the old one's info is a sndrcvinfo, RFC 6458's a sndinfo."""
    info = f["info"]
    assert isinstance(info, dict)
    legacy = "timetolive" in info
    read = sendinfo_from_sndrcvinfo if legacy else sendinfo_from_sndinfo
    return SendFailed(
        as_int(f["assoc_id"]),
        as_int(f["error"]),
        as_int(f["flags"]) == a.constant("SCTP_DATA_SENT"),
        read(info, a),
        tail,
        legacy=legacy,
    )


def _remote_error(f: Fields, tail: bytes, a: Abi) -> Notification:
    return RemoteError(as_int(f["assoc_id"]), as_int(f["error"]), tail)


def _shutdown(f: Fields, tail: bytes, a: Abi) -> Notification:
    return Shutdown(as_int(f["assoc_id"]))


def _adaptation(f: Fields, tail: bytes, a: Abi) -> Notification:
    return AdaptationIndication(as_int(f["assoc_id"]), as_int(f["adaptation_ind"]))


def _pdapi(f: Fields, tail: bytes, a: Abi) -> Notification:
    indication = decode_enum(PartialDeliveryIndication, as_int(f["indication"]), a)
    return PartialDelivery(
        as_int(f["assoc_id"]), indication, as_int(f["stream"]), as_int(f["seq"])
    )


def _authkey(f: Fields, tail: bytes, a: Abi) -> Notification:
    indication = decode_enum(AuthIndication, as_int(f["indication"]), a)
    return Authentication(
        as_int(f["assoc_id"]), as_int(f["keynumber"]), as_int(f["altkeynumber"]), indication
    )


def _sender_dry(f: Fields, tail: bytes, a: Abi) -> Notification:
    return SenderDry(as_int(f["assoc_id"]))


def _stream_reset(f: Fields, tail: bytes, a: Abi) -> Notification:
    # The list is whole uint16_t's; a stray odd byte at the end is not a stream.
    count = len(tail) // 2
    streams = struct.unpack_from(f"={count}H", tail) if count else ()
    return StreamReset(as_int(f["assoc_id"]), as_int(f["flags"]), tuple(streams))


def _assoc_reset(f: Fields, tail: bytes, a: Abi) -> Notification:
    return AssocReset(
        as_int(f["assoc_id"]), as_int(f["flags"]), as_int(f["local_tsn"]), as_int(f["remote_tsn"])
    )


def _stream_change(f: Fields, tail: bytes, a: Abi) -> Notification:
    return StreamChange(
        as_int(f["assoc_id"]), as_int(f["flags"]), as_int(f["instrms"]), as_int(f["outstrms"])
    )


Reader = Callable[[Fields, bytes, Abi], Notification]

#: Event -> (the C struct, its reader).
READERS: dict[Event, tuple[str, Reader]] = {
    Event.ASSOC_CHANGE: ("sctp_assoc_change", _assoc_change),
    Event.PEER_ADDR_CHANGE: ("sctp_paddr_change", _paddr_change),
    Event.SEND_FAILED: ("sctp_send_failed", _send_failed),
    Event.SEND_FAILED_EVENT: ("sctp_send_failed_event", _send_failed),
    Event.REMOTE_ERROR: ("sctp_remote_error", _remote_error),
    Event.SHUTDOWN: ("sctp_shutdown_event", _shutdown),
    Event.ADAPTATION_INDICATION: ("sctp_adaptation_event", _adaptation),
    Event.PARTIAL_DELIVERY: ("sctp_pdapi_event", _pdapi),
    Event.AUTHENTICATION: ("sctp_authkey_event", _authkey),
    Event.SENDER_DRY: ("sctp_sender_dry_event", _sender_dry),
    Event.STREAM_RESET: ("sctp_stream_reset_event", _stream_reset),
    Event.ASSOC_RESET: ("sctp_assoc_reset_event", _assoc_reset),
    Event.STREAM_CHANGE: ("sctp_stream_change_event", _stream_change),
}

# Where a struct's size covers padding rather than fields, a stack may send
# only the fields: FreeBSD's sctp_paddr_change has 148 bytes of fields in
# 152.  The minimum a notification must have is its last field's end.


def _fields_end(st_name: str, a: Abi) -> int:
    st = a.struct(st_name)
    return max(f.offset + (f.size or a.struct(f.nested).size) for f in st.fields)


def parse_notification(data: bytes | bytearray | memoryview, abi_name: AbiLike) -> Notification:
    """The notification in ``data`` (a message received with MSG_NOTIFICATION)."""
    a = abi(abi_name)
    buf = bytes(data)
    if len(buf) < HEADER_SIZE:
        raise ValueError(
            f"a notification of {len(buf)} bytes is shorter than its {HEADER_SIZE}-byte header"
        )
    kind, flags, length = struct.unpack_from("=HHI", buf)
    if length > len(buf):
        raise ValueError(
            f"notification type {kind:#x} says it has {length} bytes but {len(buf)} arrived"
        )
    if length < HEADER_SIZE:
        raise ValueError(f"notification type {kind:#x} says it has {length} bytes, "
                         f"less than its {HEADER_SIZE}-byte header")  # fmt: skip
    buf = buf[:length]
    event = next((e for e in READERS if a.constants.get(str(e.value)) == kind), None)
    if event is None:
        return UnknownNotification(kind, flags, buf)
    st_name, reader = READERS[event]
    need = _fields_end(st_name, a)
    if length < need:
        raise ValueError(
            f"{event.name} notification of {length} bytes: struct {st_name} needs {need}"
        )
    st = a.struct(st_name)
    fields = unpack(st, a, buf.ljust(st.size, b"\0"))
    tail = buf[st.size :] if length > st.size else b""
    return reader(fields, tail, a)


# --- Subscriptions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventSetting:
    """One kind on or off for one association (SCTP_EVENT's ``struct sctp_event``)."""

    event: Event
    on: bool = True
    assoc_id: int = 0


def pack_event(setting: EventSetting, abi_name: AbiLike) -> bytes:
    a = abi(abi_name)
    if not a.has(str(setting.event.value)):
        raise ValueError(f"the {a.name} ABI has no {setting.event.value} for SCTP_EVENT")
    values = {
        "assoc_id": setting.assoc_id,
        "type": setting.event.number(a),
        "on": int(bool(setting.on)),
    }
    return pack(a.struct("sctp_event"), a, values, owner="EventSetting")


def unpack_event(data: bytes, abi_name: AbiLike) -> EventSetting:
    a = abi(abi_name)
    f = unpack(a.struct("sctp_event"), a, data)
    event = decode_enum(Event, as_int(f["type"]), a)
    if not isinstance(event, Event):
        raise ValueError(f"struct sctp_event names an unknown type {event:#x}")
    return EventSetting(event, bool(f["on"]), as_int(f["assoc_id"]))


def pack_event_subscribe(events: Iterable[Event], abi_name: AbiLike) -> bytes:
    """``struct sctp_event_subscribe`` with a 1 for each of ``events`` (SCTP_EVENTS)."""
    a = abi(abi_name)
    st = a.struct("sctp_event_subscribe")
    names = {f.name for f in st.fields}
    values: dict[str, object] = {}
    for e in events:
        if not isinstance(e, Event):
            raise TypeError(f"expected Event members, not {e!r}")
        byte = SUBSCRIBE_BYTES[e]
        if byte not in names:
            raise ValueError(f"the {a.name} ABI's sctp_event_subscribe has no {byte} byte")
        values[byte] = 1
    return pack(st, a, values)


def unpack_event_subscribe(data: bytes, abi_name: AbiLike) -> frozenset[Event]:
    a = abi(abi_name)
    f = unpack(a.struct("sctp_event_subscribe"), a, data)
    return frozenset(e for e, byte in SUBSCRIBE_BYTES.items() if f.get(byte))
