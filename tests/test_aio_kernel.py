"""sctpx.aio on the Linux kernel (run in tools/vmtest.py's VM).

Non-blocking kernel sockets wait through the event loop's reader and
writer callbacks: an echo server with several clients on one loop, a
refused association, a one-to-many socket, a full send buffer that drains,
and the CPU a waiting receive uses (none to speak of: nothing polls).
tests/test_aio.py makes the same calls on usrsctp.

Marked ``kernel``: skipped where the kernel has no SCTP (tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import errno
import socket
import sys
import time
from typing import Any

import pytest

import sctpx
from sctpx import aio

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux kernel SCTP"),
]

LOOPBACK = "127.0.0.1"


def non_blocking(kind: int = socket.SOCK_STREAM) -> socket.socket:
    s = sctpx.socket(socket.AF_INET, kind)
    s.setblocking(False)
    return s


def test_echo_server_and_clients_on_one_loop() -> None:
    async def main() -> tuple[list[Any], list[Any]]:
        server = non_blocking()
        server.bind((LOOPBACK, 0))
        server.listen(8)

        async def serve() -> list[Any]:
            conn, _ = await aio.accept(server)
            with conn:
                message = await aio.recvmsg(conn)
                reply = sctpx.SendInfo(stream=message.stream, ppid=message.ppid + 1)
                await aio.sendmsg(conn, message.data.upper(), reply)
                return [message.data.decode(), message.ppid]

        async def client(number: int) -> list[Any]:
            with non_blocking() as sock:
                assoc_id = await aio.connectx(sock, [server.getsockname()])
                await aio.sendmsg(sock, f"hi {number}".encode(), sctpx.SendInfo(ppid=number))
                reply = await aio.recvmsg(sock)
                return [assoc_id > 0, reply.data.decode(), reply.ppid]

        with server:
            served = [asyncio.create_task(serve()) for _ in range(3)]
            replies = await asyncio.gather(*(client(n) for n in range(3)))
            return sorted(await asyncio.gather(*served)), sorted(replies)

    served, replies = asyncio.run(asyncio.wait_for(main(), 20))
    assert served == [["hi 0", 0], ["hi 1", 1], ["hi 2", 2]]
    assert replies == [[True, "HI 0", 1], [True, "HI 1", 2], [True, "HI 2", 3]]


def test_a_refused_association_raises_with_its_id() -> None:
    async def main() -> OSError:
        with non_blocking() as nobody, non_blocking() as sock:
            nobody.bind((LOOPBACK, 0))  # bound, not listening: the INIT meets an ABORT
            with pytest.raises(OSError) as exc:
                await aio.connectx(sock, [nobody.getsockname()])
            return exc.value

    exc: Any = asyncio.run(asyncio.wait_for(main(), 20))
    assert exc.errno == errno.ECONNREFUSED
    assert exc.assoc_id is not None


def test_one_to_many_and_a_draining_send_buffer() -> None:
    async def main() -> Any:
        with non_blocking(socket.SOCK_SEQPACKET) as srv, non_blocking() as sock:
            srv.bind((LOOPBACK, 0))
            srv.listen(8)
            await aio.connectx(sock, [srv.getsockname()])
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
            sent = 0

            async def drain() -> int:
                got = 0
                while got < 200 * 1000:
                    got += len((await aio.recvmsg(srv)).data)
                return got

            draining = asyncio.create_task(drain())
            for _ in range(200):  # far more than the send buffer holds
                sent += await aio.sendmsg(sock, b"z" * 1000)
            return sent, await draining

    sent, got = asyncio.run(asyncio.wait_for(main(), 60))
    assert sent == got == 200 * 1000


def test_a_waiting_receive_uses_no_cpu() -> None:
    async def main() -> tuple[float, float]:
        with non_blocking() as srv, non_blocking() as sock:
            srv.bind((LOOPBACK, 0))
            srv.listen(1)
            await aio.connectx(sock, [srv.getsockname()])
            conn, _ = await aio.accept(srv)
            with conn:
                cpu, wall = time.process_time(), time.monotonic()
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(aio.recvmsg(conn), 0.5)
                return time.process_time() - cpu, time.monotonic() - wall

    cpu, wall = asyncio.run(main())
    assert wall >= 0.45 and cpu < 0.1


def test_a_blocking_socket_is_refused() -> None:
    async def main() -> None:
        with sctpx.socket() as sock, pytest.raises(ValueError, match="non-blocking"):
            await aio.recvmsg(sock)

    asyncio.run(main())
