"""The extension's settings and names: configuration values, file suffixes, warning types."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Final

from sphinx.config import ENUM
from sphinx.errors import ConfigError
from sphinx.util import logging

from mdoc2rst.tree.diagnostics import Level
from mdoc2rst.writers.rst import RstOptions

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config


logger = logging.getLogger(__name__)


#: The manual sections whose file suffixes are read as man pages.
SECTIONS: Final = tuple(str(n) for n in range(1, 10))
SUFFIXES: Final = tuple(f".{s}" for s in SECTIONS)
#: The file type that the suffixes map to, and that the parser supports.
FILETYPE: Final = "mdoc"
#: Warning type of every diagnostic; the subtype is its kind in lower case.
WARNING_TYPE: Final = "mdoc"
#: Subtype of the warning for a page that could not be read at all.
READ_FAILED: Final = "read_failed"

_LINT_LEVELS: Final = {
    "style": Level.STYLE,
    "warning": Level.WARNING,
    "error": Level.ERROR,
    "unsupp": Level.UNSUPP,
}


# -- configuration ------------------------------------------------------------


@dataclass(frozen=True)
class MdocConfig:
    """The extension's settings; field ``x`` is the Sphinx config value ``mdoc2rst_x``."""

    xr_url: str = field(
        default=RstOptions().xr_url,
        metadata={"help": "URL of an .Xr page not in the project; {name} and {section}"},
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
        metadata={"help": "link .Xr to man pages of the project with :doc:"},
    )
    nitpick_c: bool = field(
        default=False,
        metadata={"help": "report C names in man pages that nothing in the project declares"},
    )

    @classmethod
    def from_sphinx(cls, config: Config) -> MdocConfig:
        return cls(**{f.name: getattr(config, f"mdoc2rst_{f.name}") for f in fields(cls)})

    @property
    def min_level(self) -> Level:
        return _LINT_LEVELS[self.lint_level]


def add_config_values(app: Sphinx) -> None:
    for f in fields(MdocConfig):
        choices = f.metadata.get("choices")
        types: Any = ENUM(*choices) if choices else frozenset({type(f.default)})
        app.add_config_value(
            f"mdoc2rst_{f.name}", f.default, "env", types=types, description=f.metadata["help"]
        )


def check_config(app: Sphinx, config: Config) -> None:
    level = config.mdoc2rst_lint_level
    if level not in _LINT_LEVELS:
        raise ConfigError(
            f"mdoc2rst_lint_level must be one of {', '.join(_LINT_LEVELS)}, not {level!r}"
        )
