"""The document tree every language builds and every writer reads.

``nodes`` (the tree as small dataclasses), ``diagnostics`` and ``messages``
(mandoc's messages, as values), ``text`` (the plain text of a subtree) and
``dump`` (the tree in the format of ``mandoc -T tree``).
"""
