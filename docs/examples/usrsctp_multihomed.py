"""Connect to a multi-homed SCTP peer with sctpx, over usrsctp on loopback.

Runs anywhere libusrsctp is installed (Debian: apt-get install libusrsctp2),
without kernel SCTP or privileges: usrsctp carries SCTP over UDP.  The
client lists two addresses of the server; the first (127.0.0.3) has nobody
listening, so the association comes up on the second, and the dead address
is dropped, as sctp_connectx(3) describes.

    python3 docs/examples/usrsctp_multihomed.py
"""

from __future__ import annotations

import sctpx
import sctpx.usrsctp as usrsctp

UDP_PORT = 9899  # usrsctp's UDP encapsulation port for this process
SCTP_PORT = 5001


def main() -> None:
    # Treat an address that answers with an ABORT as a black hole, and retry
    # quickly, so that the association fails over to the next address.
    with (
        usrsctp.start(UDP_PORT, blackhole=2, rto_initial=300),
        usrsctp.Socket() as server,
        usrsctp.Socket() as client,
    ):
        server.bind(("127.0.0.1", SCTP_PORT))
        server.listen(1)

        client.bind(("127.0.0.1", 0))
        client.set_udp_encaps(UDP_PORT)
        # Blocking, like a kernel socket: returns once the association is up.
        assoc_id = sctpx.connectx(client, [("127.0.0.3", SCTP_PORT), ("127.0.0.1", SCTP_PORT)])
        peer, address = server.accept(timeout=10)
        with peer:
            print(f"association {assoc_id} established, server saw {address}")
            print("peer addresses now:", sctpx.getpaddrs(client, assoc_id))
            client.send(b"hello over SCTP")
            print("server received:", peer.recv(100, timeout=10))

        try:
            sctpx.connectx(client, [])
        except OSError as exc:
            # The page's condition comes with the error.
            print("empty address list:", exc)


if __name__ == "__main__":
    main()
