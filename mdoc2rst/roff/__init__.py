"""The roff layer: input lines, requests, escapes, strings, registers and characters.

mandoc's roff.c, roff_escape.c and mandoc_char.c: what every macro
language reads through.  ``layer.Roff`` runs the lines; ``escape`` scans and
renders escape sequences; ``chars`` maps special characters to Unicode.
"""
