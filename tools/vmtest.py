#!/usr/bin/env python3
"""Run a command (by default the kernel SCTP tests) inside a throwaway QEMU VM.

The machine running the test suite may have no kernel SCTP, so sctpx's
Linux backend is tested in a VM booted from the Debian ``linux-image-amd64``
kernel, which ships ``sctp.ko``.  The initramfs is built at run time in a
temporary directory: static busybox, the virtio and 9p modules of the
installed kernel, and an ``/init`` that mounts the host root read-only over
9p, chroots into it (with tmpfs on /tmp and /run), loads ``sctp``, runs the
command in the project directory, prints its exit status on a marker line
and powers the VM off.  This script streams the guest's console, reads the
status from the marker line and exits with it.

The VM has no network card (``-nic none``): the tests use only loopback and
interfaces created inside the VM, so no traffic leaves it.

Usage::

    python3 tools/vmtest.py                 # the kernel tests
    python3 tools/vmtest.py -- uname -a     # any command, in the project dir
    python3 tools/vmtest.py --install       # apt-get install what it needs first

Exit status: the command's, or 2 when qemu, the kernel or busybox is
missing, or 3 when the VM failed before the command ran, died, or hung
past ``--timeout``.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import secrets
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = ("qemu-system-x86", "linux-image-amd64", "busybox-static")
QEMU = "qemu-system-x86_64"
BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")
#: Loaded by the initramfs, with their dependencies from modules.dep, in order.
MODULES = ("virtio_pci", "9pnet_virtio", "9p")
#: The project folder, read-only, as the 9p share "project".
PROJECT_VIRTFS = "local,path={path},mount_tag=project,security_model=none,readonly=on"
#: The Python environment the tests run in (a virtual environment, say),
#: read-only, as the 9p share "pyenv", mounted at its host path like the
#: project: it may lie under /tmp, which the guest hides under a tmpfs.
PYENV_VIRTFS = "local,path={path},mount_tag=pyenv,security_model=none,readonly=on"
#: The host root, read-only, as the 9p share "hostroot".
VIRTFS = "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
DEFAULT_TIMEOUT = 240.0
EXIT_MISSING = 2
EXIT_VM_FAILED = 3


class Missing(Exception):
    """A prerequisite (qemu, kernel, busybox) is not installed."""


class VMError(Exception):
    """The VM did not get as far as running the command to the end."""


# --------------------------------------------------------------------------
# Prerequisites


def _version_key(version: str) -> list[tuple[int, int | str]]:
    """Sort key for kernel versions: numbers numerically ("6.10" > "6.9")."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-+~]", version)]


def find_kernel(
    boot: Path = Path("/boot"), modules: Path = Path("/lib/modules")
) -> tuple[Path, Path]:
    """The newest ``vmlinuz-*-amd64`` that has its modules installed."""
    found: list[tuple[str, Path, Path]] = []
    for image in boot.glob("vmlinuz-*-amd64"):
        version = image.name.removeprefix("vmlinuz-")
        moddir = modules / version
        if (moddir / "modules.dep").is_file():
            found.append((version, image, moddir))
    if not found:
        raise Missing(
            "no kernel: no /boot/vmlinuz-*-amd64 with its /lib/modules/<version>/modules.dep "
            "(apt-get install linux-image-amd64, or run with --install)"
        )
    version, image, moddir = max(found, key=lambda t: _version_key(t[0]))
    return image, moddir


def _is_static_elf(path: Path) -> bool:
    """An ELF executable without a program interpreter (PT_INTERP)."""
    with path.open("rb") as f:
        ident = f.read(64)
        if len(ident) < 64 or ident[:4] != b"\x7fELF" or ident[4] != 2:  # ELF64 only
            return False
        order = "<" if ident[5] == 1 else ">"
        (phoff,) = struct.unpack_from(order + "Q", ident, 32)
        phentsize, phnum = struct.unpack_from(order + "HH", ident, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        (p_type,) = struct.unpack_from(order + "I", table, i * phentsize)
        if p_type == 3:  # PT_INTERP: dynamically linked
            return False
    return True


def find_busybox() -> Path:
    for name in BUSYBOX_CANDIDATES:
        path = Path(name)
        if path.is_file() and _is_static_elf(path):
            return path
    raise Missing(
        "no static busybox at /bin/busybox (apt-get install busybox-static, or run with --install)"
    )


def find_qemu() -> str:
    path = shutil.which(QEMU)
    if path is None:
        raise Missing(f"{QEMU} not found (apt-get install qemu-system-x86, or run with --install)")
    return path


def install() -> None:
    """apt-get install the VM's packages (root only)."""
    if os.geteuid() != 0:
        raise Missing("--install needs root: apt-get install " + " ".join(PACKAGES))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
        check=True,
        env=env,
    )


# --------------------------------------------------------------------------
# The initramfs


def read_modules_dep(moddir: Path) -> dict[str, tuple[str, list[str]]]:
    """module name -> (its path under moddir, the paths it depends on)."""
    table: dict[str, tuple[str, list[str]]] = {}
    for line in (moddir / "modules.dep").read_text(encoding="utf-8").splitlines():
        if ":" not in line:
            continue
        path, _, deps = line.partition(":")
        table[_module_name(path)] = (path, deps.split())
    return table


def _module_name(path: str) -> str:
    base = path.rsplit("/", 1)[-1]
    base = base.split(".ko", 1)[0]
    return base.replace("-", "_")


def module_order(moddir: Path, wanted: Iterable[str]) -> list[Path]:
    """The module files to insmod, dependencies first."""
    table = read_modules_dep(moddir)
    order: list[str] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in order:
            return
        if name in trail:
            raise VMError(f"module dependency cycle: {' -> '.join((*trail, name))}")
        if name not in table:
            builtin = moddir / "modules.builtin"
            if builtin.is_file() and any(
                _module_name(line) == name
                for line in builtin.read_text(encoding="utf-8").splitlines()
            ):
                return  # built into the kernel
            raise Missing(f"kernel module {name} not found in {moddir}/modules.dep")
        for dep in table[name][1]:
            visit(_module_name(dep), (*trail, name))
        order.append(name)

    for name in wanted:
        visit(name.replace("-", "_"), ())
    return [moddir / table[name][0] for name in order]


def module_bytes(path: Path) -> bytes:
    """A module's ELF image: busybox insmod may not read compressed modules."""
    data = path.read_bytes()
    if path.name.endswith(".ko.xz"):
        import lzma

        return lzma.decompress(data)
    if path.name.endswith(".ko.gz"):
        import gzip

        return gzip.decompress(data)
    if path.name.endswith(".ko.zst"):
        zstd = shutil.which("zstd")
        if zstd is None:
            raise Missing(f"{path} is zstd-compressed and zstd is not installed")
        return subprocess.run([zstd, "-dc", str(path)], check=True, capture_output=True).stdout
    return data


class Cpio:
    """A "newc" cpio archive, the format the kernel unpacks as initramfs."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._ino = 1

    def _entry(
        self, name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0)
    ) -> None:
        encoded = name.encode() + b"\0"
        fields = (self._ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(encoded), 0)
        self._ino += 1
        header = b"070701" + b"".join(b"%08X" % v for v in fields)
        self._parts += [header, encoded, b"\0" * (-(len(header) + len(encoded)) % 4)]
        self._parts += [data, b"\0" * (-len(data) % 4)]

    def directory(self, name: str) -> None:
        self._entry(name, 0o040755)

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name: str, target: str) -> None:
        self._entry(name, 0o120777, target.encode())

    def chardev(self, name: str, major: int, minor: int, mode: int = 0o600) -> None:
        self._entry(name, 0o020000 | mode, rdev=(major, minor))

    def bytes(self) -> bytes:
        self._entry("TRAILER!!!", 0)
        return b"".join(self._parts)


INIT = r"""#!/bin/busybox sh
# vmtest init: mount the host root over 9p, chroot, load sctp, run the command.
/bin/busybox --install -s /bin
export PATH=/bin
fail() {
    echo "@MARK@-INIT-ERROR: $*"
    echo "@MARK@-EXIT=@VM_FAILED@"
    poweroff -f
}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in /modules/*.ko; do
    insmod "$m" || fail "insmod $m"
done
# cache=loose: the share is read-only and lives for one run; caching its
# metadata in the guest halves the time Python spends importing over 9p.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /newroot \
    || fail "mounting the host root over 9p"
mount -t proc proc /newroot/proc || fail "mount /proc"
mount -t sysfs sysfs /newroot/sys || fail "mount /sys"
mount -t devtmpfs devtmpfs /newroot/dev || fail "mount /dev"
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp || fail "mount /tmp"
mount -t tmpfs -o mode=755 tmpfs /newroot/run || fail "mount /run"
# The project comes as its own share, mounted at its host path: that path
# may lie under /tmp or /run, which the tmpfs mounts above just hid.
mkdir -p /newroot@PROJECT@ || fail "mkdir @PROJECT@"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose project \
    /newroot@PROJECT@ || fail "mounting the project over 9p"
mkdir -p /newroot@PYENV@ || fail "mkdir @PYENV@"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose pyenv \
    /newroot@PYENV@ || fail "mounting the Python environment over 9p"
ip link set lo up || fail "ip link set lo up"
cp /vmtest/command.sh /newroot/run/vmtest-command.sh || fail "copy the command"
chroot /newroot /sbin/modprobe sctp || fail "modprobe sctp (in the host root)"
echo "@MARK@-READY"
chroot /newroot /usr/bin/env -i @ENV@ /bin/sh /run/vmtest-command.sh </dev/console
echo "@MARK@-EXIT=$?"
poweroff -f
"""


def build_initramfs(
    workdir: Path, moddir: Path, busybox: Path, command: Sequence[str], project: Path
) -> tuple[Path, str]:
    """Write the initramfs into workdir; return it and the marker prefix."""
    marker = "VMTEST-" + secrets.token_hex(4)
    bindir = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{bindir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "TMPDIR": "/tmp",
        "PYTHONPATH": str(project),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "SCTPX_VMTEST": "1",
    }
    init = (
        INIT.replace("@MARK@", marker)
        .replace("@VM_FAILED@", str(EXIT_VM_FAILED))
        .replace("@ENV@", " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()))
        .replace("@PROJECT@", shlex.quote(str(project.resolve())))
        .replace("@PYENV@", shlex.quote(str(python_env())))
    )
    script = f"cd {shlex.quote(str(project))} || exit {EXIT_VM_FAILED}\n{shlex.join(command)}\n"

    archive = Cpio()
    for d in ("bin", "dev", "proc", "sys", "newroot", "modules", "vmtest"):
        archive.directory(d)
    archive.chardev("dev/console", 5, 1)
    archive.chardev("dev/null", 1, 3, 0o666)
    archive.file("bin/busybox", busybox.read_bytes(), 0o755)
    archive.symlink("bin/sh", "busybox")
    archive.file("init", init.encode(), 0o755)
    archive.file("vmtest/command.sh", script.encode(), 0o644)
    for i, path in enumerate(module_order(moddir, MODULES)):
        archive.file(f"modules/{i:02d}-{_module_name(path.name)}.ko", module_bytes(path))
    initrd = workdir / "initramfs.cpio"
    initrd.write_bytes(archive.bytes())
    return initrd, marker


# --------------------------------------------------------------------------
# Running QEMU


def qemu_command(qemu: str, kernel: Path, initrd: Path, verbose: bool) -> list[str]:
    append = "console=ttyS0 panic=1 rdinit=/init"
    if not verbose:
        append += " quiet loglevel=3"
    return [
        qemu,
        "-accel", "tcg",
        "-cpu", "max",
        "-smp", "2",
        "-m", "1024",
        "-nographic",
        "-no-reboot",
        "-nic", "none",
        "-kernel", str(kernel),
        "-initrd", str(initrd),
        "-append", append,
        "-virtfs", VIRTFS,
        "-virtfs", PROJECT_VIRTFS.format(path=PROJECT.resolve()),
        "-virtfs", PYENV_VIRTFS.format(path=python_env()),
    ]  # fmt: skip


def python_env() -> Path:
    """The folder of the Python environment running this script: a virtual
    environment's own folder, else the installation's prefix."""
    return Path(sys.prefix).resolve()


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1bc")


@dataclass
class Result:
    status: int
    boot_seconds: float | None
    command_seconds: float | None
    total_seconds: float


def run_vm(argv: list[str], marker: str, timeout: float, out: TextIO | None = None) -> Result:
    """Boot, stream the console, return the command's status from the marker line."""
    stream = out if out is not None else sys.stdout
    exit_re = re.compile(re.escape(marker) + r"-EXIT=(\d+)")
    start = time.monotonic()
    ready: float | None = None
    finished: float | None = None
    status: int | None = None
    error: str | None = None
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    lines: queue.Queue[bytes | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.put(raw)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = start + timeout
    timed_out = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        try:
            raw = lines.get(timeout=remaining)
        except queue.Empty:
            timed_out = True
            break
        if raw is None:
            break
        line = _ANSI.sub("", raw.decode("utf-8", "replace")).replace("\r", "").rstrip("\n")
        print(line, file=stream, flush=True)
        if marker + "-READY" in line and ready is None:
            ready = time.monotonic()
        elif marker + "-INIT-ERROR" in line:
            error = line.split(marker + "-INIT-ERROR:", 1)[-1].strip()
        elif (match := exit_re.search(line)) and status is None:
            status = int(match.group(1))
            finished = time.monotonic()
    if timed_out:
        proc.kill()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    end = time.monotonic()
    total = end - start
    if timed_out and status is None:
        raise VMError(
            f"the VM hung: no exit marker after {timeout:.0f} s "
            f"({'the command was running' if ready else 'it never finished booting'}); "
            "killed it (raise --timeout if the machine is just slow)"
        )
    if error is not None:
        raise VMError(f"the VM's init failed: {error}")
    if status is None:
        raise VMError(
            f"QEMU exited with status {proc.returncode} before the command reported its exit "
            "status (see the console output above)"
        )
    boot = ready - start if ready is not None else None
    command = finished - ready if ready is not None and finished is not None else None
    return Result(status, boot, command, total)


# --------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run the kernel SCTP tests (or a command) in a QEMU VM.",
        epilog="Everything after -- is the command, run in the project directory.",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"kill the VM after this many seconds (default {DEFAULT_TIMEOUT:.0f})",
    )
    parser.add_argument(
        "--install", action="store_true", help="apt-get install " + " ".join(PACKAGES)
    )
    parser.add_argument("--kernel", type=Path, help="the kernel image (default: newest amd64)")
    parser.add_argument("--verbose", action="store_true", help="show the kernel's boot messages")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="command to run in the VM")
    args = parser.parse_args(argv)
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    return args


#: The test files with tests marked ``kernel``, named rather than collected
#: from tests/: importing every test module over 9p under TCG costs minutes.
KERNEL_TEST_FILES = (
    "test_kernel.py",
    "test_values_kernel.py",
    "test_family_kernel.py",
    "test_errno_kernel.py",
    "test_aio_kernel.py",
    "test_compare_kernel.py",
)


def default_command() -> list[str]:
    # Plugin autoload off: importing the installed plugins (hypothesis...) over
    # 9p under TCG costs more than the tests themselves, which need none.
    return [
        "env", "PYTEST_DISABLE_PLUGIN_AUTOLOAD=1",
        "python3", "-m", "pytest", "-m", "kernel", "-q", "-p", "no:cacheprovider",
        *(str(PROJECT / "tests" / name) for name in KERNEL_TEST_FILES),
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    command = args.command or default_command()
    try:
        if args.install:
            install()
        qemu = find_qemu()
        if args.kernel is not None:
            kernel = args.kernel
            moddir = Path("/lib/modules") / kernel.name.removeprefix("vmlinuz-")
            if not kernel.is_file() or not (moddir / "modules.dep").is_file():
                raise Missing(f"{kernel} or its modules ({moddir}) are missing")
        else:
            kernel, moddir = find_kernel()
        busybox = find_busybox()
        # The environment itself is shared (PYENV_VIRTFS); the interpreter it
        # runs on must be on the host root, outside what the guest hides.
        base = Path(sys.base_prefix).resolve()
        if base.parts[1:2] in (("tmp",), ("run",)):
            raise Missing(
                f"the Python installation is under {base}, which the VM hides under a tmpfs;"
                " use a Python installed elsewhere (a virtual environment may be anywhere)"
            )
        with tempfile.TemporaryDirectory(prefix="vmtest-") as tmp:
            initrd, marker = build_initramfs(Path(tmp), moddir, busybox, command, PROJECT)
            print(
                f"vmtest: booting {kernel.name} under {Path(qemu).name} (TCG); "
                f"command: {shlex.join(command)}",
                flush=True,
            )
            result = run_vm(qemu_command(qemu, kernel, initrd, args.verbose), marker, args.timeout)
    except Missing as exc:
        print(f"vmtest: missing prerequisite: {exc}", file=sys.stderr)
        return EXIT_MISSING
    except (VMError, subprocess.CalledProcessError, OSError) as exc:
        print(f"vmtest: FAILED: {exc}", file=sys.stderr)
        return EXIT_VM_FAILED
    boot = f"{result.boot_seconds:.1f} s" if result.boot_seconds is not None else "?"
    cmd = f"{result.command_seconds:.1f} s" if result.command_seconds is not None else "?"
    print(
        f"vmtest: exit status {result.status}; boot {boot}, command {cmd}, "
        f"total {result.total_seconds:.1f} s",
        flush=True,
    )
    return result.status


if __name__ == "__main__":
    sys.exit(main())
