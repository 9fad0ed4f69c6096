"""The compiled build: which modules mypyc compiles, and which build is tested.

``tools/test.sh`` runs the suite twice: on the checkout, pure Python, and on
the compiled build that ``tools/compiled.sh`` installs, with
``MDOC2RST_BUILD=compiled``.  These tests make sure that each run imports the
build it names, and that the list of compiled modules in ``pyproject.toml``
is exactly the conversion pipeline.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def compiled_modules() -> set[str]:
    """The modules the mypyc build hook compiles, from ``pyproject.toml``."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    hook = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]
    paths = (p.strip("/").removesuffix(".py").removesuffix("/__init__") for p in hook["include"])
    return {p.replace("/", ".") for p in paths}


def test_the_compiled_modules_are_the_conversion_pipeline() -> None:
    # A module the pipeline imports but mypyc leaves out would run
    # interpreted in the hot path; one compiled outside it costs build time.
    code = (
        "import sys, mdoc2rst.reader, mdoc2rst.writers.rst;"
        "print(*sorted(m for m in sys.modules if m.startswith('mdoc2rst.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert set(done.stdout.split()) == compiled_modules()


def test_this_run_imports_the_build_it_names() -> None:
    build = os.environ.get("MDOC2RST_BUILD", "pure")
    assert build in ("pure", "compiled"), f"MDOC2RST_BUILD={build!r}: pure or compiled"
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for name in sorted(compiled_modules()):
        origin = importlib.import_module(name).__file__ or ""
        assert origin.endswith(suffixes) == (build == "compiled"), f"{name}: {origin}"
    # The rest of the package stays Python in both builds.
    cli = importlib.import_module("mdoc2rst.cli").__file__ or ""
    assert cli.endswith(".py"), cli
