"""man(7): the macro table, the parser that builds the tree, and its validator.

mandoc's man_macro.c, man.c and man_validate.c: ``macros`` is the one
table of what each macro is, ``parser`` builds the tree from the lines the
roff layer hands it (next-line scopes, implicit and explicit blocks), and
``validate`` fills the page's meta data from ``.TH``, drops empty
paragraphs, proposes tags and reports what is wrong.  mdoc2rst parses man(7)
pages (``tree``, ``lint``); it does not convert them yet.
"""
