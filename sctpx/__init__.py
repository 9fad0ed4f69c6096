"""sctpx: a ctypes binding for sctp_connectx(3), generated from its manual page.

The binding is built on the API stub that ``mdoc2rst stub`` generates from
``docs/man3/sctp_connectx.3`` and is tested against the spec extracted from it.
"""

__version__ = "0.1.0"
