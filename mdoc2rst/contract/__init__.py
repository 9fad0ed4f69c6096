"""The contract a page documents: its API spec, and what is made from it.

``spec`` extracts prototypes, headers, library, return values and errors
(with ``cdecl`` for C declarations and ``errnos`` for errno values);
``errtable`` renders error-mapping tables, ``stub`` a checked ctypes module,
and ``headercheck`` compiles the prototypes against the real headers.
"""
