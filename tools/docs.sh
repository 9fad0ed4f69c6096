#!/usr/bin/env bash
# Build the documentation site into docs/_build/html, in the project's
# virtual environment (tools/venv.sh), with Sphinx's warnings as errors.
# Usage: tools/docs.sh [extra sphinx-build arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/venv.sh
venv_setup
python -m pip install -q --disable-pip-version-check -e '.[sphinx]'
python -m sphinx -W -n --keep-going "$@" docs/ docs/_build/html
echo "docs: built docs/_build/html/index.html"
