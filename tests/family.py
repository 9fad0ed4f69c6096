"""The sctp_* family's pages as the project ships them in ``docs/``.

FreeBSD's pages of the SCTP library calls (section 3), of ``sctp_peeloff``
(a system call, section 2) and of the protocol (section 4), copied byte for
byte from the shared corpus, except the seed ``sctp_connectx.3``, which is
the project's own copy (``../shared/seed``) and differs from the corpus's in
its licence header and whitespace.  The tests of the stub, the specs, the
docs site and the drift table all read the list from here.
"""

from __future__ import annotations

from pathlib import Path

from oracle import CORPUS, SEED

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Where each shipped page comes from, under the shared corpus (the seed aside).
ORIGINS = {
    "sctp_peeloff.2": "freebsd-sys",
    "sctp_bindx.3": "freebsd",
    "sctp_connectx.3": "seed",
    "sctp_freepaddrs.3": "freebsd",
    "sctp_getaddrlen.3": "freebsd",
    "sctp_getassocid.3": "freebsd",
    "sctp_getpaddrs.3": "freebsd",
    "sctp_opt_info.3": "freebsd",
    "sctp_recvmsg.3": "freebsd",
    "sctp_send.3": "freebsd",
    "sctp_sendmsg.3": "freebsd",
    "sctp.4": "freebsd",
}


def shipped() -> list[Path]:
    """Every page under ``docs/man*/``, by section, then name."""
    return sorted(DOCS.glob("man[1-9]/*.[1-9]"), key=lambda p: (p.suffix, p.name))


def stub_pages() -> list[Path]:
    """The pages the stub is generated from: those of sections 2 and 3 (functions).

    In the order ``mdoc2rst stub docs/man2/*.2 docs/man3/*.3`` reads them.
    """
    return [p for p in shipped() if p.suffix in (".2", ".3")]


def origin(page: Path) -> Path:
    """The file a shipped page is a copy of."""
    where = ORIGINS[page.name]
    return SEED if where == "seed" else CORPUS / where / page.name


def relative(page: Path) -> str:
    """The page as the docs site names it: ``man3/sctp_bindx.3``."""
    return page.relative_to(DOCS).as_posix()


STUB_COMMAND = "mdoc2rst stub docs/man2/*.2 docs/man3/*.3 -o sctpx/_stub.py"
