"""Man pages that are not in ``source_encoding``: read leniently, decoded as mandoc does."""

from __future__ import annotations

import codecs
import contextlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sphinx.errors import SphinxError
from sphinx.util import logging

from mdoc2rst.sphinx.config import is_man_suffix

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


logger = logging.getLogger(__name__)


# -- man pages that are not in the source encoding ------------------------------

#: The codec ``mdoc2rst_lenient_ENC`` decodes as ENC does, keeping each byte
#: it cannot decode as a lone surrogate (the surrogateescape error handler),
#: from which the parser gets the page's bytes back.
_LENIENT: Final = "mdoc2rst_lenient_"
_ESCAPED_BYTE: Final = re.compile("[\udc80-\udcff]")


def _lenient_codec(name: str) -> codecs.CodecInfo | None:
    """The codec search function (names come lower case, with ``_`` for ``-``)."""
    if not name.startswith(_LENIENT):
        return None
    try:
        base = codecs.lookup(name.removeprefix(_LENIENT))
    except LookupError:
        return None
    incremental = base.incrementaldecoder
    if incremental is None:
        return None

    def decode(data: Any, errors: str = "strict", /) -> tuple[str, int]:  # Any: a buffer
        return base.decode(data, "surrogateescape")

    def decoder(errors: str = "strict") -> codecs.IncrementalDecoder:
        return incremental("surrogateescape")

    return codecs.CodecInfo(
        base.encode,
        decode,
        incrementalencoder=base.incrementalencoder,
        incrementaldecoder=decoder,
        name=name,
    )


def register_codec() -> None:
    try:
        codecs.lookup(_LENIENT + "utf-8")
    except LookupError:
        codecs.register(_lenient_codec)


def _undecodable(path: Path, encoding: str) -> bool:
    try:
        path.read_bytes().decode(encoding)
    except UnicodeError:
        return True
    except (OSError, LookupError):  # Sphinx says so when it reads the file
        return False
    return False


def choose_decoding(env: BuildEnvironment, docnames: list[str]) -> None:
    """Read this build's documents leniently when a man page among them needs it.

    Sphinx decodes every document strictly with ``source_encoding`` before
    a parser sees it, and stops the whole build at the first byte it cannot
    decode; mandoc reads such a page as ISO-8859-1.  Only a build that has
    such a page reads leniently, so that nothing changes for the others.
    """
    encoding: str = env.config.source_encoding
    chosen = encoding
    paths = (env.doc2path(d) for d in docnames)
    if any(_undecodable(path, encoding) for path in paths if is_man_suffix(path.suffix)):
        # A codec without an incremental decoder has no lenient twin: as before.
        with contextlib.suppress(LookupError):
            chosen = codecs.lookup(_LENIENT + encoding).name
    env.settings["input_encoding"] = chosen


def page_source(text: str, env: BuildEnvironment) -> str | bytes:
    """What the parser reads: the page's own bytes when some did not decode."""
    if _ESCAPED_BYTE.search(text) is None:
        return text
    encoding = codecs.lookup(env.config.source_encoding).name
    # The bytes after the BOM, which Sphinx took off; the reader wants none.
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    return text.encode(encoding, "surrogateescape")


def guard_encoding(app: Sphinx, docname: str, source: list[str]) -> None:
    """A document other than a man page still may not have undecodable bytes."""
    env = app.env
    if not str(env.settings.get("input_encoding", "")).startswith(_LENIENT):
        return
    path = env.doc2path(docname)
    if is_man_suffix(path.suffix) or _ESCAPED_BYTE.search(source[0]) is None:
        return
    encoding = env.config.source_encoding
    raise SphinxError(f"{path}: not valid {encoding} (only man pages may be ISO-8859-1)")
