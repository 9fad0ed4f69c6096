"""Text tables that mandoc 1.14.6's mdoc validator uses to generate text.

Values are roff source text exactly as in mandoc's C string literals with the C escaping
undone: roff escapes such as ``\\(lq``, ``\\~`` or ``\\-`` are kept verbatim, to be
interpreted by the caller like any other roff text.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "ARCHITECTURES",
    "ATT_VERSIONS",
    "BSD_OS_NAMES",
    "LIBRARIES",
    "NETBSD_ARCHITECTURES",
    "OPENBSD_ARCHITECTURES",
    "SECTION_VOLUMES",
    "STANDARDS",
]

# Reflects mandoc 1.14.6 st.c, mdoc_a2st() (.St argument -> text).
STANDARDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "-p1003.1-88": "IEEE Std 1003.1-1988 (\\(lqPOSIX.1\\(rq)",
        "-p1003.1-90": "IEEE Std 1003.1-1990 (\\(lqPOSIX.1\\(rq)",
        "-p1003.1-96": "ISO/IEC 9945-1:1996 (\\(lqPOSIX.1\\(rq)",
        "-p1003.1-2001": "IEEE Std 1003.1-2001 (\\(lqPOSIX.1\\(rq)",
        "-p1003.1-2004": "IEEE Std 1003.1-2004 (\\(lqPOSIX.1\\(rq)",
        "-p1003.1-2008": "IEEE Std 1003.1-2008 (\\(lqPOSIX.1\\(rq)",
        "-p1003.1": "IEEE Std 1003.1 (\\(lqPOSIX.1\\(rq)",
        "-p1003.1b": "IEEE Std 1003.1b (\\(lqPOSIX.1b\\(rq)",
        "-p1003.1b-93": "IEEE Std 1003.1b-1993 (\\(lqPOSIX.1b\\(rq)",
        "-p1003.1c-95": "IEEE Std 1003.1c-1995 (\\(lqPOSIX.1c\\(rq)",
        "-p1003.1g-2000": "IEEE Std 1003.1g-2000 (\\(lqPOSIX.1g\\(rq)",
        "-p1003.1i-95": "IEEE Std 1003.1i-1995 (\\(lqPOSIX.1i\\(rq)",
        "-p1003.2": "IEEE Std 1003.2 (\\(lqPOSIX.2\\(rq)",
        "-p1003.2-92": "IEEE Std 1003.2-1992 (\\(lqPOSIX.2\\(rq)",
        "-p1003.2a-92": "IEEE Std 1003.2a-1992 (\\(lqPOSIX.2\\(rq)",
        "-isoC": "ISO/IEC 9899:1990 (\\(lqISO\\~C90\\(rq)",
        "-isoC-90": "ISO/IEC 9899:1990 (\\(lqISO\\~C90\\(rq)",
        "-isoC-amd1": "ISO/IEC 9899/AMD1:1995 (\\(lqISO\\~C90, Amendment 1\\(rq)",
        "-isoC-tcor1": "ISO/IEC 9899/TCOR1:1994 (\\(lqISO\\~C90, Technical Corrigendum 1\\(rq)",
        "-isoC-tcor2": "ISO/IEC 9899/TCOR2:1995 (\\(lqISO\\~C90, Technical Corrigendum 2\\(rq)",
        "-isoC-99": "ISO/IEC 9899:1999 (\\(lqISO\\~C99\\(rq)",
        "-isoC-2011": "ISO/IEC 9899:2011 (\\(lqISO\\~C11\\(rq)",
        "-iso9945-1-90": "ISO/IEC 9945-1:1990 (\\(lqPOSIX.1\\(rq)",
        "-iso9945-1-96": "ISO/IEC 9945-1:1996 (\\(lqPOSIX.1\\(rq)",
        "-iso9945-2-93": "ISO/IEC 9945-2:1993 (\\(lqPOSIX.2\\(rq)",
        "-ansiC": "ANSI X3.159-1989 (\\(lqANSI\\~C89\\(rq)",
        "-ansiC-89": "ANSI X3.159-1989 (\\(lqANSI\\~C89\\(rq)",
        "-ieee754": "IEEE Std 754-1985",
        "-iso8802-3": "ISO 8802-3: 1989",
        "-iso8601": "ISO 8601",
        "-ieee1275-94": "IEEE Std 1275-1994 (\\(lqOpen Firmware\\(rq)",
        "-xpg3": "X/Open Portability Guide Issue\\~3 (\\(lqXPG3\\(rq)",
        "-xpg4": "X/Open Portability Guide Issue\\~4 (\\(lqXPG4\\(rq)",
        "-xpg4.2": "X/Open Portability Guide Issue\\~4, Version\\~2 (\\(lqXPG4.2\\(rq)",
        "-xbd5": "X/Open Base Definitions Issue\\~5 (\\(lqXBD5\\(rq)",
        "-xcu5": "X/Open Commands and Utilities Issue\\~5 (\\(lqXCU5\\(rq)",
        "-xsh4.2": (
            "X/Open System Interfaces and Headers Issue\\~4, Version\\~2 (\\(lqXSH4.2\\(rq)"
        ),
        "-xsh5": "X/Open System Interfaces and Headers Issue\\~5 (\\(lqXSH5\\(rq)",
        "-xns5": "X/Open Networking Services Issue\\~5 (\\(lqXNS5\\(rq)",
        "-xns5.2": "X/Open Networking Services Issue\\~5.2 (\\(lqXNS5.2\\(rq)",
        "-xcurses4.2": "X/Open Curses Issue\\~4, Version\\~2 (\\(lqXCURSES4.2\\(rq)",
        "-susv1": "Version\\~1 of the Single UNIX Specification (\\(lqSUSv1\\(rq)",
        "-susv2": "Version\\~2 of the Single UNIX Specification (\\(lqSUSv2\\(rq)",
        "-susv3": "Version\\~3 of the Single UNIX Specification (\\(lqSUSv3\\(rq)",
        "-susv4": "Version\\~4 of the Single UNIX Specification (\\(lqSUSv4\\(rq)",
        "-svid4": "System\\~V Interface Definition, Fourth Edition (\\(lqSVID4\\(rq)",
    }
)

# Reflects mandoc 1.14.6 lib.in, used by mdoc_a2lib() in lib.c (.Lb argument -> text).
LIBRARIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "lib80211": "802.11 Wireless Network Management Library (lib80211, \\-l80211)",
        "libalias": "Packet Aliasing Library (libalias, \\-lalias)",
        "libarchive": "Streaming Archive Library (libarchive, \\-larchive)",
        "libarm": "ARM Architecture Library (libarm, \\-larm)",
        "libarm32": "ARM32 Architecture Library (libarm32, \\-larm32)",
        "libbe": "Boot Environment Library (libbe, \\-lbe)",
        "libbluetooth": "Bluetooth Library (libbluetooth, \\-lbluetooth)",
        "libbsdxml": "eXpat XML parser library (libbsdxml, \\-lbsdxml)",
        "libbsm": "Basic Security Module Library (libbsm, \\-lbsm)",
        "libc": "Standard C\\~Library (libc, \\-lc)",
        "libc_r": "Reentrant C\\~Library (libc_r, \\-lc_r)",
        "libcalendar": "Calendar Arithmetic Library (libcalendar, \\-lcalendar)",
        "libcam": "Common Access Method User Library (libcam, \\-lcam)",
        "libcasper": "Casper Library (libcasper, \\-lcasper)",
        "libcdk": "Curses Development Kit Library (libcdk, \\-lcdk)",
        "libcipher": "FreeSec Crypt Library (libcipher, \\-lcipher)",
        "libcompat": "Compatibility Library (libcompat, \\-lcompat)",
        "libcrypt": "Crypt Library (libcrypt, \\-lcrypt)",
        "libcurses": "Curses Library (libcurses, \\-lcurses)",
        "libcuse": "Userland Character Device Library (libcuse, \\-lcuse)",
        "libdevattr": "Device attribute and event library (libdevattr, \\-ldevattr)",
        "libdevctl": "Device Control Library (libdevctl, \\-ldevctl)",
        "libdevinfo": "Device and Resource Information Utility Library (libdevinfo, \\-ldevinfo)",
        "libdevstat": "Device Statistics Library (libdevstat, \\-ldevstat)",
        "libdisk": "Interface to Slice and Partition Labels Library (libdisk, \\-ldisk)",
        "libdl": "Dynamic Linker Services Filter (libdl, \\-ldl)",
        "libdm": "Device Mapper Library (libdm, \\-ldm)",
        "libdwarf": "DWARF Access Library (libdwarf, \\-ldwarf)",
        "libedit": "Command Line Editor Library (libedit, \\-ledit)",
        "libefi": "EFI Runtime Services Library (libefi, \\-lefi)",
        "libelf": "ELF Access Library (libelf, \\-lelf)",
        "libevent": "Event Notification Library (libevent, \\-levent)",
        "libexecinfo": "Backtrace Information Library (libexecinfo, \\-lexecinfo)",
        "libfetch": "File Transfer Library (libfetch, \\-lfetch)",
        "libfsid": "Filesystem Identification Library (libfsid, \\-lfsid)",
        "libftpio": "FTP Connection Management Library (libftpio, \\-lftpio)",
        "libform": "Curses Form Library (libform, \\-lform)",
        "libgeom": "Userland API Library for Kernel GEOM subsystem (libgeom, \\-lgeom)",
        "libgpio": "General-Purpose Input Output (GPIO) library (libgpio, \\-lgpio)",
        "libhammer": "HAMMER Filesystem Userland Library (libhammer, \\-lhammer)",
        "libi386": "i386 Architecture Library (libi386, \\-li386)",
        "libintl": "Internationalized Message Handling Library (libintl, \\-lintl)",
        "libipsec": "IPsec Policy Control Library (libipsec, \\-lipsec)",
        "libiscsi": "iSCSI protocol library (libiscsi, \\-liscsi)",
        "libisns": "Internet Storage Name Service Library (libisns, \\-lisns)",
        "libjail": "Jail Library (libjail, \\-ljail)",
        "libkcore": "Kernel Memory Core Access Library (libkcore, \\-lkcore)",
        "libkiconv": "Kernel-side iconv Library (libkiconv, \\-lkiconv)",
        "libkse": "N:M Threading Library (libkse, \\-lkse)",
        "libkvm": "Kernel Data Access Library (libkvm, \\-lkvm)",
        "libm": "Math Library (libm, \\-lm)",
        "libm68k": "m68k Architecture Library (libm68k, \\-lm68k)",
        "libmagic": "Magic Number Recognition Library (libmagic, \\-lmagic)",
        "libmandoc": "Mandoc Macro Compiler Library (libmandoc, \\-lmandoc)",
        "libmd": "Message Digest (MD4, MD5, etc.) Support Library (libmd, \\-lmd)",
        "libmemstat": "Kernel Memory Allocator Statistics Library (libmemstat, \\-lmemstat)",
        "libmenu": "Curses Menu Library (libmenu, \\-lmenu)",
        "libmj": "Minimalist JSON library (libmj, \\-lmj)",
        "libnetgraph": "Netgraph User Library (libnetgraph, \\-lnetgraph)",
        "libnetpgp": (
            "Netpgp Signing, Verification, Encryption and Decryption (libnetpgp, \\-lnetpgp)"
        ),
        "libnetpgpverify": "Netpgp Verification (libnetpgpverify, \\-lnetpgpverify)",
        "libnpf": "NPF Packet Filter Library (libnpf, \\-lnpf)",
        "libnv": "Name/value pairs library (libnv, \\-lnv)",
        "libossaudio": "OSS Audio Emulation Library (libossaudio, \\-lossaudio)",
        "libpam": "Pluggable Authentication Module Library (libpam, \\-lpam)",
        "libpanel": "Z-order for curses windows (libpanel, \\-lpanel)",
        "libpcap": "Packet capture Library (libpcap, \\-lpcap)",
        "libpci": "PCI Bus Access Library (libpci, \\-lpci)",
        "libpmc": "Performance Counters Library (libpmc, \\-lpmc)",
        "libppath": "Property-List Paths Library (libppath, \\-lppath)",
        "libposix": "POSIX Compatibility Library (libposix, \\-lposix)",
        "libposix1e": "POSIX.1e Security API Library (libposix1e, \\-lposix1e)",
        "libproc": "Processor Monitoring and Analysis Library (libproc, \\-lproc)",
        "libprocstat": "Process and Files Information Retrieval (libprocstat, \\-lprocstat)",
        "libprop": "Property Container Object Library (libprop, \\-lprop)",
        "libpthread": "POSIX Threads Library (libpthread, \\-lpthread)",
        "libpthread_dbg": "POSIX Debug Threads Library (libpthread_dbg, \\-lpthread_dbg)",
        "libpuffs": "puffs Convenience Library (libpuffs, \\-lpuffs)",
        "libquota": "Disk Quota Access and Control Library (libquota, \\-lquota)",
        "libradius": "RADIUS Client Library (libradius, \\-lradius)",
        "librefuse": "File System in Userspace Convenience Library (librefuse, \\-lrefuse)",
        "libresolv": "DNS Resolver Library (libresolv, \\-lresolv)",
        "librpcsec_gss": "RPC GSS-API Authentication Library (librpcsec_gss, \\-lrpcsec_gss)",
        "librpcsvc": "RPC Service Library (librpcsvc, \\-lrpcsvc)",
        "librt": "POSIX Real\\-time Library (librt, \\-lrt)",
        "librtld_db": (
            "Debugging interface to the runtime linker Library (librtld_db, \\-lrtld_db)"
        ),
        "librumpclient": (
            "Clientside Stubs for rump Kernel Remote Protocols (librumpclient, \\-lrumpclient)"
        ),
        "libsaslc": (
            "Simple Authentication and Security Layer client library (libsaslc, \\-lsaslc)"
        ),
        "libsbuf": "Safe String Composition Library (libsbuf, \\-lsbuf)",
        "libsdp": "Bluetooth Service Discovery Protocol User Library (libsdp, \\-lsdp)",
        "libssp": "Buffer Overflow Protection Library (libssp, \\-lssp)",
        "libstand": "Standalone Applications Library (libstand, \\-lstand)",
        "libstdthreads": "C11 Threads Library (libstdthreads, \\-lstdthreads)",
        "libSystem": "System Library (libSystem, \\-lSystem)",
        "libsysdecode": "System Argument Decoding Library (libsysdecode, \\-lsysdecode)",
        "libtacplus": "TACACS+ Client Library (libtacplus, \\-ltacplus)",
        "libtcplay": "TrueCrypt-compatible API library (libtcplay, \\-ltcplay)",
        "libtermcap": "Termcap Access Library (libtermcap, \\-ltermcap)",
        "libterminfo": "Terminal Information Library (libterminfo, \\-lterminfo)",
        "libthr": "1:1 Threading Library (libthr, \\-lthr)",
        "libufs": "UFS File System Access Library (libufs, \\-lufs)",
        "libugidfw": "File System Firewall Interface Library (libugidfw, \\-lugidfw)",
        "libulog": "User Login Record Library (libulog, \\-lulog)",
        "libusbhid": "USB Human Interface Devices Library (libusbhid, \\-lusbhid)",
        "libutil": "System Utilities Library (libutil, \\-lutil)",
        "libvgl": "Video Graphics Library (libvgl, \\-lvgl)",
        "libx86_64": "x86_64 Architecture Library (libx86_64, \\-lx86_64)",
        "libxo": "Text, XML, JSON, and HTML Output Emission Library (libxo, \\-lxo)",
        "libz": "Compression Library (libz, \\-lz)",
    }
)

# Reflects mandoc 1.14.6 att.c, mdoc_a2att() (.At argument -> text).
ATT_VERSIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "v1": "Version\\~1 AT&T UNIX",
        "v2": "Version\\~2 AT&T UNIX",
        "v3": "Version\\~3 AT&T UNIX",
        "v4": "Version\\~4 AT&T UNIX",
        "v5": "Version\\~5 AT&T UNIX",
        "v6": "Version\\~6 AT&T UNIX",
        "v7": "Version\\~7 AT&T UNIX",
        "32v": "Version\\~7 AT&T UNIX/32V",
        "III": "AT&T System\\~III UNIX",
        "V": "AT&T System\\~V UNIX",
        "V.1": "AT&T System\\~V Release\\~1 UNIX",
        "V.2": "AT&T System\\~V Release\\~2 UNIX",
        "V.3": "AT&T System\\~V Release\\~3 UNIX",
        "V.4": "AT&T System\\~V Release\\~4 UNIX",
    }
)

# Reflects mandoc 1.14.6 msec.in, used by mandoc_a2msec() in msec.c (section -> volume title).
SECTION_VOLUMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "1": "General Commands Manual",
        "2": "System Calls Manual",
        "3": "Library Functions Manual",
        "3p": "Perl Library Manual",
        "4": "Device Drivers Manual",
        "5": "File Formats Manual",
        "6": "Games Manual",
        "7": "Miscellaneous Information Manual",
        "8": "System Manager's Manual",
        "9": "Kernel Developer's Manual",
    }
)

# Reflects openbsd_arch[] in mandoc 1.14.6 arch.c, arch_valid() (.Dt arch for OpenBSD).
OPENBSD_ARCHITECTURES: Final[frozenset[str]] = frozenset(
    {
        "alpha",
        "amd64",
        "arm64",
        "armv7",
        "hppa",
        "i386",
        "landisk",
        "loongson",
        "luna88k",
        "macppc",
        "mips64",
        "octeon",
        "powerpc64",
        "riscv64",
        "sparc64",
    }
)

# Reflects netbsd_arch[] in mandoc 1.14.6 arch.c, arch_valid() (.Dt arch for NetBSD).
NETBSD_ARCHITECTURES: Final[frozenset[str]] = frozenset(
    {
        "acorn26",
        "acorn32",
        "algor",
        "alpha",
        "amiga",
        "arc",
        "atari",
        "bebox",
        "cats",
        "cesfic",
        "cobalt",
        "dreamcast",
        "emips",
        "evbarm",
        "evbmips",
        "evbppc",
        "evbsh3",
        "evbsh5",
        "hp300",
        "hpcarm",
        "hpcmips",
        "hpcsh",
        "hppa",
        "i386",
        "ibmnws",
        "luna68k",
        "mac68k",
        "macppc",
        "mipsco",
        "mmeye",
        "mvme68k",
        "mvmeppc",
        "netwinder",
        "news68k",
        "newsmips",
        "next68k",
        "pc532",
        "playstation2",
        "pmax",
        "pmppc",
        "prep",
        "sandpoint",
        "sbmips",
        "sgimips",
        "shark",
        "sparc",
        "sparc64",
        "sun2",
        "sun3",
        "vax",
        "walnut",
        "x68k",
        "x86",
        "x86_64",
        "xen",
    }
)

# Reflects mandoc 1.14.6 arch.c, union of all per-OS lists (for other OSes any arch is valid).
ARCHITECTURES: Final[frozenset[str]] = OPENBSD_ARCHITECTURES | NETBSD_ARCHITECTURES

# Reflects post_xx() and post_bx() in mandoc 1.14.6 mdoc_validate.c (macro -> generated word).
BSD_OS_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Bsx": "BSD/OS",
        "Dx": "DragonFly",
        "Fx": "FreeBSD",
        "Nx": "NetBSD",
        "Ox": "OpenBSD",
        "Bx": "BSD",
        "Ux": "UNIX",
    }
)
