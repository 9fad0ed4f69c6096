"""What no single page shows: indexes across the site's man pages, and back-links.

- The errno index (``mdoc-errno``, ``:ref:`mdoc-errno```): for each errno,
  the pages whose ERRORS list has it, with the page's condition, linking to
  the entry.
- The function index (``mdoc-functions``): every C function and macro the
  pages declare, linking to its declaration.
- "Referenced by": each page ends with the pages whose ``.Xr`` lead to it,
  by any of its names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.domains import Index, IndexEntry
from sphinx.util.nodes import make_refnode

from mdoc2rst.sphinx.config import MdocConfig
from mdoc2rst.sphinx.domain import MdocDomain, domain_of

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


class ErrnoIndex(Index):
    """errno -> the pages that list it, with their conditions."""

    name = "errno"
    localname = "Errors of the manual pages"
    shortname = "errors"

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        domain = self.domain
        assert isinstance(domain, MdocDomain)
        wanted = set(docnames) if docnames is not None else None
        groups: dict[str, list[IndexEntry]] = {}
        for docname, entries in domain.errnos.items():
            if wanted is not None and docname not in wanted:
                continue
            for e in entries:
                entry = IndexEntry(e.page, 0, e.docname, e.anchor, "", "", e.condition)
                groups.setdefault(e.errno, []).append(entry)
        return [(errno, sorted(groups[errno])) for errno in sorted(groups)], False


class FunctionIndex(Index):
    """Every C function and macro the man pages declare, by first letter."""

    name = "functions"
    localname = "Functions and macros of the manual pages"
    shortname = "functions"

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        domain = self.domain
        assert isinstance(domain, MdocDomain)
        titles = {entry.docname: title for title, entry in domain.pages.items()}
        wanted = set(docnames) if docnames is not None else None
        groups: dict[str, list[IndexEntry]] = {}
        c_domain = domain.env.get_domain("c")
        for name, _, kind, docname, anchor, _ in c_domain.get_objects():
            if kind not in ("function", "macro") or docname not in titles:
                continue
            if wanted is not None and docname not in wanted:
                continue
            entry = IndexEntry(name, 0, docname, anchor, titles[docname], "", kind)
            groups.setdefault(name[:1].upper(), []).append(entry)
        return [(letter, sorted(groups[letter])) for letter in sorted(groups)], True


# -- back-links -------------------------------------------------------------------


def referrers(domain: MdocDomain) -> dict[str, list[tuple[str, str, str]]]:
    """docname of a page -> (title, docname, anchor) of each page that refers to it."""
    by_doc = {entry.docname: (title, entry.anchor) for title, entry in domain.pages.items()}
    found: dict[str, set[tuple[str, str, str]]] = {}
    for docname, targets in domain.xrefs.items():
        if docname not in by_doc:
            continue
        title, anchor = by_doc[docname]
        for target in targets:
            entry = domain.find(target)
            if entry is not None and entry.docname != docname:
                found.setdefault(entry.docname, set()).add((title, docname, anchor))
    return {doc: sorted(refs) for doc, refs in found.items()}


def updated_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages to write again though they were not read: their links changed.

    A page that came, went or gained a name moves ``.Xr`` links of pages that
    were not read between the site and the outside, and changes the
    "Referenced by" of the pages they lead to.
    """
    domain = domain_of(env)
    local = MdocConfig.from_sphinx(env.config).local_xr
    resolved: dict[str, dict[str, str]] = {}
    for docname, targets in domain.xrefs.items():
        entries = {target: domain.find(target, local) for target in targets}
        resolved[docname] = {t: e.docname if e else "" for t, e in entries.items()}
    refs = {doc: [list(r) for r in rs] for doc, rs in referrers(domain).items()}
    before_resolved: dict[str, dict[str, str]] = domain.data.get("resolved", {})
    before_refs: dict[str, list[list[str]]] = domain.data.get("referrers", {})
    domain.data["resolved"] = resolved
    domain.data["referrers"] = refs
    changed = {d for d in resolved if d in before_resolved and resolved[d] != before_resolved[d]}
    changed |= {d for d in set(refs) | set(before_refs) if refs.get(d) != before_refs.get(d)}
    return sorted(changed & env.all_docs.keys())


def add_backlinks(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """End a page with the pages that refer to it."""
    env = app.env
    if not MdocConfig.from_sphinx(env.config).backlinks:
        return
    refs: list[list[str]] = domain_of(env).data.get("referrers", {}).get(docname, [])
    section = doctree.next_node(nodes.section)
    if not refs or section is None:
        return
    para = nodes.paragraph(classes=["mdoc-referenced-by"])
    for k, (title, refdoc, anchor) in enumerate(refs):
        if k:
            para += nodes.Text(", ")
        para += make_refnode(app.builder, docname, refdoc, anchor, nodes.Text(title), title)
    rubric = nodes.rubric("", "Referenced by")
    footer = next(
        (n for n in doctree.findall(nodes.paragraph) if "mdoc-footer" in n["classes"]), None
    )
    if footer is not None and footer.parent is not None:
        # Before the OS and date, which end the page as in mandoc's output.
        at = footer.parent.index(footer)
        footer.parent[at:at] = [rubric, para]
    else:
        section += [rubric, para]
