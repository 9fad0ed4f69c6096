"""Typed values of the SCTP socket API: message metadata, flags and states, portable.

Each value is a small frozen dataclass with the same meaning on every ABI
(the Linux kernel, FreeBSD, usrsctp); where the ABIs number a flag or a
state differently the value holds a portable enum member, and
sctpx._layout's constant tables (checked against the headers) give the
number.  Packing and unpacking go through sctpx._layout, so no offset is
written here.

A PPID is an int on the Python side and a big-endian number inside every
struct: what the user passes is what the peer's application reads and
what a capture of the DATA chunk shows.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sctpx._addr import Address, parse_address
from sctpx._layout import ADDR, Abi, AbiLike, Struct, abi, check_int, pack, unpack

# --- Enums with per-ABI numbers -------------------------------------------------------------


class CEnum(enum.Enum):
    """An enum whose members' values are C constant names, numbered per ABI."""

    def number(self, a: Abi) -> int:
        return a.constant(str(self.value))


E = TypeVar("E", bound=CEnum)


def decode_enum(cls: type[E], raw: int, a: Abi) -> E | int:
    """The member ``raw`` stands for on ``a``; ``raw`` itself when none does."""
    for member in cls:
        if a.constants.get(str(member.value)) == raw:
            return member
    return raw


F = TypeVar("F", bound=enum.Flag)


def decode_flags(cls: type[F], names: Mapping[F, str], raw: int, a: Abi) -> F:
    """The members whose bit is set in ``raw`` on ``a``; bits sctpx does not model drop."""
    out = cls(0)
    for member, c_name in names.items():
        bit = a.constants.get(c_name)
        if bit and raw & bit == bit:
            out |= member
    return out


def encode_flags(name: str, flags: F, names: Mapping[F, str], a: Abi) -> int:
    if not isinstance(flags, enum.Flag):
        raise TypeError(f"{name} must be a {type(flags).__name__} flag, not {flags!r}")
    raw = 0
    for member, c_name in names.items():
        if member in flags:
            if not a.has(c_name):
                raise ValueError(f"{name}: the {a.name} ABI has no {c_name}")
            raw |= a.constants[c_name]
    return raw


class MsgFlag(enum.Flag):
    """Per-message flags (``sinfo_flags``, ``snd_flags``, ``rcv_flags``, ``nxt_flags``)."""

    UNORDERED = enum.auto()
    ADDR_OVER = enum.auto()
    ABORT = enum.auto()
    EOF = enum.auto()
    SACK_IMMEDIATELY = enum.auto()
    SENDALL = enum.auto()
    EOR = enum.auto()  # explicit end of record (SCTP_EXPLICIT_EOR); FreeBSD and usrsctp
    NOTIFICATION = enum.auto()  # receive side
    COMPLETE = enum.auto()  # receive side (nxt_flags): the next message is whole


NO_FLAGS = MsgFlag(0)

MSG_FLAGS: dict[MsgFlag, str] = {
    MsgFlag.UNORDERED: "SCTP_UNORDERED",
    MsgFlag.ADDR_OVER: "SCTP_ADDR_OVER",
    MsgFlag.ABORT: "SCTP_ABORT",
    MsgFlag.EOF: "SCTP_EOF",
    MsgFlag.SACK_IMMEDIATELY: "SCTP_SACK_IMMEDIATELY",
    MsgFlag.SENDALL: "SCTP_SENDALL",
    MsgFlag.EOR: "SCTP_EOR",
    MsgFlag.NOTIFICATION: "SCTP_NOTIFICATION",
    MsgFlag.COMPLETE: "SCTP_COMPLETE",
}


class PrPolicy(enum.Enum):
    """PR-SCTP policies: what ``SendInfo.ttl`` counts."""

    NONE = ("SCTP_PR_SCTP_NONE",)
    TTL = ("SCTP_PR_SCTP_TTL",)  # milliseconds
    RTX = ("SCTP_PR_SCTP_RTX",)  # retransmissions
    PRIO = ("SCTP_PR_SCTP_PRIO", "SCTP_PR_SCTP_BUF")  # Linux's name, then the BSDs'

    def number(self, a: Abi) -> int:
        for c_name in self.value:
            if a.has(c_name):
                return a.constants[c_name]
        raise ValueError(f"the {a.name} ABI has no {self.value[0]}")

    @classmethod
    def decode(cls, raw: int, a: Abi) -> PrPolicy | int:
        for member in cls:
            if any(a.constants.get(c) == raw for c in member.value):
                return member
        return raw


#: The bits of ``sinfo_flags`` that carry the PR-SCTP policy.
_POLICY_MASK = {"linux": 0x30, "freebsd": 0x0F, "usrsctp": 0x0F}


# --- Send side --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SendInfo:
    """What goes with one message sent: the per-message metadata.

    ``ttl`` is the PR-SCTP value: milliseconds under the TTL policy (the
    default when it is not 0), retransmissions under RTX.  ``auth_key``
    picks the shared key (``SCTP_AUTHINFO``).
    """

    stream: int = 0
    ppid: int = 0
    flags: MsgFlag = NO_FLAGS
    context: int = 0
    ttl: int = 0
    policy: PrPolicy = PrPolicy.NONE
    assoc_id: int = 0
    auth_key: int | None = None

    @property
    def effective_policy(self) -> PrPolicy:
        if self.policy is PrPolicy.NONE and self.ttl:
            return PrPolicy.TTL
        return self.policy


def _fill(
    st: Struct, a: Abi, owner: str, pairs: Iterable[tuple[str, str, object]]
) -> dict[str, object]:
    """Check each (struct field, Python name, value); ValueError names ``owner.name``."""
    out: dict[str, object] = {}
    for c_field, name, value in pairs:
        kind = st.field(c_field).kind
        if kind is None or kind is ADDR:
            out[c_field] = value  # a nested struct or an address: pack() checks them
        else:
            out[c_field] = check_int(f"{owner}.{name}", value, kind)
    return out


def _sndinfo_fields(info: SendInfo, a: Abi) -> dict[str, object]:
    st = a.struct("sctp_sndinfo")
    flags = encode_flags("SendInfo.flags", info.flags, MSG_FLAGS, a)
    return _fill(
        st,
        a,
        "SendInfo",
        [
            ("sid", "stream", info.stream),
            ("flags", "flags", flags),
            ("ppid", "ppid", info.ppid),
            ("context", "context", info.context),
            ("assoc_id", "assoc_id", info.assoc_id),
        ],
    )


def pack_sndinfo(info: SendInfo, abi_name: AbiLike) -> bytes:
    """``struct sctp_sndinfo`` (SCTP_SNDINFO, SCTP_DEFAULT_SNDINFO): no ttl there."""
    a = abi(abi_name)
    return pack(a.struct("sctp_sndinfo"), a, _sndinfo_fields(info, a))


def pack_prinfo(info: SendInfo, abi_name: AbiLike) -> bytes:
    a = abi(abi_name)
    st = a.struct("sctp_prinfo")
    values = _fill(
        st,
        a,
        "SendInfo",
        [("policy", "policy", info.effective_policy.number(a)), ("value", "ttl", info.ttl)],
    )
    return pack(st, a, values)


def pack_authinfo(info: SendInfo, abi_name: AbiLike) -> bytes:
    a = abi(abi_name)
    st = a.struct("sctp_authinfo")
    key = 0 if info.auth_key is None else info.auth_key
    return pack(st, a, _fill(st, a, "SendInfo", [("keynumber", "auth_key", key)]))


def pack_sndrcvinfo(info: SendInfo, abi_name: AbiLike) -> bytes:
    """``struct sctp_sndrcvinfo`` (SCTP_SNDRCV, SCTP_DEFAULT_SEND_PARAM), the older form.

    The PR-SCTP policy rides in ``sinfo_flags``; an authentication key
    cannot be named here (use the SCTP_SNDINFO path).
    """
    a = abi(abi_name)
    st = a.struct("sctp_sndrcvinfo")
    if info.auth_key is not None:
        raise ValueError("SendInfo.auth_key needs SCTP_AUTHINFO: sctp_sndrcvinfo has no key")
    flags = encode_flags("SendInfo.flags", info.flags, MSG_FLAGS, a)
    if info.policy is not PrPolicy.NONE:
        flags |= info.policy.number(a)
    values = _fill(
        st,
        a,
        "SendInfo",
        [
            ("stream", "stream", info.stream),
            ("flags", "flags", flags),
            ("ppid", "ppid", info.ppid),
            ("context", "context", info.context),
            ("timetolive", "ttl", info.ttl),
            ("assoc_id", "assoc_id", info.assoc_id),
        ],
    )
    return pack(st, a, values)


def send_cmsgs(
    info: SendInfo, abi_name: AbiLike, *, legacy: bool = False
) -> list[tuple[int, int, bytes]]:
    """The ancillary data for ``socket.sendmsg``: (level, type, data) items.

    RFC 6458's SCTP_SNDINFO, with SCTP_PRINFO and SCTP_AUTHINFO when the
    value needs them; ``legacy`` gives the single SCTP_SNDRCV of RFC 6458's
    deprecated interface instead.  usrsctp has no cmsgs: see ``sendv_info``.
    """
    a = abi(abi_name)
    if not a.has("SCTP_SNDINFO"):
        raise ValueError(f"the {a.name} ABI takes no cmsgs; use sendv_info()")
    level = a.constant("IPPROTO_SCTP")
    if legacy:
        return [(level, a.constant("SCTP_SNDRCV"), pack_sndrcvinfo(info, a))]
    out = [(level, a.constant("SCTP_SNDINFO"), pack_sndinfo(info, a))]
    if info.effective_policy is not PrPolicy.NONE:
        out.append((level, a.constant("SCTP_PRINFO"), pack_prinfo(info, a)))
    if info.auth_key is not None:
        out.append((level, a.constant("SCTP_AUTHINFO"), pack_authinfo(info, a)))
    return out


def sendv_info(info: SendInfo, abi_name: AbiLike) -> tuple[int, bytes]:
    """The (infotype, info) that ``sctp_sendv``/``usrsctp_sendv`` take for ``info``."""
    a = abi(abi_name)
    plain = info.effective_policy is PrPolicy.NONE and info.auth_key is None
    if plain:
        return a.constant("SCTP_SENDV_SNDINFO"), pack_sndinfo(info, a)
    st = a.struct("sctp_sendv_spa")
    valid = a.constant("SCTP_SEND_SNDINFO_VALID")
    values: dict[str, object] = {"sndinfo": _sndinfo_fields(info, a)}
    if info.effective_policy is not PrPolicy.NONE:
        valid |= a.constant("SCTP_SEND_PRINFO_VALID")
        values["prinfo"] = _fill(
            a.struct("sctp_prinfo"),
            a,
            "SendInfo",
            [("policy", "policy", info.effective_policy.number(a)), ("value", "ttl", info.ttl)],
        )
    if info.auth_key is not None:
        valid |= a.constant("SCTP_SEND_AUTHINFO_VALID")
        values["authinfo"] = _fill(
            a.struct("sctp_authinfo"), a, "SendInfo", [("keynumber", "auth_key", info.auth_key)]
        )
    values["flags"] = valid
    return a.constant("SCTP_SENDV_SPA"), pack(st, a, values)


def unpack_sndinfo(data: bytes, abi_name: AbiLike) -> SendInfo:
    a = abi(abi_name)
    raw = unpack(a.struct("sctp_sndinfo"), a, data)
    return sendinfo_from_sndinfo(raw, a)


def sendinfo_from_sndinfo(raw: Mapping[str, object], a: Abi) -> SendInfo:
    return SendInfo(
        stream=as_int(raw["sid"]),
        ppid=as_int(raw["ppid"]),
        flags=decode_flags(MsgFlag, MSG_FLAGS, as_int(raw["flags"]), a),
        context=as_int(raw["context"]),
        assoc_id=as_int(raw["assoc_id"]),
    )


def unpack_sndrcvinfo_as_send(data: bytes, abi_name: AbiLike) -> SendInfo:
    """A ``struct sctp_sndrcvinfo`` read as send parameters (SCTP_DEFAULT_SEND_PARAM)."""
    a = abi(abi_name)
    return sendinfo_from_sndrcvinfo(unpack(a.struct("sctp_sndrcvinfo"), a, data), a)


def sendinfo_from_sndrcvinfo(raw: Mapping[str, object], a: Abi) -> SendInfo:
    flags = as_int(raw["flags"])
    policy = PrPolicy.decode(flags & _POLICY_MASK[a.name], a)
    return SendInfo(
        stream=as_int(raw["stream"]),
        ppid=as_int(raw["ppid"]),
        flags=decode_flags(MsgFlag, MSG_FLAGS, flags, a),
        context=as_int(raw["context"]),
        ttl=as_int(raw["timetolive"]),
        policy=policy if isinstance(policy, PrPolicy) else PrPolicy.NONE,
        assoc_id=as_int(raw["assoc_id"]),
    )


def as_int(value: object) -> int:
    """An integer field of what ``_layout.unpack`` returned, typed as such."""
    assert isinstance(value, int)
    return value


# --- Receive side -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecvInfo:
    """What came with one message received.

    ``eor`` is MSG_EOR (this piece ends its message) and ``notification``
    MSG_NOTIFICATION (the bytes are a notification, see
    sctpx._notifications), both from ``msg_flags``; ``ssn``, ``tsn`` and
    ``cumtsn`` are what the stack reports (0 where it does not).
    """

    stream: int = 0
    ppid: int = 0
    flags: MsgFlag = NO_FLAGS
    context: int = 0
    assoc_id: int = 0
    ssn: int = 0
    tsn: int = 0
    cumtsn: int = 0
    eor: bool = True
    notification: bool = False


@dataclass(frozen=True, slots=True)
class NextInfo:
    """SCTP_NXTINFO: what the next message waiting to be read is."""

    stream: int
    ppid: int
    flags: MsgFlag
    length: int
    assoc_id: int


def msg_flags(raw: int, abi_name: AbiLike) -> tuple[bool, bool]:
    """(eor, notification) from a ``recvmsg`` ``msg_flags`` on ``abi``."""
    a = abi(abi_name)
    return bool(raw & a.constant("MSG_EOR")), bool(raw & a.constant("MSG_NOTIFICATION"))


def unpack_rcvinfo(data: bytes, abi_name: AbiLike, flags: int = 0) -> RecvInfo:
    """``struct sctp_rcvinfo`` (SCTP_RCVINFO), with ``msg_flags`` for eor/notification."""
    return _recv_info("sctp_rcvinfo", "sid", data, abi(abi_name), flags)


def unpack_sndrcvinfo(data: bytes, abi_name: AbiLike, flags: int = 0) -> RecvInfo:
    """``struct sctp_sndrcvinfo`` (SCTP_SNDRCV) as received."""
    return _recv_info("sctp_sndrcvinfo", "stream", data, abi(abi_name), flags)


def _recv_info(c_struct: str, stream: str, data: bytes, a: Abi, flags: int) -> RecvInfo:
    """The two receive structs differ only in the stream field's name."""
    raw = unpack(a.struct(c_struct), a, data)
    eor, note = msg_flags(flags, a)
    return RecvInfo(
        stream=as_int(raw[stream]),
        ppid=as_int(raw["ppid"]),
        flags=decode_flags(MsgFlag, MSG_FLAGS, as_int(raw["flags"]), a),
        context=as_int(raw["context"]),
        assoc_id=as_int(raw["assoc_id"]),
        ssn=as_int(raw["ssn"]),
        tsn=as_int(raw["tsn"]),
        cumtsn=as_int(raw["cumtsn"]),
        eor=eor,
        notification=note,
    )


def unpack_nxtinfo(data: bytes, abi_name: AbiLike) -> NextInfo:
    a = abi(abi_name)
    raw = unpack(a.struct("sctp_nxtinfo"), a, data)
    return NextInfo(
        stream=as_int(raw["sid"]),
        ppid=as_int(raw["ppid"]),
        flags=decode_flags(MsgFlag, MSG_FLAGS, as_int(raw["flags"]), a),
        length=as_int(raw["length"]),
        assoc_id=as_int(raw["assoc_id"]),
    )


@dataclass(frozen=True, slots=True)
class Received:
    """What ``recvmsg`` said about the message besides its bytes.

    ``eor`` and ``notification`` come from ``msg_flags`` and are always
    known; ``info`` and ``next`` only when the socket asked for them
    (SCTP_RECVRCVINFO, SCTP_RECVNXTINFO, or the older SCTP_EVENTS data_io).
    """

    eor: bool
    notification: bool
    info: RecvInfo | None = None
    next: NextInfo | None = None


def parse_cmsgs(
    ancdata: Sequence[tuple[int, int, bytes]], flags: int, abi_name: AbiLike
) -> Received:
    """The SCTP items of ``socket.recvmsg``'s ancillary data; others are ignored.

    A short item is a ValueError naming its struct, never a read past its end.
    """
    a = abi(abi_name)
    level = a.constant("IPPROTO_SCTP")
    readers = {
        a.constants.get("SCTP_RCVINFO"): "rcvinfo",
        a.constants.get("SCTP_SNDRCV"): "sndrcv",
        a.constants.get("SCTP_NXTINFO"): "nxtinfo",
    }
    info: RecvInfo | None = None
    nxt: NextInfo | None = None
    for cmsg_level, cmsg_type, data in ancdata:
        if cmsg_level != level:
            continue
        which = readers.get(cmsg_type)
        if which == "rcvinfo":
            info = unpack_rcvinfo(data, a, flags)
        elif which == "sndrcv" and info is None:  # SCTP_RCVINFO wins when both came
            info = unpack_sndrcvinfo(data, a, flags)
        elif which == "nxtinfo":
            nxt = unpack_nxtinfo(data, a)
    eor, note = msg_flags(flags, a)
    return Received(eor, note, info, nxt)


# --- Addresses in values ----------------------------------------------------------------------


def as_address(name: str, value: object) -> Address | None:
    """A checked Address from an address tuple (or an Address, or None); ValueError if bad."""
    if value is None or isinstance(value, Address):
        return value
    try:
        return parse_address(value)
    except OSError as exc:
        raise ValueError(f"{name}: {exc.strerror}") from None
