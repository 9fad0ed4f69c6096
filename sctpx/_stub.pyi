"""Type stub for the generated module (from sctp_peeloff.2, sctp_bindx.3, sctp_connectx.3, sctp_freepaddrs.3, sctp_getaddrlen.3, sctp_getassocid.3, sctp_getpaddrs.3, sctp_opt_info.3, sctp_recvmsg.3, sctp_send.3, sctp_sendmsg.3)."""

from typing import Any, NoReturn

SOURCES: dict[str, str]
PAGES: dict[str, str]
ERRORS: dict[str, dict[str, tuple[type[OSError], str]]]
PROTOTYPES: dict[str, tuple[Any, tuple[Any, ...]]]
DECLARATIONS: dict[str, str]
FAILURE: dict[str, int | None]

def error(function: str, err: int) -> OSError: ...
def raise_errno(function: str, err: int) -> NoReturn: ...
def bind(func: Any, name: str) -> Any: ...
