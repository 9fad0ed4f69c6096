"""tools/vmtest.py: the VM sees the Python environment the tests run in, wherever it is."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("vmtest", ROOT / "tools" / "vmtest.py")
assert _spec is not None and _spec.loader is not None
vmtest = importlib.util.module_from_spec(_spec)
sys.modules["vmtest"] = vmtest
_spec.loader.exec_module(vmtest)


def test_the_environment_is_shared_at_its_own_path(tmp_path: Path) -> None:
    """A virtual environment under /tmp (which the guest hides under a tmpfs)
    is mounted back over it, like the project."""
    command = vmtest.qemu_command("qemu", Path("/boot/vmlinuz"), tmp_path / "initrd", False)
    shares = [command[i + 1] for i, arg in enumerate(command) if arg == "-virtfs"]
    assert any(
        f"path={Path(sys.prefix).resolve()}," in s and "mount_tag=pyenv" in s for s in shares
    )
    init = vmtest.INIT.replace("@PYENV@", str(vmtest.python_env()))
    tmpfs = init.index("tmpfs /newroot/tmp")
    assert init.index(f"pyenv \\\n    /newroot{vmtest.python_env()}") > tmpfs
    assert vmtest.python_env() == Path(sys.prefix).resolve()


def test_the_path_in_the_guest_starts_with_the_environment(tmp_path: Path) -> None:
    moddir = _fake_modules(tmp_path)
    busybox = tmp_path / "busybox"
    busybox.write_bytes(b"\x7fELF")
    initrd, _ = vmtest.build_initramfs(tmp_path, moddir, busybox, ["true"], ROOT)
    data = initrd.read_bytes()
    assert f"PATH={Path(sys.executable).parent}:".encode() in data
    assert f"/newroot{vmtest.python_env()}".encode() in data


def test_an_installation_under_tmp_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vmtest.sys, "base_prefix", "/tmp/python-built-here")
    monkeypatch.setattr(vmtest, "find_qemu", lambda: "qemu")
    monkeypatch.setattr(vmtest, "find_kernel", lambda: (Path("/boot/k"), Path("/lib/modules/k")))
    monkeypatch.setattr(vmtest, "find_busybox", lambda: Path("/bin/busybox"))
    assert vmtest.main([]) == vmtest.EXIT_MISSING


def _fake_modules(tmp_path: Path) -> Path:
    """A modules folder with empty modules for what the initramfs loads."""
    moddir = tmp_path / "modules"
    kernel = moddir / "kernel"
    kernel.mkdir(parents=True)
    lines = []
    for name in (*vmtest.MODULES, "virtio", "virtio_ring", "9pnet", "netfs", "fscache"):
        (kernel / f"{name}.ko").write_bytes(b"")
        lines.append(f"kernel/{name}.ko:")
    (moddir / "modules.dep").write_text("\n".join(lines) + "\n")
    return moddir


def test_the_vm_runs_every_file_of_kernel_tests() -> None:
    """The VM stage names its test files; a new file of tests marked
    ``kernel`` that it does not name would never run anywhere."""
    marked = {
        path.name
        for path in (ROOT / "tests").glob("test_*.py")
        if path.name != Path(__file__).name
        and "pytest.mark.kernel" in path.read_text(encoding="utf-8")
    }
    assert marked == set(vmtest.KERNEL_TEST_FILES)
    assert all(str(ROOT / "tests" / name) in vmtest.default_command() for name in marked)
