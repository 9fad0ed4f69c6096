"""Sphinx configuration for the mdoc2rst and sctpx documentation site."""

project = "mdoc2rst"
author = "The mdoc2rst authors"
copyright = "2026, The mdoc2rst authors"
extensions = ["mdoc2rst.sphinx"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
nitpicky = True
