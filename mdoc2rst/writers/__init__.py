"""Writers: a validated tree to output.

``rst``: reStructuredText, plain (docutils) or with Sphinx's roles and C
domain.  Neither docutils nor Sphinx is imported here.
"""
