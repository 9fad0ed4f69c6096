#!/usr/bin/env bash
# Build the compiled mdoc2rst (the conversion pipeline's modules compiled to
# C extensions with mypyc, as in a wheel built with the hook on) and install
# it, without its dependencies, into DEST, apart from this checkout.
# Usage: tools/compiled.sh DEST
# Then:  PYTHONSAFEPATH=1 PYTHONPATH=DEST python3 -m mdoc2rst PAGE
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: tools/compiled.sh DEST" >&2
    exit 2
fi
dest=$(realpath -m "$1")
cd "$(dirname "$0")/.."

# Build from a copy: the mypyc hook compiles in place, and a compiled module
# left beside its source in this checkout would shadow later edits to it.
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard |
        tar --null --ignore-failed-read -T - -cf - | tar -xf - -C "$src"
else
    cp -a . "$src"
fi
HATCH_BUILD_HOOK_ENABLE_MYPYC=1 python3 -m pip install -q --disable-pip-version-check \
    --no-deps --upgrade --target "$dest" "$src"
