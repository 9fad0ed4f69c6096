# Sourced by tools/test.sh and tools/docs.sh: a virtual environment for the
# project, made if need be, first on PATH from then on.
#
# Debian's own Python refuses `pip install` outside a virtual environment
# (PEP 668, "externally-managed-environment"), and on a stock Debian 12 the
# venv module comes in its own package (python3-venv), which is installed
# here when this runs as root.  The environment is .venv in the project, or
# MDOC2RST_VENV; an environment that is already active is used as it is.

venv_setup() {
    if [ -n "${VIRTUAL_ENV:-}" ] && [ -z "${MDOC2RST_VENV:-}" ]; then
        VENV=$VIRTUAL_ENV
    else
        VENV=${MDOC2RST_VENV:-$PWD/.venv}
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
            if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
                apt-get update -qq
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                    python3-venv
            else
                echo "$0: python3 cannot make a virtual environment: install python3-venv" \
                    "(as root: apt-get install python3-venv)" >&2
                exit 1
            fi
        fi
        python3 -m venv "$VENV"
    fi
    export VIRTUAL_ENV=$VENV
    export PATH="$VENV/bin:$PATH"
    python -m pip install -q --disable-pip-version-check --upgrade pip
}
