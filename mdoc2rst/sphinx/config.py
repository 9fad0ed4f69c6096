"""The extension's settings and names: configuration values, file suffixes, warning types."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sphinx.config import ENUM
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.matching import Matcher

from mdoc2rst.tree.diagnostics import Level
from mdoc2rst.tree.identity import MAN_SUFFIX
from mdoc2rst.writers.rst import XR_PRESETS, xr_template

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

logger = logging.getLogger(__name__)


#: The file type that the suffixes map to, and that the parser supports.
FILETYPE: Final = "mdoc"
#: Warning type of every diagnostic; the subtype is its kind in lower case.
WARNING_TYPE: Final = "mdoc"
#: Subtype of the warning for a page that could not be read at all.
READ_FAILED: Final = "read_failed"
#: Subtype of the warning for a declaration Sphinx's C domain cannot take.
C_DECL: Final = "c_decl"

_LINT_LEVELS: Final = {
    "style": Level.STYLE,
    "warning": Level.WARNING,
    "error": Level.ERROR,
    "unsupp": Level.UNSUPP,
}


def is_man_suffix(suffix: str) -> bool:
    """Whether files ending in ``suffix`` are man pages (``.3``, ``.3bsd``, ``.n``)."""
    return MAN_SUFFIX.fullmatch(suffix) is not None


# -- configuration ------------------------------------------------------------


@dataclass(frozen=True)
class MdocConfig:
    """The extension's settings; field ``x`` is the Sphinx config value ``mdoc2rst_x``."""

    xr_url: str | dict[str, str] = field(
        default="freebsd",
        metadata={
            "help": "where .Xr links to a page that neither the project nor intersphinx"
            " has: a preset (" + ", ".join(XR_PRESETS) + "), a URL with {name} and"
            " {section}, or a dict of those by section, '*' for the others",
            "types": frozenset({str, dict}),
        },
    )
    lint_level: str = field(
        default="warning",
        metadata={
            "help": "lowest diagnostic level reported as a warning",
            "choices": tuple(_LINT_LEVELS),
        },
    )
    local_xr: bool = field(
        default=True,
        metadata={"help": "link .Xr to the man pages of the project (else always out)"},
    )
    nitpick_c: bool = field(
        default=False,
        metadata={"help": "report C names in man pages that nothing in the project declares"},
    )
    contract: bool | list[str] = field(
        default=False,
        metadata={
            "help": "check what the pages promise (the contract lint): True for every kind,"
            " or a list of kinds; warnings of type mdoc_contract",
            "types": frozenset({bool, list, tuple}),
        },
    )
    contract_libraries: dict[str, str] = field(
        default_factory=dict,
        metadata={
            "help": "for the contract lint: the library to read for a .Lb name, a path or a"
            " name ldconfig knows (e.g. {'libc': 'libsctp'} for FreeBSD's pages on Linux)",
            "types": frozenset({dict}),
        },
    )
    backlinks: bool = field(
        default=True,
        metadata={"help": 'end each man page with the pages that refer to it ("Referenced by")'},
    )

    @classmethod
    def from_sphinx(cls, config: Config) -> MdocConfig:
        return cls(**{f.name: getattr(config, f"mdoc2rst_{f.name}") for f in fields(cls)})

    @property
    def min_level(self) -> Level:
        return _LINT_LEVELS[self.lint_level]

    def xr_url_for(self, section: str) -> str:
        """The URL template of ``.Xr`` links out of the site for ``section``."""
        if isinstance(self.xr_url, Mapping):
            chosen = self.xr_url.get(section) or self.xr_url.get(section[:1]) or self.xr_url["*"]
        else:
            chosen = self.xr_url
        return xr_template(chosen)


def add_config_values(app: Sphinx) -> None:
    for f in fields(MdocConfig):
        factory: Any = f.default_factory
        default = factory() if f.default is MISSING else f.default
        choices = f.metadata.get("choices")
        types: Any = (
            ENUM(*choices) if choices else f.metadata.get("types", frozenset({type(default)}))
        )
        app.add_config_value(
            f"mdoc2rst_{f.name}", default, "env", types=types, description=f.metadata["help"]
        )


def check_config(app: Sphinx, config: Config) -> None:
    level = config.mdoc2rst_lint_level
    if level not in _LINT_LEVELS:
        raise ConfigError(
            f"mdoc2rst_lint_level must be one of {', '.join(_LINT_LEVELS)}, not {level!r}"
        )
    xr_url = config.mdoc2rst_xr_url
    if isinstance(xr_url, Mapping):
        if "*" not in xr_url:
            raise ConfigError("mdoc2rst_xr_url: a dict needs a '*' entry for the other sections")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in xr_url.items()):
            raise ConfigError("mdoc2rst_xr_url: a dict maps sections (str) to URLs or presets")
        templates = list(xr_url.values())
    elif isinstance(xr_url, str):
        templates = [xr_url]
    else:
        raise ConfigError("mdoc2rst_xr_url: a preset, a URL, or a dict of them by section")
    for template in templates:
        try:
            xr_template(template)
        except ValueError as exc:
            raise ConfigError(f"mdoc2rst_xr_url: {exc}") from exc


# -- which files are man pages ----------------------------------------------------


def register_suffixes(app: Sphinx, config: Config) -> None:
    """Read every file with a man-page suffix under the source folder as a page.

    Sphinx wants each suffix named, and man pages come as ``.3``, ``.3bsd``,
    ``.9freebsd``, ``.3p``, ``.n``...: the suffixes found in the source
    folder where Sphinx looks for documents (outside ``exclude_patterns``)
    are named here, before Sphinx merges them into ``source_suffix``.  A new
    kind of suffix changes ``source_suffix``, after which Sphinx reads every
    document again, once.
    """
    # Sphinx's default source_suffix is one dict shared by every project of
    # the process, which the merge would change for the next one.
    config.source_suffix = dict(config.source_suffix)
    skip = {Path(app.outdir).resolve(), Path(app.doctreedir).resolve()}
    for suffix in sorted(man_suffixes(Path(app.srcdir), config.exclude_patterns, skip)):
        if suffix not in config.source_suffix:
            app.add_source_suffix(suffix, FILETYPE, override=True)


def man_suffixes(srcdir: Path, exclude_patterns: list[str], skip: set[Path]) -> set[str]:
    """The man-page suffixes of the files Sphinx would find under ``srcdir``
    (outside ``exclude_patterns``; the output folders in ``skip`` unwalked)."""
    excluded = Matcher(exclude_patterns)
    found: set[str] = {f".{n}" for n in range(1, 10)}  # always read, as before
    for folder, dirs, files in os.walk(srcdir):
        rel = Path(folder).relative_to(srcdir)
        dirs[:] = [
            d
            for d in dirs
            if not excluded(str(rel / d)) and (Path(folder) / d).resolve() not in skip
        ]
        for name in files:
            suffix = Path(name).suffix
            if suffix not in found and is_man_suffix(suffix) and not excluded(str(rel / name)):
                found.add(suffix)
    return found
