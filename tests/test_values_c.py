"""sctpx's packing and parsing against C code compiled with the real headers.

Each case is a few lines of C that fill a struct the way a C program would
(htonl on the PPID, inet_pton into the sockaddr) and print its bytes, and a
Python check: sctpx must pack the same value into the same bytes, or read
the C bytes back into the expected typed value.  The Linux kernel's ABI is
checked through lksctp-tools' <netinet/sctp.h>, usrsctp's through
<usrsctp.h>; FreeBSD's, which cannot be compiled here, in
tests/test_values_freebsd.py.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from oracle import unavailable

from mdoc2rst.contract.headercheck import CompilerMissing, find_compiler
from sctpx import _layout
from sctpx import _notifications as n
from sctpx import _options as o
from sctpx import _values as v
from sctpx._addr import parse_address

HEADERS = {
    "linux": ("/usr/include/netinet/sctp.h", "libsctp-dev", "#include <netinet/sctp.h>"),
    "usrsctp": ("/usr/include/usrsctp.h", "libusrsctp-dev", "#include <usrsctp.h>"),
}

V6 = parse_address(("fe80::1", 5000, 0x12345, 3))
V4 = parse_address(("192.0.2.1", 9))

PRELUDE = r"""
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
%s
static void dump(const char *name, const void *p, size_t n) {
    printf("%%s ", name);
    for (size_t i = 0; i < n; i++) printf("%%02x", ((const unsigned char *)p)[i]);
    printf("\n");
}
/* Copies, so that no pointer into a packed struct is taken. */
static void put_v6(void *at) {
    struct sockaddr_in6 s; memset(&s, 0, sizeof s);
    s.sin6_family = AF_INET6; s.sin6_port = htons(5000);
    s.sin6_flowinfo = htonl(0x12345); s.sin6_scope_id = 3;
    inet_pton(AF_INET6, "fe80::1", &s.sin6_addr);
    memcpy(at, &s, sizeof s);
}
static void put_v4(void *at) {
    struct sockaddr_in s; memset(&s, 0, sizeof s);
    s.sin_family = AF_INET; s.sin_port = htons(9);
    inet_pton(AF_INET, "192.0.2.1", &s.sin_addr);
    memcpy(at, &s, sizeof s);
}
#define AT(var, type, field) ((char *)&(var) + offsetof(type, field))
int main(void) {
"""


@dataclass(frozen=True)
class Case:
    name: str
    abis: tuple[str, ...]
    c: str  # fills a variable and dumps it under the case's name
    check: Callable[[bytes, _layout.Abi], None]


def packs(make: Callable[[_layout.Abi], bytes]) -> Callable[[bytes, _layout.Abi], None]:
    def check(c_bytes: bytes, a: _layout.Abi) -> None:
        assert make(a).hex() == c_bytes.hex()

    return check


def reads(
    parse: Callable[[bytes, _layout.Abi], object], expected: Callable[[_layout.Abi], object]
) -> Callable[[bytes, _layout.Abi], None]:
    def check(c_bytes: bytes, a: _layout.Abi) -> None:
        assert parse(c_bytes, a) == expected(a)

    return check


BOTH = ("linux", "usrsctp")
SEND = v.SendInfo(
    stream=7,
    ppid=0xDEADBEEF,
    flags=v.MsgFlag.UNORDERED | v.MsgFlag.SACK_IMMEDIATELY,
    context=0x11223344,
    assoc_id=42,
)

CASES = [
    Case(
        "sndinfo",
        BOTH,
        """struct sctp_sndinfo s; memset(&s, 0, sizeof s);
        s.snd_sid = 7; s.snd_flags = SCTP_UNORDERED | SCTP_SACK_IMMEDIATELY;
        s.snd_ppid = htonl(0xDEADBEEF); s.snd_context = 0x11223344; s.snd_assoc_id = 42;""",
        packs(lambda a: v.pack_sndinfo(SEND, a)),
    ),
    Case(
        "sndrcvinfo",
        ("linux",),
        """struct sctp_sndrcvinfo s; memset(&s, 0, sizeof s);
        s.sinfo_stream = 65535; s.sinfo_flags = SCTP_EOF | SCTP_ADDR_OVER | SCTP_PR_SCTP_RTX;
        s.sinfo_ppid = htonl(1); s.sinfo_context = 0xFFFFFFFF; s.sinfo_timetolive = 500;
        s.sinfo_assoc_id = 7;""",
        packs(
            lambda a: v.pack_sndrcvinfo(
                v.SendInfo(
                    stream=65535,
                    flags=v.MsgFlag.EOF | v.MsgFlag.ADDR_OVER,
                    ppid=1,
                    context=0xFFFFFFFF,
                    ttl=500,
                    policy=v.PrPolicy.RTX,
                    assoc_id=7,
                ),
                a,
            )
        ),
    ),
    Case(
        "prinfo",
        BOTH,
        """struct sctp_prinfo s; memset(&s, 0, sizeof s);
        s.pr_policy = SCTP_PR_SCTP_TTL; s.pr_value = 250;""",
        packs(lambda a: v.pack_prinfo(v.SendInfo(ttl=250), a)),
    ),
    Case(
        "spa",
        BOTH,
        """struct sctp_sendv_spa s; memset(&s, 0, sizeof s);
        s.sendv_flags = SCTP_SEND_SNDINFO_VALID | SCTP_SEND_PRINFO_VALID
            | SCTP_SEND_AUTHINFO_VALID;
        s.sendv_sndinfo.snd_sid = 7;
        s.sendv_sndinfo.snd_flags = SCTP_UNORDERED | SCTP_SACK_IMMEDIATELY;
        s.sendv_sndinfo.snd_ppid = htonl(0xDEADBEEF);
        s.sendv_sndinfo.snd_context = 0x11223344; s.sendv_sndinfo.snd_assoc_id = 42;
        s.sendv_prinfo.pr_policy = SCTP_PR_SCTP_RTX; s.sendv_prinfo.pr_value = 4;
        s.sendv_authinfo.auth_keynumber = 2;""",
        packs(
            lambda a: v.sendv_info(
                v.SendInfo(
                    stream=7,
                    ppid=0xDEADBEEF,
                    flags=SEND.flags,
                    context=0x11223344,
                    assoc_id=42,
                    ttl=4,
                    policy=v.PrPolicy.RTX,
                    auth_key=2,
                ),
                a,
            )[1]
        ),
    ),
    Case(
        "rcvinfo",
        BOTH,
        """struct sctp_rcvinfo s; memset(&s, 0, sizeof s);
        s.rcv_sid = 3; s.rcv_ssn = 9; s.rcv_flags = SCTP_UNORDERED;
        s.rcv_ppid = htonl(0x01020304); s.rcv_tsn = 100; s.rcv_cumtsn = 99;
        s.rcv_context = 5; s.rcv_assoc_id = 6;""",
        reads(
            lambda b, a: v.unpack_rcvinfo(b, a, a.constant("MSG_EOR")),
            lambda a: v.RecvInfo(
                stream=3,
                ppid=0x01020304,
                flags=v.MsgFlag.UNORDERED,
                context=5,
                assoc_id=6,
                ssn=9,
                tsn=100,
                cumtsn=99,
                eor=True,
            ),
        ),
    ),
    Case(
        "nxtinfo",
        BOTH,
        """struct sctp_nxtinfo s; memset(&s, 0, sizeof s);
        s.nxt_sid = 1; s.nxt_flags = SCTP_NOTIFICATION; s.nxt_ppid = htonl(77);
        s.nxt_length = 1000; s.nxt_assoc_id = 8;""",
        reads(
            v.unpack_nxtinfo,
            lambda a: v.NextInfo(1, 77, v.MsgFlag.NOTIFICATION, 1000, 8),
        ),
    ),
    Case(
        "event",
        BOTH,
        """struct sctp_event s; memset(&s, 0, sizeof s);
        s.se_assoc_id = SCTP_ALL_ASSOC; s.se_type = SCTP_SENDER_DRY_EVENT; s.se_on = 1;""",
        packs(lambda a: n.pack_event(n.EventSetting(n.Event.SENDER_DRY, True, 2), a)),
    ),
    Case(
        "subscribe",
        BOTH,
        """struct sctp_event_subscribe s; memset(&s, 0, sizeof s);
        s.sctp_association_event = 1; s.sctp_shutdown_event = 1;
        s.sctp_sender_dry_event = 1;""",
        packs(
            lambda a: n.pack_event_subscribe(
                {n.Event.ASSOC_CHANGE, n.Event.SHUTDOWN, n.Event.SENDER_DRY}, a
            )
        ),
    ),
    Case(
        "initmsg",
        BOTH,
        """struct sctp_initmsg s; memset(&s, 0, sizeof s);
        s.sinit_num_ostreams = 10; s.sinit_max_instreams = 65535;
        s.sinit_max_attempts = 3; s.sinit_max_init_timeo = 60000;""",
        packs(lambda a: o.OPTIONS["SCTP_INITMSG"].pack(o.InitMsg(10, 65535, 3, 60000), a)),
    ),
    Case(
        "rtoinfo",
        BOTH,
        """struct sctp_rtoinfo s; memset(&s, 0, sizeof s);
        s.srto_assoc_id = 4; s.srto_initial = 3000; s.srto_max = 60000; s.srto_min = 1000;""",
        packs(lambda a: o.OPTIONS["SCTP_RTOINFO"].pack(o.RtoInfo(4, 3000, 60000, 1000), a)),
    ),
    Case(
        "assocparams",
        BOTH,
        """struct sctp_assocparams s; memset(&s, 0, sizeof s);
        s.sasoc_assoc_id = 4; s.sasoc_asocmaxrxt = 10; s.sasoc_number_peer_destinations = 2;
        s.sasoc_peer_rwnd = 65536; s.sasoc_local_rwnd = 131072; s.sasoc_cookie_life = 60000;""",
        packs(
            lambda a: o.OPTIONS["SCTP_ASSOCINFO"].pack(
                o.AssocParams(4, 10, 2, 65536, 131072, 60000), a
            )
        ),
    ),
    Case(
        "paddrparams",
        ("linux",),
        """struct sctp_paddrparams s; memset(&s, 0, sizeof s);
        s.spp_assoc_id = 4; put_v6(AT(s, struct sctp_paddrparams, spp_address));
        s.spp_hbinterval = 1000; s.spp_pathmaxrxt = 5; s.spp_pathmtu = 1400;
        s.spp_sackdelay = 200; s.spp_flags = SPP_HB_ENABLE | SPP_PMTUD_DISABLE;
        s.spp_ipv6_flowlabel = 7; s.spp_dscp = 0x2e;""",
        packs(
            lambda a: o.OPTIONS["SCTP_PEER_ADDR_PARAMS"].pack(
                o.PeerAddrParams(
                    4,
                    ("fe80::1", 5000, 0x12345, 3),
                    hbinterval=1000,
                    pathmaxrxt=5,
                    pathmtu=1400,
                    sackdelay=200,
                    flags=o.PathFlag.HB_ENABLE | o.PathFlag.PMTUD_DISABLE,
                    ipv6_flowlabel=7,
                    dscp=0x2E,
                ),
                a,
            )
        ),
    ),
    Case(
        "paddrparams_bsd",
        ("usrsctp",),
        """struct sctp_paddrparams s; memset(&s, 0, sizeof s);
        s.spp_assoc_id = 4; put_v4(&s.spp_address);
        s.spp_hbinterval = 1000; s.spp_pathmaxrxt = 5; s.spp_pathmtu = 1400;
        s.spp_flags = SPP_HB_DISABLE | SPP_DSCP; s.spp_ipv6_flowlabel = 0; s.spp_dscp = 8;""",
        packs(
            lambda a: o.OPTIONS["SCTP_PEER_ADDR_PARAMS"].pack(
                o.PeerAddrParams(
                    4,
                    ("192.0.2.1", 9),
                    hbinterval=1000,
                    pathmaxrxt=5,
                    pathmtu=1400,
                    flags=o.PathFlag.HB_DISABLE | o.PathFlag.DSCP,
                    dscp=8,
                ),
                a,
            )
        ),
    ),
    Case(
        "status",
        BOTH,
        """struct sctp_status s; memset(&s, 0, sizeof s);
        s.sstat_assoc_id = 3; s.sstat_state = SCTP_ESTABLISHED; s.sstat_rwnd = 106496;
        s.sstat_unackdata = 1; s.sstat_penddata = 2; s.sstat_instrms = 10;
        s.sstat_outstrms = 11; s.sstat_fragmentation_point = 1452;
        s.sstat_primary.spinfo_assoc_id = 3;
        put_v6(AT(s, struct sctp_status, sstat_primary.spinfo_address));
        s.sstat_primary.spinfo_state = SCTP_ACTIVE; s.sstat_primary.spinfo_cwnd = 4380;
        s.sstat_primary.spinfo_srtt = 12; s.sstat_primary.spinfo_rto = 1000;
        s.sstat_primary.spinfo_mtu = 1500;""",
        reads(
            o.OPTIONS["SCTP_STATUS"].unpack,
            lambda a: o.Status(
                3,
                o.AssocStatus.ESTABLISHED,
                106496,
                1,
                2,
                10,
                11,
                1452,
                o.PeerAddrInfo(3, V6, o.PathState.ACTIVE, 4380, 12, 1000, 1500),
            ),
        ),
    ),
    Case(
        "paddrinfo_query",
        BOTH,
        """struct sctp_paddrinfo s; memset(&s, 0, sizeof s);
        s.spinfo_assoc_id = 9; put_v4(AT(s, struct sctp_paddrinfo, spinfo_address));""",
        packs(
            lambda a: o.OPTIONS["SCTP_GET_PEER_ADDR_INFO"].pack(
                o.PeerAddrInfo(9, ("192.0.2.1", 9)), a
            )
        ),
    ),
    # Notifications: C fills them as the stack would; sctpx reads them back.
    Case(
        "assoc_change",
        BOTH,
        """unsigned char b[64]; struct sctp_assoc_change s; memset(&s, 0, sizeof s);
        s.sac_type = SCTP_ASSOC_CHANGE; s.sac_length = sizeof s + 2;
        s.sac_state = SCTP_COMM_UP; s.sac_outbound_streams = 10;
        s.sac_inbound_streams = 5; s.sac_assoc_id = 1;
        memcpy(b, &s, sizeof s); b[sizeof s] = 1; b[sizeof s + 1] = 2;
        dump("assoc_change", b, sizeof s + 2); (void)0;""",
        reads(
            n.parse_notification,
            lambda a: n.AssocChange(
                1,
                n.AssocState.COMM_UP,
                0,
                10,
                5,
                (n.Feature.PR, n.Feature.AUTH) if a.name != "linux" else (1, 2),
            ),
        ),
    ),
    Case(
        "paddr_change",
        BOTH,
        """struct sctp_paddr_change s; memset(&s, 0, sizeof s);
        s.spc_type = SCTP_PEER_ADDR_CHANGE; s.spc_length = sizeof s;
        put_v6(AT(s, struct sctp_paddr_change, spc_aaddr));
        s.spc_state = SCTP_ADDR_UNREACHABLE; s.spc_error = 5; s.spc_assoc_id = 2;""",
        reads(
            n.parse_notification,
            lambda a: n.PeerAddrChange(2, V6, n.AddrState.UNREACHABLE, 5),
        ),
    ),
    Case(
        "remote_error",
        BOTH,
        """unsigned char b[64]; struct sctp_remote_error s; memset(&s, 0, sizeof s);
        s.sre_type = SCTP_REMOTE_ERROR; s.sre_length = sizeof s + 4;
        s.sre_error = REMOTE_CAUSE; s.sre_assoc_id = 3;
        memcpy(b, &s, sizeof s); memcpy(b + sizeof s, "\\x00\\x05\\x00\\x00", 4);
        dump("remote_error", b, sizeof s + 4); (void)0;""",
        reads(n.parse_notification, lambda a: n.RemoteError(3, 1, b"\x00\x05\x00\x00")),
    ),
    Case(
        "send_failed_event",
        BOTH,
        """unsigned char b[64]; struct sctp_send_failed_event s; memset(&s, 0, sizeof s);
        s.SSFE(type) = SCTP_SEND_FAILED_EVENT; s.SSFE(length) = sizeof s + 3;
        s.SSFE(flags) = SCTP_DATA_SENT; s.SSFE(error) = 12;
        s.ssfe_info.snd_sid = 7; s.ssfe_info.snd_flags = SCTP_UNORDERED | SCTP_SACK_IMMEDIATELY;
        s.ssfe_info.snd_ppid = htonl(0xDEADBEEF); s.ssfe_info.snd_context = 0x11223344;
        s.ssfe_info.snd_assoc_id = 42; s.SSFE(assoc_id) = 42;
        memcpy(b, &s, sizeof s); memcpy(b + sizeof s, "abc", 3);
        dump("send_failed_event", b, sizeof s + 3); (void)0;""",
        reads(n.parse_notification, lambda a: n.SendFailed(42, 12, True, SEND, b"abc")),
    ),
    Case(
        "shutdown",
        BOTH,
        """struct sctp_shutdown_event s; memset(&s, 0, sizeof s);
        s.sse_type = SCTP_SHUTDOWN_EVENT; s.sse_length = sizeof s; s.sse_assoc_id = 4;""",
        reads(n.parse_notification, lambda a: n.Shutdown(4)),
    ),
    Case(
        "sender_dry",
        BOTH,
        """struct sctp_sender_dry_event s; memset(&s, 0, sizeof s);
        s.sender_dry_type = SCTP_SENDER_DRY_EVENT; s.sender_dry_length = sizeof s;
        s.sender_dry_assoc_id = 5;""",
        reads(n.parse_notification, lambda a: n.SenderDry(5)),
    ),
    Case(
        "adaptation",
        BOTH,
        """struct sctp_adaptation_event s; memset(&s, 0, sizeof s);
        s.sai_type = SCTP_ADAPTATION_INDICATION; s.sai_length = sizeof s;
        s.sai_adaptation_ind = 0x01020304; s.sai_assoc_id = 6;""",
        reads(n.parse_notification, lambda a: n.AdaptationIndication(6, 0x01020304)),
    ),
    # usrsctp.h's sctp_pdapi_event is not what the library fills (see
    # USRSCTP_HEADER_DRIFT); tests/test_values.py reads the library's layout.
    Case(
        "pdapi",
        ("linux",),
        """struct sctp_pdapi_event s; memset(&s, 0, sizeof s);
        s.pdapi_type = SCTP_PARTIAL_DELIVERY_EVENT; s.pdapi_length = sizeof s;
        s.pdapi_indication = SCTP_PARTIAL_DELIVERY_ABORTED; s.pdapi_assoc_id = 7;
        s.pdapi_stream = 3; s.pdapi_seq = 9;""",
        reads(
            n.parse_notification,
            lambda a: n.PartialDelivery(7, n.PartialDeliveryIndication.ABORTED, 3, 9),
        ),
    ),
    Case(
        "authkey",
        BOTH,
        """struct sctp_authkey_event s; memset(&s, 0, sizeof s);
        s.auth_type = SCTP_AUTHENTICATION_EVENT; s.auth_length = sizeof s;
        s.auth_keynumber = 2; s.auth_indication = SCTP_AUTH_NO_AUTH; s.auth_assoc_id = 8;""",
        reads(n.parse_notification, lambda a: n.Authentication(8, 2, 0, n.AuthIndication.NO_AUTH)),
    ),
    Case(
        "stream_reset",
        BOTH,
        """unsigned char b[64]; struct sctp_stream_reset_event s; memset(&s, 0, sizeof s);
        unsigned short list[2] = {1, 300};
        s.strreset_type = SCTP_STREAM_RESET_EVENT; s.strreset_length = sizeof s + 4;
        s.strreset_flags = SCTP_STREAM_RESET_INCOMING_SSN; s.strreset_assoc_id = 9;
        memcpy(b, &s, sizeof s); memcpy(b + sizeof s, list, 4);
        dump("stream_reset", b, sizeof s + 4); (void)0;""",
        reads(n.parse_notification, lambda a: n.StreamReset(9, 1, (1, 300))),
    ),
    Case(
        "assoc_reset",
        BOTH,
        """struct sctp_assoc_reset_event s; memset(&s, 0, sizeof s);
        s.assocreset_type = SCTP_ASSOC_RESET_EVENT; s.assocreset_length = sizeof s;
        s.assocreset_flags = SCTP_ASSOC_RESET_DENIED; s.assocreset_assoc_id = 1;
        s.assocreset_local_tsn = 10; s.assocreset_remote_tsn = 20;""",
        reads(n.parse_notification, lambda a: n.AssocReset(1, 4, 10, 20)),
    ),
    Case(
        "stream_change",
        BOTH,
        """struct sctp_stream_change_event s; memset(&s, 0, sizeof s);
        s.strchange_type = SCTP_STREAM_CHANGE_EVENT; s.strchange_length = sizeof s;
        s.strchange_assoc_id = 2; s.strchange_instrms = 16; s.strchange_outstrms = 32;""",
        reads(n.parse_notification, lambda a: n.StreamChange(2, 0, 16, 32)),
    ),
]


def program(name: str) -> str:
    include = HEADERS[name][2]
    # Linux spells the RFC 6458 send-failed fields ssf_, the BSDs ssfe_; Linux's
    # sre_error is the cause in network byte order, the BSDs' in host order.
    if name == "linux":
        include += "\n#define SSFE(f) ssf_##f\n#define REMOTE_CAUSE htons(1)"
    else:
        include += "\n#define SSFE(f) ssfe_##f\n#define REMOTE_CAUSE 1"
    body = []
    for case in CASES:
        if name not in case.abis:
            continue
        dumped = f'dump("{case.name}",' in case.c
        tail = "" if dumped else f'\n        dump("{case.name}", &s, sizeof s);'
        body.append(f"    {{\n        {case.c}{tail}\n    }}")
    return PRELUDE % include + "\n".join(body) + "\n    return 0;\n}\n"


@cache
def dumped(name: str, workdir: str) -> dict[str, bytes]:
    header, package, _ = HEADERS[name]
    if not Path(header).exists():
        unavailable(f"{header} is missing (apt-get install {package})")
    try:
        cc = find_compiler()
    except CompilerMissing as exc:
        unavailable(str(exc))
    source = Path(workdir) / f"{name}.c"
    source.write_text(program(name))
    binary = Path(workdir) / name
    built = subprocess.run(
        [cc, "-std=gnu11", "-Wall", "-Wno-address-of-packed-member", "-o", str(binary),
         str(source)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    run = subprocess.run([str(binary)], capture_output=True, text=True, check=True, timeout=30)
    return {k: bytes.fromhex(h) for k, h in (line.split() for line in run.stdout.splitlines())}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("values_c"))


@pytest.mark.parametrize(
    ("abi_name", "case"),
    [(a, c) for c in CASES for a in c.abis],
    ids=[f"{a}-{c.name}" for c in CASES for a in c.abis],
)
def test_same_bytes_as_c(abi_name: str, case: Case, workdir: str) -> None:
    out = dumped(abi_name, workdir)
    case.check(out[case.name], _layout.abi(abi_name))
