"""The contract lint in a Sphinx build: warnings of type ``mdoc_contract``.

With ``mdoc2rst_contract`` on (True, or a list of kinds), each man page read
as a document is checked as ``mdoc2rst lint --contract`` checks it (see
:mod:`mdoc2rst.contract.lint`); the site for ``.Xr`` is every page the
census found, by file name and by NAME.  Each finding is a warning at the
page line, of type ``mdoc_contract`` and the kind as subtype, so that
``suppress_warnings = ["mdoc_contract.param_undescribed"]`` silences one.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from sphinx.errors import ConfigError
from sphinx.util import logging

from mdoc2rst.contract.lint import KINDS, ContractOptions, check
from mdoc2rst.contract.machine import Machine
from mdoc2rst.contract.spec import extract
from mdoc2rst.safe import printable
from mdoc2rst.sphinx.domain import domain_of
from mdoc2rst.tree.identity import file_page

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

    from mdoc2rst.tree.nodes import Document

logger = logging.getLogger(__name__)

#: The warning type of the findings; the subtype is the kind.
CONTRACT_TYPE = "mdoc_contract"


def kinds_of(value: object) -> frozenset[str]:
    """The kinds ``mdoc2rst_contract`` asks for: none, all, or those listed."""
    if value is False or value is None:
        return frozenset()
    if value is True:
        return frozenset(KINDS)
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(k, str) for k in value):
        return frozenset(value)
    raise ValueError(value)


def check_contract_config(app: Sphinx, config: Config) -> None:
    value = config.mdoc2rst_contract
    try:
        kinds = kinds_of(value)
    except ValueError:
        raise ConfigError("mdoc2rst_contract: True, False, or a list of kinds") from None
    unknown = sorted(kinds - set(KINDS))
    if unknown:
        raise ConfigError(
            f"mdoc2rst_contract: unknown kind {unknown[0]!r}; the kinds are " + ", ".join(KINDS)
        )


def contract_warnings(env: BuildEnvironment, docname: str, doc: Document) -> None:
    """Warn about what the page ``docname`` promises and does not keep."""
    kinds = kinds_of(env.config.mdoc2rst_contract)
    if not kinds:
        return
    site = _site(env)
    options = ContractOptions(
        kinds=kinds,
        machine=_machine(env),
        site_has=lambda name, section: (name, section) in site or (name, section[:1]) in site,
    )
    try:
        found = check(doc, extract(doc), options)
    except Exception as exc:  # the lint must not cost the page
        logger.warning(
            "contract lint failed on this page (%s: %s)",
            type(exc).__name__,
            " ".join(str(exc).split())[:160],
            type=CONTRACT_TYPE,
            subtype="failed",
            location=(docname, 1),
        )
        return
    for d in found:
        logger.warning(
            "%s",
            printable(d.message.removesuffix(f" [{d.kind.lower().replace('_', '.', 1)}]")),
            type=CONTRACT_TYPE,
            subtype=d.kind.removeprefix("CONTRACT_").lower(),
            location=(docname, d.line or 1),
        )


def _site(env: BuildEnvironment) -> set[tuple[str, str]]:
    """Every page of the site by file name and NAME names, from the census."""
    site: set[tuple[str, str]] = set()
    for docname, (_, names) in domain_of(env).census.items():
        key = file_page(str(env.doc2path(docname)))
        if key is None:
            continue
        site.add((PurePosixPath(docname).name, key[1]))
        site.update((name, key[1]) for name in names)
    return site


def _machine(env: BuildEnvironment) -> Machine:
    """One Machine per build process: its probes are asked once."""
    machine = getattr(env, "_mdoc2rst_machine", None)
    if not isinstance(machine, Machine):
        machine = Machine(aliases=dict(env.config.mdoc2rst_contract_libraries))
        env._mdoc2rst_machine = machine  # type: ignore[attr-defined]
    return machine
