#!/usr/bin/env bash
# Install everything the test suite needs, then run the checks and the suite.
# Usage: tools/test.sh [pytest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."

# System tools the tests compare against or run on: mandoc (the reference
# formatter), the C compiler for the header check, libsctp and usrsctp.
need=()
command -v mandoc >/dev/null 2>&1 || need+=(mandoc)
command -v cc >/dev/null 2>&1 || need+=(gcc)
[ -e /usr/include/stdio.h ] || need+=(libc6-dev)
# Python's headers, for the compiled build (mypyc); Debian keeps them apart.
python3 -c 'import os, sysconfig; raise SystemExit(not os.path.exists(
    os.path.join(sysconfig.get_paths()["include"], "Python.h")))' || need+=(python3-dev)
# libsctp-dev also brings lksctp-tools' man(7) pages, which the drift table
# (tests/test_drift.py) compares with FreeBSD's.
{ [ -e /usr/include/netinet/sctp.h ] && [ -e /usr/share/man/man3/sctp_connectx.3.gz ]; } \
    || need+=(libsctp-dev)
ls /usr/lib/*/libsctp.so.1 >/dev/null 2>&1 || need+=(libsctp1)
ls /usr/lib/*/libusrsctp.so.2 >/dev/null 2>&1 || need+=(libusrsctp2)
# usrsctp.h: tests/test_layout.py compiles sctpx's struct tables against it.
[ -e /usr/include/usrsctp.h ] || need+=(libusrsctp-dev)
# The kernel SCTP stage (tools/vmtest.py): QEMU, a Debian kernel with sctp.ko
# and 9p, static busybox for the VM's initramfs.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
installed linux-image-amd64 || need+=(linux-image-amd64)
installed busybox-static || need+=(busybox-static)
# ip (network setup in the VM and in the usrsctp namespace test), modprobe.
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# valgrind: a short run of tools/usrsctp_stress.py under it (use after free).
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
command -v modprobe >/dev/null 2>&1 || need+=(kmod)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        # On a machine that boots no Debian kernel (a container, CI), the
        # kernel is only for tools/vmtest.py, which makes an initramfs of
        # its own: INITRD=No spares the two that Debian's hooks would build
        # (about 85 s).  A machine that boots from /boot gets its usual one.
        initrd=Yes
        ls /boot/vmlinuz-* >/dev/null 2>&1 || initrd=No
        INITRD=$initrd DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "${need[@]}"
    else
        echo "tools/test.sh: missing system packages: ${need[*]} (install them as root)" >&2
    fi
fi

# Everything Python runs in the project's virtual environment (tools/venv.sh):
# Debian's own Python refuses installs outside one.
. tools/venv.sh
venv_setup
python -m pip install -q --disable-pip-version-check -e '.[test]'
# pysctp, which docs/sctpx.rst compares sctpx with: tests/test_compare_kernel.py
# runs it in the kernel VM.  A C extension, built here against libsctp-dev.
python -m pip install -q --disable-pip-version-check pysctp==0.7.3

python -m ruff check .
python -m ruff format --check mdoc2rst sctpx tests tools bench docs
python -m mypy
python -m mypy tools/vmtest.py
python -m pytest "$@"

# The compiled build (tools/compiled.sh), the one to ship in wheels: the
# suite again, importing it instead of the checkout. The kernel tests exercise
# sctpx, which is not compiled; the VM stage below runs them.
compiled=$(mktemp -d)
trap 'rm -rf "$compiled"' EXIT
tools/compiled.sh "$compiled"
MDOC2RST_BUILD=compiled PYTHONSAFEPATH=1 PYTHONPATH="$compiled" \
    python -m pytest -m "not kernel" "$@"

# Kernel SCTP stage: this machine's kernel has none, so the tests marked
# `kernel` (tools/vmtest.py's KERNEL_TEST_FILES) run in a QEMU VM with Debian's kernel.
python tools/vmtest.py
