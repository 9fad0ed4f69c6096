"""Type stub for the generated module (from sctp_connectx.3, sctp_getpaddrs.3)."""

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
