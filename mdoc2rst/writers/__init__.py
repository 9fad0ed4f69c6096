"""Writers: a validated tree to output.

``rst``: reStructuredText, plain (docutils) or with Sphinx's roles and C
domain; ``base`` holds what the writers of each language share.  Neither
docutils nor Sphinx is imported here.
"""
