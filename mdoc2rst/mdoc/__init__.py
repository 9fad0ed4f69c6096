"""mdoc(7): the macro table, the parser that builds the tree, and its validator.

mandoc's mdoc_macro.c, mdoc.c and mdoc_validate.c: ``macros`` is the one
table of what each macro is, ``parser`` builds the tree from the lines the
roff layer hands it, and ``validate`` (with ``dates``, ``tags`` and
``tables``) normalises it and reports what is wrong.
"""
