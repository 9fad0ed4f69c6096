"""sctpx.aio on usrsctp: associations, messages and accepts awaited, woken by upcalls.

Each scenario runs asyncio in a child process, as every usrsctp scenario
does (tests/test_usrsctp.py).  The tests check that the calls work, that
several associations proceed at once on one loop, that cancelling and
closing behave as for kernel sockets, and that a wait does not poll: the
process uses next to no CPU while a receive waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import sys
import time
from typing import Any

import pytest
import test_usrsctp as base
from test_usrsctp import SCTP_PORT, Result, scenario

import sctpx
from sctpx import aio, usrsctp

_libusrsctp = base._libusrsctp  # the module's skip (or CI failure) without libusrsctp


def run(name: str) -> Result:
    return base.run(name, script=__file__)


async def echo_server(server: usrsctp.Socket, clients: int) -> list[list[Any]]:
    """Accept ``clients`` associations; answer each message with its PPID + 1."""

    async def serve(conn: usrsctp.Socket) -> list[Any]:
        message = await aio.recvmsg(conn)
        reply = sctpx.SendInfo(stream=message.stream, ppid=message.ppid + 1)
        await aio.sendmsg(conn, message.data.upper(), reply)
        return [message.data.decode(), message.stream, message.ppid]

    tasks = []
    for _ in range(clients):
        conn, _address = await aio.accept(server)
        tasks.append(asyncio.create_task(serve(conn)))
    return sorted(await asyncio.gather(*tasks))


async def client(udp: int, number: int) -> list[Any]:
    sock = base.client_to(udp)
    sctpx.setsockopt(sock, "SCTP_INITMSG", sctpx.InitMsg(num_ostreams=4, max_instreams=4))
    assoc_id = await aio.connectx(sock, [("127.0.0.1", SCTP_PORT)])
    await aio.sendmsg(sock, f"hello {number}".encode(), sctpx.SendInfo(stream=number, ppid=100))
    reply = await aio.recvmsg(sock)
    return [assoc_id > 0, reply.data.decode(), reply.stream, reply.ppid]


@scenario
def echo(args: list[str]) -> Result:
    """Three clients and a server on one event loop."""
    udp = base.free_udp_port()
    with usrsctp.start(udp):
        server = base.listener()

        async def main() -> tuple[list[list[Any]], list[list[Any]]]:
            served = asyncio.create_task(echo_server(server, 3))
            replies = await asyncio.gather(*(client(udp, n) for n in range(3)))
            return await served, sorted(replies)

        served, replies = asyncio.run(asyncio.wait_for(main(), 10))
        return {"served": served, "replies": replies}


@scenario
def waits(args: list[str]) -> Result:
    """Cancel, close and refusal, and the CPU a waiting receive uses."""
    udp = base.free_udp_port()
    with usrsctp.start(udp):
        server = base.listener()

        async def main() -> Result:
            sock = base.client_to(udp)
            await aio.connectx(sock, [("127.0.0.1", SCTP_PORT)])
            conn, _ = await aio.accept(server)
            # A receive that waits half a second: the CPU it costs.
            cpu, wall = time.process_time(), time.monotonic()
            try:
                await asyncio.wait_for(aio.recvmsg(conn), 0.5)
                timed_out = False
            except TimeoutError:
                timed_out = True
            cpu, wall = time.process_time() - cpu, time.monotonic() - wall
            # The cancelled receive took nothing: the next message is whole.
            await aio.sendmsg(sock, b"after the timeout")
            after = (await aio.recvmsg(conn)).data.decode()
            # A close while a receive waits ends it with EBADF.
            waiting = asyncio.create_task(aio.recvmsg(conn))
            await asyncio.sleep(0.1)
            conn.close()
            try:
                await asyncio.wait_for(waiting, 5)
                closed: Result = {"errno": None}
            except OSError as exc:
                closed = {"errno": exc.errno}
            # Nobody listens: the association's ABORT, with its id.
            lonely = base.client_to(udp)
            try:
                await asyncio.wait_for(aio.connectx(lonely, [("127.0.0.1", SCTP_PORT + 7)]), 5)
                refused: Result = {"errno": None}
            except OSError as exc:
                refused = {"errno": exc.errno, "assoc_id": getattr(exc, "assoc_id", None)}
            return {
                "timed_out": timed_out,
                "cpu": cpu,
                "wall": wall,
                "after": after,
                "closed": closed,
                "refused": refused,
            }

        return asyncio.run(asyncio.wait_for(main(), 15))


def test_an_echo_server_and_three_clients_on_one_loop() -> None:
    seen = run("echo")
    assert seen["served"] == [["hello 0", 0, 100], ["hello 1", 1, 100], ["hello 2", 2, 100]]
    assert seen["replies"] == [
        [True, "HELLO 0", 0, 101],
        [True, "HELLO 1", 1, 101],
        [True, "HELLO 2", 2, 101],
    ]


def test_waits_are_woken_not_polled() -> None:
    seen = run("waits")
    assert seen["timed_out"] is True
    assert seen["wall"] >= 0.45
    # usrsctp's own timer thread ticks meanwhile; a loop that polled would
    # use a good part of the half second.
    assert seen["cpu"] < 0.1, seen
    assert seen["after"] == "after the timeout"
    assert seen["closed"]["errno"] == errno.EBADF
    assert seen["refused"]["errno"] == errno.ECONNREFUSED
    assert seen["refused"]["assoc_id"]


if __name__ == "__main__":
    base._child_main(sys.argv[1:])


def test_tasks_waiting_on_one_descriptor_are_all_woken() -> None:
    """The loop keeps one reader per descriptor: sctpx.aio shares it among tasks."""

    async def main() -> tuple[int, bool]:
        loop = asyncio.get_running_loop()
        a, b = socket.socketpair()
        with a, b:
            waiters = [asyncio.create_task(aio._ready(a.fileno(), write=False)) for _ in range(3)]
            await asyncio.sleep(0.05)
            b.send(b"x")
            await asyncio.wait_for(asyncio.gather(*waiters), 5)
            # A cancelled waiter takes the callback with it when it is the last.
            lonely = asyncio.create_task(aio._ready(b.fileno(), write=False))
            await asyncio.sleep(0.05)
            lonely.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lonely
            selector = getattr(loop, "_selector", None)
            registered = selector is not None and b.fileno() in selector.get_map()
            return len(waiters), registered

    woken, still_registered = asyncio.run(main())
    assert woken == 3
    assert not still_registered
    assert not aio._WAITING


def test_blocking_and_foreign_sockets_are_refused() -> None:
    async def main() -> None:
        with (
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as blocking,
            pytest.raises(ValueError, match="non-blocking"),
        ):
            await aio.recvmsg(blocking)
        with pytest.raises(TypeError):
            await aio.sendmsg(5, b"x")

    asyncio.run(main())
