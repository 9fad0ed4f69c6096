"""Sphinx configuration for the mdoc2rst and sctpx documentation site."""

import sys
from pathlib import Path

# The site's own directive: the SCTP drift table, from docs/drift.toml.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "mdoc2rst"
author = "The mdoc2rst authors"
copyright = "2026, The mdoc2rst authors"
extensions = ["sphinx.ext.autodoc", "mdoc2rst.sphinx", "sctp_drift"]
exclude_patterns = ["_build", "_ext"]
html_theme = "alabaster"
nitpicky = True

# Types are described in the docstrings: without network access there is no
# intersphinx inventory for Python's own classes to link type hints to.
autodoc_typehints = "none"
autodoc_member_order = "bysource"

# The SCTP pages are FreeBSD's, shipped byte for byte (a test compares them
# with their source), and `mandoc -T lint` finds these warnings in them too,
# one or two each: the pages' own, kept as FreeBSD has them.
suppress_warnings = ["mdoc.eos", "mdoc.par_skip", "mdoc.xr_order", "mdoc.xr_punct", "mdoc.xr_self"]
