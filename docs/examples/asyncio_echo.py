"""An asyncio SCTP echo server and two clients with sctpx, over usrsctp on loopback.

Runs anywhere libusrsctp is installed (Debian: apt-get install libusrsctp2),
without kernel SCTP or privileges.  The server answers each message on the
stream it came on, with the PPID plus one; each client sends one message
per stream.  Nothing polls: usrsctp wakes the event loop when a socket is
ready.  With kernel SCTP, the same code runs on non-blocking socket.socket
objects (sctpx.socket(), then sock.setblocking(False)).

    python3 docs/examples/asyncio_echo.py
"""

from __future__ import annotations

import asyncio
import socket

import sctpx
import sctpx.usrsctp as usrsctp
from sctpx import aio

UDP_PORT = 9899  # usrsctp's UDP encapsulation port for this process
SCTP_PORT = 5002
STREAMS = 3


async def serve(conn: usrsctp.Socket) -> None:
    with conn:
        while True:
            message = await aio.recvmsg(conn)
            if not message.data:  # the client shut the association down
                return
            reply = sctpx.SendInfo(stream=message.stream, ppid=message.ppid + 1)
            await aio.sendmsg(conn, message.data.upper(), reply)


async def server(listener: usrsctp.Socket, clients: int) -> None:
    tasks = []
    for _ in range(clients):
        conn, _address = await aio.accept(listener)
        tasks.append(asyncio.create_task(serve(conn)))
    await asyncio.gather(*tasks)


async def client(name: str) -> list[str]:
    with usrsctp.Socket() as sock:
        sock.set_udp_encaps(UDP_PORT)
        sctpx.setsockopt(sock, "SCTP_INITMSG", sctpx.InitMsg(num_ostreams=STREAMS))
        await aio.connectx(sock, [("127.0.0.1", SCTP_PORT)])
        lines = []
        for stream in range(STREAMS):
            info = sctpx.SendInfo(stream=stream, ppid=1000 + stream)
            await aio.sendmsg(sock, f"{name} on stream {stream}".encode(), info)
            reply = await aio.recvmsg(sock)
            lines.append(f"{reply.data.decode()} (stream {reply.stream}, ppid {reply.ppid})")
        sock.shutdown(socket.SHUT_RDWR)  # the server's receive ends
        return lines


async def main() -> None:
    with usrsctp.Socket() as listener:
        listener.bind(("127.0.0.1", SCTP_PORT))
        listener.listen(4)
        serving = asyncio.create_task(server(listener, 2))
        for lines in await asyncio.gather(client("alice"), client("bob")):
            print("\n".join(lines))
        await serving


if __name__ == "__main__":
    with usrsctp.start(UDP_PORT):
        asyncio.run(main())
