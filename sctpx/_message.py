"""What one receive returns, the same on every backend."""

from __future__ import annotations

from dataclasses import dataclass

from sctpx._notifications import Notification
from sctpx._values import MsgFlag, RecvInfo

AddressTuple = tuple[str, int] | tuple[str, int, int, int]


@dataclass(frozen=True, slots=True)
class Message:
    """One receive: its bytes, whether they end their message, and what came with them.

    SCTP keeps message boundaries; a receive buffer smaller than a message
    gets it in pieces, and only the last piece has ``eor`` (MSG_EOR).
    ``info`` is the message's metadata (stream, PPID, flags such as
    unordered, association id; SCTP_RCVINFO), None for a notification.
    ``notification`` is the typed notification when the bytes are one
    (MSG_NOTIFICATION), else None.  ``data`` is b"" (and ``eor`` False)
    once a one-to-one association has ended.  ``flags`` are the receive's
    raw ``msg_flags``, as the backend numbers them.
    """

    data: bytes
    eor: bool
    address: AddressTuple | None = None
    info: RecvInfo | None = None
    notification: Notification | None = None
    flags: int = 0

    @property
    def assoc_id(self) -> int:
        """The association it came on (0 when the stack did not say)."""
        if self.info is not None:
            return self.info.assoc_id
        return int(getattr(self.notification, "assoc_id", 0) or 0)

    @property
    def stream(self) -> int:
        return 0 if self.info is None else self.info.stream

    @property
    def ppid(self) -> int:
        """The payload protocol identifier, as the sender's application gave it."""
        return 0 if self.info is None else self.info.ppid

    @property
    def unordered(self) -> bool:
        return self.info is not None and MsgFlag.UNORDERED in self.info.flags
