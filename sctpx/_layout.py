"""C layouts of the SCTP socket API, one table per ABI, and the packing under them.

Three ABIs carry sctpx's messages, notifications and socket options:

``linux``
    The Linux kernel: ``<linux/sctp.h>`` (uapi) as lksctp-tools'
    ``<netinet/sctp.h>`` includes it.  ``sctp_assoc_t`` is a signed 32-bit
    int; ``struct sockaddr_storage`` sits inside several
    ``__attribute__((packed, aligned(4)))`` structs, so the fields after it
    are only 4-aligned and some (``spp_pathmtu``) not even that.
``freebsd``
    FreeBSD 14's ``<netinet/sctp.h>``, ``<netinet/sctp_uio.h>`` and
    ``<sys/socket.h>`` (nothing of them is compiled here, so that table is
    derived by hand and unit-tested with hand-made byte images).
    ``sctp_assoc_t`` is unsigned; no API struct is packed, so the
    8-aligned ``sockaddr_storage`` pads the structs that hold one to a
    multiple of 8; sockaddrs carry ``sa_len``.
``usrsctp``
    usrsctp 0.9.5 on a Linux host: its constants and structs are FreeBSD's
    (the stack is FreeBSD's, built in user space) but its sockaddrs are the
    host's.  Its public ``<usrsctp.h>`` differs from what the library was
    compiled with in two notification structs (see ``USRSCTP_HEADER_DRIFT``);
    the table follows the library, because the library writes the bytes.

A struct is a list of fields, each a (name, offset, kind); packing writes
each field at its offset into a zeroed buffer of the struct's size, so no
padding rule is guessed at run time: the offsets are the tested facts
(tests/test_layout.py compiles a program against the installed headers and
compares every size, alignment, offset and constant of the ``linux`` and
``usrsctp`` tables).

PPIDs (and Linux's ``sre_error``) are in network byte order inside the
structs on every ABI: the stacks copy the field to and from the DATA chunk
untouched (Linux: ``sctp_make_datafrag_empty`` sets ``dp.ppid =
sinfo->sinfo_ppid`` next to ``htons(sinfo->sinfo_stream)``, and
``sctp_ulpevent_read_sndrcvinfo`` copies ``event->ppid`` back with the
comment that "byte order issues are NOT accounted for"; FreeBSD and
usrsctp: sctp_output.c copies ``srcv->sinfo_ppid`` into the queued message
as is, and sctp_indata.c's ``sctp_build_readq_entry_mac`` stores the
chunk's ppid as is).  So the
``net32`` kind packs them big-endian, and an int PPID reaches the wire as
that number.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from sctpx._addr import SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE, Address, Layout, pack_one

AbiName = Literal["linux", "freebsd", "usrsctp"]

SOCKADDR_STORAGE_SIZE = 128

# --- Field kinds ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kind:
    """How one C field is stored: a struct format (with byte order) and its range."""

    c_type: str
    fmt: str
    size: int
    low: int
    high: int


U8 = Kind("uint8_t", "=B", 1, 0, 0xFF)
U16 = Kind("uint16_t", "=H", 2, 0, 0xFFFF)
U32 = Kind("uint32_t", "=I", 4, 0, 0xFFFF_FFFF)
S32 = Kind("int32_t", "=i", 4, -(1 << 31), (1 << 31) - 1)
NET16 = Kind("uint16_t in network byte order", ">H", 2, 0, 0xFFFF)
NET32 = Kind("uint32_t in network byte order", ">I", 4, 0, 0xFFFF_FFFF)
#: ``struct sockaddr_storage``: packed and read by sctpx._addr's rules.
ADDR = Kind("struct sockaddr_storage", "", SOCKADDR_STORAGE_SIZE, 0, 0)

_KINDS = {"u8": U8, "u16": U16, "u32": U32, "s32": S32, "net16": NET16, "net32": NET32}


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # the Python name (the C name without the struct's prefix)
    c_name: str
    offset: int
    kind: Kind | None  # None: a nested struct, named by ``nested``
    nested: str = ""

    @property
    def size(self) -> int:
        return self.kind.size if self.kind is not None else 0


@dataclass(frozen=True, slots=True)
class Struct:
    """One C struct: its name, ``sizeof``, ``_Alignof`` and the fields sctpx uses."""

    c_name: str
    size: int
    align: int
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"struct {self.c_name} has no field {name!r} in sctpx's table")


def _struct(
    c_name: str, prefix: str, size: int, align: int, *specs: str, assoc: Kind = U32
) -> Struct:
    """A struct from compact specs: ``"name[=c_name] offset kind"``.

    The kind is ``u8``, ``u16``, ``u32``, ``s32``, ``net16``, ``net32``,
    ``assoc`` (the ABI's ``sctp_assoc_t``), ``addr`` (a sockaddr_storage)
    or the name of another struct of the same ABI, nested at that offset.
    """
    fields = []
    for spec in specs:
        name, offset, kind = spec.split()
        name, _, c_name_override = name.partition("=")
        fname = c_name_override or prefix + name
        if kind == "assoc":
            fields.append(Field(name, fname, int(offset), assoc))
        elif kind == "addr":
            fields.append(Field(name, fname, int(offset), ADDR))
        elif kind in _KINDS:
            fields.append(Field(name, fname, int(offset), _KINDS[kind]))
        else:
            fields.append(Field(name, fname, int(offset), None, kind))
    return Struct(c_name, size, align, tuple(fields))


# --- ABIs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Abi:
    """One ABI: its structs, its constants (by C name) and its sockaddr layout."""

    name: AbiName
    sockaddr: Layout
    af_inet6: int  # the ABI's AF_INET6 (AF_INET is 2 everywhere)
    structs: Mapping[str, Struct]
    constants: Mapping[str, int]
    #: Structs the library uses but its public header does not declare.
    internal: frozenset[str] = field(default_factory=frozenset)

    def struct(self, c_name: str) -> Struct:
        try:
            return self.structs[c_name]
        except KeyError:
            raise NotImplementedError(f"the {self.name} ABI has no struct {c_name}") from None

    def constant(self, c_name: str) -> int:
        try:
            return self.constants[c_name]
        except KeyError:
            raise NotImplementedError(f"the {self.name} ABI has no {c_name}") from None

    def has(self, c_name: str) -> bool:
        return c_name in self.constants


#: What the packing functions take: an Abi, or its name.
AbiLike = Abi | str


def _common_structs(assoc: Kind) -> list[Struct]:
    """The structs whose layout is the same on every ABI (but for ``sctp_assoc_t``)."""
    s = _struct
    return [
        s("sctp_initmsg", "sinit_", 8, 2, "num_ostreams 0 u16", "max_instreams 2 u16",
          "max_attempts 4 u16", "max_init_timeo 6 u16"),
        s("sctp_sndinfo", "snd_", 16, 4, "sid 0 u16", "flags 2 u16", "ppid 4 net32",
          "context 8 u32", "assoc_id 12 assoc", assoc=assoc),
        s("sctp_rcvinfo", "rcv_", 28, 4, "sid 0 u16", "ssn 2 u16", "flags 4 u16",
          "ppid 8 net32", "tsn 12 u32", "cumtsn 16 u32", "context 20 u32",
          "assoc_id 24 assoc", assoc=assoc),
        s("sctp_nxtinfo", "nxt_", 16, 4, "sid 0 u16", "flags 2 u16", "ppid 4 net32",
          "length 8 u32", "assoc_id 12 assoc", assoc=assoc),
        s("sctp_prinfo", "pr_", 8, 4, "policy 0 u16", "value 4 u32"),
        s("sctp_authinfo", "auth_", 2, 2, "keynumber 0 u16"),
        s("sctp_sendv_spa", "sendv_", 32, 4, "flags 0 u32", "sndinfo 4 sctp_sndinfo",
          "prinfo 20 sctp_prinfo", "authinfo 28 sctp_authinfo"),
        s("sctp_recvv_rn", "recvv_", 44, 4, "rcvinfo 0 sctp_rcvinfo",
          "nxtinfo 28 sctp_nxtinfo"),
        s("sctp_event", "se_", 8, 4, "assoc_id 0 assoc", "type 4 u16", "on 6 u8",
          assoc=assoc),
        s("sctp_rtoinfo", "srto_", 16, 4, "assoc_id 0 assoc", "initial 4 u32", "max 8 u32",
          "min 12 u32", assoc=assoc),
        # Notifications: every one starts with type, flags and length.
        s("sctp_assoc_change", "sac_", 20, 4, "type 0 u16", "flags 2 u16", "length 4 u32",
          "state 8 u16", "error 10 u16", "outbound_streams 12 u16",
          "inbound_streams 14 u16", "assoc_id 16 assoc", assoc=assoc),
        s("sctp_shutdown_event", "sse_", 12, 4, "type 0 u16", "flags 2 u16", "length 4 u32",
          "assoc_id 8 assoc", assoc=assoc),
        s("sctp_adaptation_event", "sai_", 16, 4, "type 0 u16", "flags 2 u16",
          "length 4 u32", "adaptation_ind 8 u32", "assoc_id 12 assoc", assoc=assoc),
        s("sctp_sender_dry_event", "sender_dry_", 12, 4, "type 0 u16", "flags 2 u16",
          "length 4 u32", "assoc_id 8 assoc", assoc=assoc),
        s("sctp_stream_reset_event", "strreset_", 12, 4, "type 0 u16", "flags 2 u16",
          "length 4 u32", "assoc_id 8 assoc", assoc=assoc),
        s("sctp_assoc_reset_event", "assocreset_", 20, 4, "type 0 u16", "flags 2 u16",
          "length 4 u32", "assoc_id 8 assoc", "local_tsn 12 u32", "remote_tsn 16 u32",
          assoc=assoc),
        s("sctp_stream_change_event", "strchange_", 16, 4, "type 0 u16", "flags 2 u16",
          "length 4 u32", "assoc_id 8 assoc", "instrms 12 u16", "outstrms 14 u16",
          assoc=assoc),
        s("sctp_authkey_event", "auth_", 20, 4, "type 0 u16", "flags 2 u16", "length 4 u32",
          "keynumber 8 u16", "altkeynumber 10 u16", "indication 12 u32",
          "assoc_id 16 assoc", assoc=assoc),
    ]  # fmt: skip


def _linux_structs() -> dict[str, Struct]:
    s = _struct
    a = S32
    structs = [
        *_common_structs(a),
        s("sctp_sndrcvinfo", "sinfo_", 32, 4, "stream 0 u16", "ssn 2 u16", "flags 4 u16",
          "ppid 8 net32", "context 12 u32", "timetolive 16 u32", "tsn 20 u32",
          "cumtsn 24 u32", "assoc_id 28 assoc", assoc=a),
        s("sctp_event_subscribe", "sctp_", 14, 1, *(
            f"{name} {i} u8" for i, name in enumerate(SUBSCRIBE_FIELDS))),
        s("sctp_paddr_change", "spc_", 148, 4, "type 0 u16", "flags 2 u16", "length 4 u32",
          "aaddr 8 addr", "state 136 s32", "error 140 s32", "assoc_id 144 assoc", assoc=a),
        # sre_error is a __be16: the cause code as it came in the ERROR chunk.
        s("sctp_remote_error", "sre_", 16, 4, "type 0 u16", "flags 2 u16", "length 4 u32",
          "error 8 net16", "assoc_id 12 assoc", assoc=a),
        s("sctp_send_failed", "ssf_", 48, 4, "type 0 u16", "flags 2 u16", "length 4 u32",
          "error 8 u32", "info 12 sctp_sndrcvinfo", "assoc_id 44 assoc", assoc=a),
        # Linux spells most of this one's fields ssf_, only the info ssfe_.
        s("sctp_send_failed_event", "ssf_", 32, 4, "type 0 u16", "flags 2 u16",
          "length 4 u32", "error 8 u32", "info=ssfe_info 12 sctp_sndinfo",
          "assoc_id 28 assoc", assoc=a),
        s("sctp_pdapi_event", "pdapi_", 24, 4, "type 0 u16", "flags 2 u16", "length 4 u32",
          "indication 8 u32", "assoc_id 12 assoc", "stream 16 u32", "seq 20 u32", assoc=a),
        s("sctp_assocparams", "sasoc_", 20, 4, "assoc_id 0 assoc", "asocmaxrxt 4 u16",
          "number_peer_destinations 6 u16", "peer_rwnd 8 u32", "local_rwnd 12 u32",
          "cookie_life 16 u32", assoc=a),
        # packed, aligned(4): the fields after the sockaddr_storage are unaligned.
        s("sctp_paddrparams", "spp_", 156, 4, "assoc_id 0 assoc", "address 4 addr",
          "hbinterval 132 u32", "pathmaxrxt 136 u16", "pathmtu 138 u32",
          "sackdelay 142 u32", "flags 146 u32", "ipv6_flowlabel 150 u32", "dscp 154 u8",
          assoc=a),
        s("sctp_paddrinfo", "spinfo_", 152, 4, "assoc_id 0 assoc", "address 4 addr",
          "state 132 s32", "cwnd 136 u32", "srtt 140 u32", "rto 144 u32", "mtu 148 u32",
          assoc=a),
        s("sctp_status", "sstat_", 176, 4, "assoc_id 0 assoc", "state 4 s32", "rwnd 8 u32",
          "unackdata 12 u16", "penddata 14 u16", "instrms 16 u16", "outstrms 18 u16",
          "fragmentation_point 20 u32", "primary 24 sctp_paddrinfo", assoc=a),
    ]  # fmt: skip
    return {st.c_name: st for st in structs}


def _bsd_structs() -> dict[str, Struct]:
    """FreeBSD's sctp_uio.h, which usrsctp's library is built from."""
    s = _struct
    structs = [
        *_common_structs(U32),
        # 36 bytes of fields, then __reserve_pad[92]: 128 in all.
        s("sctp_sndrcvinfo", "sinfo_", 128, 4, "stream 0 u16", "ssn 2 u16", "flags 4 u16",
          "ppid 8 net32", "context 12 u32", "timetolive 16 u32", "tsn 20 u32",
          "cumtsn 24 u32", "assoc_id 28 assoc", "keynumber 32 u16",
          "keynumber_valid 34 u16"),
        s("sctp_event_subscribe", "sctp_", 11, 1, *(
            f"{name} {i} u8" for i, name in enumerate(SUBSCRIBE_FIELDS[:11]))),
        # Not packed: the 8-aligned sockaddr_storage pads 148 bytes of fields to 152.
        s("sctp_paddr_change", "spc_", 152, 8, "type 0 u16", "flags 2 u16", "length 4 u32",
          "aaddr 8 addr", "state 136 u32", "error 140 u32", "assoc_id 144 assoc"),
        s("sctp_remote_error", "sre_", 16, 4, "type 0 u16", "flags 2 u16", "length 4 u32",
          "error 8 u16", "assoc_id 12 assoc"),
        s("sctp_send_failed", "ssf_", 144, 4, "type 0 u16", "flags 2 u16", "length 4 u32",
          "error 8 u32", "info 12 sctp_sndrcvinfo", "assoc_id 140 assoc"),
        s("sctp_send_failed_event", "ssfe_", 32, 4, "type 0 u16", "flags 2 u16",
          "length 4 u32", "error 8 u32", "info 12 sctp_sndinfo", "assoc_id 28 assoc"),
        s("sctp_pdapi_event", "pdapi_", 20, 4, "type 0 u16", "flags 2 u16", "length 4 u32",
          "indication 8 u32", "stream 12 u16", "seq 14 u16", "assoc_id 16 assoc"),
        s("sctp_assocparams", "sasoc_", 20, 4, "assoc_id 0 assoc", "peer_rwnd 4 u32",
          "local_rwnd 8 u32", "cookie_life 12 u32", "asocmaxrxt 16 u16",
          "number_peer_destinations 18 u16"),
        s("sctp_paddrparams", "spp_", 152, 8, "address 0 addr", "assoc_id 128 assoc",
          "hbinterval 132 u32", "pathmtu 136 u32", "flags 140 u32",
          "ipv6_flowlabel 144 u32", "pathmaxrxt 148 u16", "dscp 150 u8"),
        s("sctp_paddrinfo", "spinfo_", 152, 8, "address 0 addr", "assoc_id 128 assoc",
          "state 132 s32", "cwnd 136 u32", "srtt 140 u32", "rto 144 u32", "mtu 148 u32"),
        s("sctp_status", "sstat_", 176, 8, "assoc_id 0 assoc", "state 4 s32", "rwnd 8 u32",
          "unackdata 12 u16", "penddata 14 u16", "instrms 16 u16", "outstrms 18 u16",
          "fragmentation_point 20 u32", "primary 24 sctp_paddrinfo"),
    ]  # fmt: skip
    return {st.c_name: st for st in structs}


#: ``struct sctp_event_subscribe``'s bytes in order (FreeBSD and usrsctp have the first 11).
SUBSCRIBE_FIELDS = (
    "data_io_event",
    "association_event",
    "address_event",
    "send_failure_event",
    "peer_error_event",
    "shutdown_event",
    "partial_delivery_event",
    "adaptation_layer_event",
    "authentication_event",
    "sender_dry_event",
    "stream_reset_event",
    "assoc_reset_event",
    "stream_change_event",
    "send_failure_event_event",
)

# Constants, by C name.  What the three ABIs share is written once.
_RECVV_SENDV = {
    "SCTP_SENDV_NOINFO": 0,
    "SCTP_SENDV_SNDINFO": 1,
    "SCTP_SENDV_PRINFO": 2,
    "SCTP_SENDV_AUTHINFO": 3,
    "SCTP_SENDV_SPA": 4,
    "SCTP_SEND_SNDINFO_VALID": 1,
    "SCTP_SEND_PRINFO_VALID": 2,
    "SCTP_SEND_AUTHINFO_VALID": 4,
    "SCTP_RECVV_NOINFO": 0,
    "SCTP_RECVV_RCVINFO": 1,
    "SCTP_RECVV_NXTINFO": 2,
    "SCTP_RECVV_RN": 3,
}
_RESET_FLAGS = {
    "SCTP_STREAM_RESET_INCOMING_SSN": 1,
    "SCTP_STREAM_RESET_OUTGOING_SSN": 2,
    "SCTP_STREAM_RESET_DENIED": 4,
    "SCTP_STREAM_RESET_FAILED": 8,
    "SCTP_ASSOC_RESET_DENIED": 4,
    "SCTP_ASSOC_RESET_FAILED": 8,
    "SCTP_STREAM_CHANGE_DENIED": 4,
    "SCTP_STREAM_CHANGE_FAILED": 8,
}
_SPP = {
    "SPP_HB_ENABLE": 0x1,
    "SPP_HB_DISABLE": 0x2,
    "SPP_HB_DEMAND": 0x4,
    "SPP_PMTUD_ENABLE": 0x8,
    "SPP_PMTUD_DISABLE": 0x10,
    "SPP_HB_TIME_IS_ZERO": 0x80,
    "SPP_IPV6_FLOWLABEL": 0x100,
    "SPP_DSCP": 0x200,
}

LINUX_CONSTANTS: dict[str, int] = {
    "IPPROTO_SCTP": 132,
    "MSG_EOR": 0x80,
    "MSG_NOTIFICATION": 0x8000,
    # cmsg types (enum sctp_cmsg_type)
    "SCTP_INIT": 0,
    "SCTP_SNDRCV": 1,
    "SCTP_SNDINFO": 2,
    "SCTP_RCVINFO": 3,
    "SCTP_NXTINFO": 4,
    "SCTP_PRINFO": 5,
    "SCTP_AUTHINFO": 6,
    "SCTP_DSTADDRV4": 7,
    "SCTP_DSTADDRV6": 8,
    # socket options
    "SCTP_RTOINFO": 0,
    "SCTP_ASSOCINFO": 1,
    "SCTP_INITMSG": 2,
    "SCTP_NODELAY": 3,
    "SCTP_AUTOCLOSE": 4,
    "SCTP_PEER_ADDR_PARAMS": 9,
    "SCTP_DEFAULT_SEND_PARAM": 10,
    "SCTP_EVENTS": 11,
    "SCTP_STATUS": 14,
    "SCTP_GET_PEER_ADDR_INFO": 15,
    "SCTP_RECVRCVINFO": 32,
    "SCTP_RECVNXTINFO": 33,
    "SCTP_DEFAULT_SNDINFO": 34,
    "SCTP_EVENT": 127,
    # sinfo_flags / snd_flags / rcv_flags (enum sctp_sinfo_flags); SCTP_EOF is MSG_FIN
    "SCTP_UNORDERED": 0x1,
    "SCTP_ADDR_OVER": 0x2,
    "SCTP_ABORT": 0x4,
    "SCTP_SACK_IMMEDIATELY": 0x8,
    "SCTP_SENDALL": 0x40,
    "SCTP_EOF": 0x200,
    "SCTP_NOTIFICATION": 0x8000,
    # PR-SCTP policies live in bits 4-5 of the flags
    "SCTP_PR_SCTP_NONE": 0x00,
    "SCTP_PR_SCTP_TTL": 0x10,
    "SCTP_PR_SCTP_RTX": 0x20,
    "SCTP_PR_SCTP_PRIO": 0x30,
    # notification types (enum sctp_sn_type)
    "SCTP_DATA_IO_EVENT": 0x8000,
    "SCTP_ASSOC_CHANGE": 0x8001,
    "SCTP_PEER_ADDR_CHANGE": 0x8002,
    "SCTP_SEND_FAILED": 0x8003,
    "SCTP_REMOTE_ERROR": 0x8004,
    "SCTP_SHUTDOWN_EVENT": 0x8005,
    "SCTP_PARTIAL_DELIVERY_EVENT": 0x8006,
    "SCTP_ADAPTATION_INDICATION": 0x8007,
    "SCTP_AUTHENTICATION_EVENT": 0x8008,
    "SCTP_SENDER_DRY_EVENT": 0x8009,
    "SCTP_STREAM_RESET_EVENT": 0x800A,
    "SCTP_ASSOC_RESET_EVENT": 0x800B,
    "SCTP_STREAM_CHANGE_EVENT": 0x800C,
    "SCTP_SEND_FAILED_EVENT": 0x800D,
    # sac_state
    "SCTP_COMM_UP": 0,
    "SCTP_COMM_LOST": 1,
    "SCTP_RESTART": 2,
    "SCTP_SHUTDOWN_COMP": 3,
    "SCTP_CANT_STR_ASSOC": 4,
    # spc_state
    "SCTP_ADDR_AVAILABLE": 0,
    "SCTP_ADDR_UNREACHABLE": 1,
    "SCTP_ADDR_REMOVED": 2,
    "SCTP_ADDR_ADDED": 3,
    "SCTP_ADDR_MADE_PRIM": 4,
    "SCTP_ADDR_CONFIRMED": 5,
    "SCTP_ADDR_POTENTIALLY_FAILED": 6,
    # ssf_flags (an enum here, bits on FreeBSD)
    "SCTP_DATA_UNSENT": 0,
    "SCTP_DATA_SENT": 1,
    "SCTP_PARTIAL_DELIVERY_ABORTED": 0,
    "SCTP_AUTH_NEW_KEY": 0,
    "SCTP_AUTH_FREE_KEY": 1,
    "SCTP_AUTH_NO_AUTH": 2,
    # spinfo_state
    "SCTP_INACTIVE": 0,
    "SCTP_PF": 1,
    "SCTP_ACTIVE": 2,
    "SCTP_UNCONFIRMED": 3,
    "SCTP_UNKNOWN": 0xFFFF,
    # sstat_state
    "SCTP_EMPTY": 0,
    "SCTP_CLOSED": 1,
    "SCTP_COOKIE_WAIT": 2,
    "SCTP_COOKIE_ECHOED": 3,
    "SCTP_ESTABLISHED": 4,
    "SCTP_SHUTDOWN_PENDING": 5,
    "SCTP_SHUTDOWN_SENT": 6,
    "SCTP_SHUTDOWN_RECEIVED": 7,
    "SCTP_SHUTDOWN_ACK_SENT": 8,
    **_SPP,
    "SPP_SACKDELAY_ENABLE": 0x20,
    "SPP_SACKDELAY_DISABLE": 0x40,
    **_RESET_FLAGS,
    **_RECVV_SENDV,
}

#: What FreeBSD's kernel and usrsctp's library share (sctp.h, sctp_uio.h).
_BSD_CONSTANTS: dict[str, int] = {
    "IPPROTO_SCTP": 132,
    "MSG_NOTIFICATION": 0x2000,
    "SCTP_RTOINFO": 0x1,
    "SCTP_ASSOCINFO": 0x2,
    "SCTP_INITMSG": 0x3,
    "SCTP_NODELAY": 0x4,
    "SCTP_AUTOCLOSE": 0x5,
    "SCTP_PEER_ADDR_PARAMS": 0xA,
    "SCTP_EVENT": 0x1E,
    "SCTP_RECVRCVINFO": 0x1F,
    "SCTP_RECVNXTINFO": 0x20,
    "SCTP_DEFAULT_SNDINFO": 0x21,
    "SCTP_STATUS": 0x100,
    "SCTP_GET_PEER_ADDR_INFO": 0x101,
    "SCTP_NOTIFICATION": 0x10,
    "SCTP_COMPLETE": 0x20,
    "SCTP_EOF": 0x100,
    "SCTP_ABORT": 0x200,
    "SCTP_UNORDERED": 0x400,
    "SCTP_ADDR_OVER": 0x800,
    "SCTP_SENDALL": 0x1000,
    "SCTP_EOR": 0x2000,
    "SCTP_SACK_IMMEDIATELY": 0x4000,
    # PR-SCTP policies are the low four bits
    "SCTP_PR_SCTP_NONE": 0,
    "SCTP_PR_SCTP_TTL": 1,
    "SCTP_PR_SCTP_BUF": 2,
    "SCTP_PR_SCTP_RTX": 3,
    "SCTP_ASSOC_CHANGE": 0x1,
    "SCTP_PEER_ADDR_CHANGE": 0x2,
    "SCTP_REMOTE_ERROR": 0x3,
    "SCTP_SEND_FAILED": 0x4,
    "SCTP_SHUTDOWN_EVENT": 0x5,
    "SCTP_ADAPTATION_INDICATION": 0x6,
    "SCTP_PARTIAL_DELIVERY_EVENT": 0x7,
    "SCTP_AUTHENTICATION_EVENT": 0x8,
    "SCTP_STREAM_RESET_EVENT": 0x9,
    "SCTP_SENDER_DRY_EVENT": 0xA,
    "SCTP_NOTIFICATIONS_STOPPED_EVENT": 0xB,
    "SCTP_ASSOC_RESET_EVENT": 0xC,
    "SCTP_STREAM_CHANGE_EVENT": 0xD,
    "SCTP_SEND_FAILED_EVENT": 0xE,
    "SCTP_COMM_UP": 1,
    "SCTP_COMM_LOST": 2,
    "SCTP_RESTART": 3,
    "SCTP_SHUTDOWN_COMP": 4,
    "SCTP_CANT_STR_ASSOC": 5,
    "SCTP_ASSOC_SUPPORTS_PR": 1,
    "SCTP_ASSOC_SUPPORTS_AUTH": 2,
    "SCTP_ASSOC_SUPPORTS_ASCONF": 3,
    "SCTP_ASSOC_SUPPORTS_MULTIBUF": 4,
    "SCTP_ASSOC_SUPPORTS_RE_CONFIG": 5,
    "SCTP_ASSOC_SUPPORTS_INTERLEAVING": 6,
    "SCTP_ADDR_AVAILABLE": 1,
    "SCTP_ADDR_UNREACHABLE": 2,
    "SCTP_ADDR_REMOVED": 3,
    "SCTP_ADDR_ADDED": 4,
    "SCTP_ADDR_MADE_PRIM": 5,
    "SCTP_ADDR_CONFIRMED": 6,
    "SCTP_DATA_UNSENT": 1,
    "SCTP_DATA_SENT": 2,
    "SCTP_PARTIAL_DELIVERY_ABORTED": 1,
    "SCTP_AUTH_NEW_KEY": 1,
    "SCTP_AUTH_NO_AUTH": 2,
    "SCTP_AUTH_FREE_KEY": 3,
    "SCTP_ACTIVE": 1,
    "SCTP_INACTIVE": 2,
    "SCTP_UNCONFIRMED": 0x200,
    "SCTP_CLOSED": 0,
    "SCTP_BOUND": 0x1000,
    "SCTP_LISTEN": 0x2000,
    "SCTP_COOKIE_WAIT": 0x2,
    "SCTP_COOKIE_ECHOED": 0x4,
    "SCTP_ESTABLISHED": 0x8,
    "SCTP_SHUTDOWN_SENT": 0x10,
    "SCTP_SHUTDOWN_RECEIVED": 0x20,
    "SCTP_SHUTDOWN_ACK_SENT": 0x40,
    "SCTP_SHUTDOWN_PENDING": 0x80,
    **_SPP,
    **_RESET_FLAGS,
    **_RECVV_SENDV,
}

FREEBSD_CONSTANTS: dict[str, int] = {
    **_BSD_CONSTANTS,
    "MSG_EOR": 0x8,  # FreeBSD's <sys/socket.h>
    # FreeBSD keeps the deprecated options and the cmsg interface.
    "SCTP_DEFAULT_SEND_PARAM": 0xB,
    "SCTP_EVENTS": 0xC,
    "SCTP_INIT": 0x1,
    "SCTP_SNDRCV": 0x2,
    "SCTP_EXTRCV": 0x3,
    "SCTP_SNDINFO": 0x4,
    "SCTP_RCVINFO": 0x5,
    "SCTP_NXTINFO": 0x6,
    "SCTP_PRINFO": 0x7,
    "SCTP_AUTHINFO": 0x8,
    "SCTP_DSTADDRV4": 0x9,
    "SCTP_DSTADDRV6": 0xA,
}

#: usrsctp has no cmsgs (sendv/recvv take the structs directly), and its
#: header leaves out the deprecated SCTP_EVENTS and SCTP_DEFAULT_SEND_PARAM.
USRSCTP_CONSTANTS: dict[str, int] = {
    **_BSD_CONSTANTS,
    "MSG_EOR": socket.MSG_EOR,  # the host's: the library is built against its libc
}

#: Where usrsctp.h (0.9.5) declares a struct otherwise than the library
#: (usrsctplib/netinet/sctp_uio.h, FreeBSD's) fills it: struct -> {field:
#: (offset in the header or None when the header lacks the field, sizeof in
#: the header)}.  tests/test_layout.py checks these against usrsctp.h, so a
#: fixed header shows up as a failing test.
USRSCTP_HEADER_DRIFT: dict[str, tuple[dict[str, int | None], int]] = {
    # The header widens pdapi_stream and pdapi_seq to 32 bits.
    "sctp_pdapi_event": ({"stream": 12, "seq": 16, "assoc_id": 20}, 24),
    # The header lacks auth_altkeynumber (bytes 10-11 are padding there).
    "sctp_authkey_event": ({"altkeynumber": None}, 20),
}

LINUX = Abi("linux", "linux", 10, _linux_structs(), LINUX_CONSTANTS)
FREEBSD = Abi("freebsd", "bsd", 28, _bsd_structs(), FREEBSD_CONSTANTS)
USRSCTP = Abi(
    "usrsctp",
    "linux",
    socket.AF_INET6,
    _bsd_structs(),
    USRSCTP_CONSTANTS,
    # sctp_send_failed carries a sctp_sndrcvinfo: the library can still send it.
    internal=frozenset({"sctp_sndrcvinfo", "sctp_send_failed"}),
)
ABIS: dict[str, Abi] = {"linux": LINUX, "freebsd": FREEBSD, "usrsctp": USRSCTP}


def abi(name: AbiLike) -> Abi:
    """The Abi ``name`` names (an Abi passes through); ValueError for an unknown name."""
    if isinstance(name, Abi):
        return name
    try:
        return ABIS[name]
    except KeyError:
        raise ValueError(f"unknown ABI {name!r}: expected one of {sorted(ABIS)}") from None


# --- Packing ----------------------------------------------------------------------------------

Value = int | Address | None | Mapping[str, object]


def check_int(name: str, value: object, kind: Kind) -> int:
    """``value`` as an int that fits ``kind``; ValueError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not kind.low <= value <= kind.high:
        raise ValueError(
            f"{name} must be from {kind.low} to {kind.high} ({kind.c_type}), not {value}"
        )
    return value


def pack(st: Struct, a: Abi, values: Mapping[str, object], owner: str = "") -> bytes:
    """``st`` with ``values`` (by Python field name) written in; every other byte is 0."""
    buf = bytearray(st.size)
    _pack_into(buf, 0, st, a, values, owner or st.c_name)
    return bytes(buf)


def _pack_into(
    buf: bytearray, base: int, st: Struct, a: Abi, values: Mapping[str, object], owner: str
) -> None:
    for name, value in values.items():
        f = st.field(name)
        where = f"{owner}.{name}"
        if f.kind is None:
            if not isinstance(value, Mapping):
                raise TypeError(f"{where} must be a mapping of {f.nested}'s fields")
            _pack_into(buf, base + f.offset, a.struct(f.nested), a, value, where)
        elif f.kind is ADDR:
            buf[base + f.offset : base + f.offset + ADDR.size] = _pack_addr(where, value, a)
        else:
            struct.pack_into(f.kind.fmt, buf, base + f.offset, check_int(where, value, f.kind))


def _pack_addr(where: str, value: object, a: Abi) -> bytes:
    if value is None:
        return bytes(ADDR.size)
    if not isinstance(value, Address):
        raise TypeError(f"{where} must be a checked address (sctpx._addr.Address) or None")
    return pack_one(value, a.sockaddr).ljust(ADDR.size, b"\0")


def unpack(st: Struct, a: Abi, data: bytes | bytearray | memoryview) -> dict[str, object]:
    """Every field of ``st`` read from the start of ``data``; ValueError if it is short."""
    view = memoryview(data).cast("B")
    if len(view) < st.size:
        raise ValueError(f"struct {st.c_name} takes {st.size} bytes, got {len(view)}")
    return _unpack_from(view, 0, st, a)


def _unpack_from(view: memoryview, base: int, st: Struct, a: Abi) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in st.fields:
        at = base + f.offset
        if f.kind is None:
            out[f.name] = _unpack_from(view, at, a.struct(f.nested), a)
        elif f.kind is ADDR:
            out[f.name] = read_sockaddr(view[at : at + ADDR.size], a)
        else:
            out[f.name] = struct.unpack_from(f.kind.fmt, view, at)[0]
    return out


def read_sockaddr(data: bytes | memoryview, a: Abi) -> Address | None:
    """The IPv4 or IPv6 address at the start of ``data`` (a sockaddr_storage), or None.

    None for an empty slot (family 0) and for families sctpx does not
    model (usrsctp's AF_CONN): never an exception on bytes of the right size.
    """
    view = memoryview(data).cast("B")
    if len(view) < SOCKADDR_IN_SIZE:
        raise ValueError(f"a sockaddr takes at least {SOCKADDR_IN_SIZE} bytes, got {len(view)}")
    if a.sockaddr == "bsd":
        family = view[1]
    else:
        (family,) = struct.unpack_from("=H", view, 0)
    if family == 2:
        (port,) = struct.unpack_from("!H", view, 2)
        host = socket.inet_ntop(socket.AF_INET, bytes(view[4:8]))
        return Address(socket.AF_INET, host, port)
    if family == a.af_inet6 and len(view) >= SOCKADDR_IN6_SIZE:
        port, flowinfo = struct.unpack_from("!HI", view, 2)
        host = socket.inet_ntop(socket.AF_INET6, bytes(view[8:24]))
        (scope_id,) = struct.unpack_from("=I", view, 24)
        return Address(socket.AF_INET6, host, port, flowinfo, scope_id)
    return None
