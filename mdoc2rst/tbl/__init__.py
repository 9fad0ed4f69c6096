"""tbl(7): the table preprocessor, read as mandoc's tbl*.c read it.

:mod:`~mdoc2rst.tbl.model` holds the table (options, layout rows of
cells, data rows of cells); :mod:`~mdoc2rst.tbl.opts`,
:mod:`~mdoc2rst.tbl.layout` and :mod:`~mdoc2rst.tbl.data` read the three
parts of a table; :mod:`~mdoc2rst.tbl.reader` feeds them the lines between
``.TS`` and ``.TE`` that the roff layer hands over.
"""
