"""What this machine has: headers, shared libraries and their symbols, man pages.

The contract lint asks the machine what a page promises: does ``<sys/foo.h>``
exist, does the library ``.Lb`` names export the function, is there a page
for ``.Xr``.  Each answer comes from the tools a C programmer would use:
the C compiler's search path (``cc -E -v``), ``ldconfig -p`` for libraries,
``readelf --dyn-syms`` for their dynamic symbols (with versions:
``sctp_connectx@VERS_2``), and the man page folders of ``manpath``.  A
:class:`Machine` asks each question once; nothing is cached between them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: How long one probe may take; a machine that hangs here gives no answer.
TIMEOUT = 20.0

#: A line of ``readelf --dyn-syms --wide``: number, value, size, type, bind,
#: visibility, section index, name[@version].
_SYMBOL = re.compile(
    r"^\s*\d+:\s+[0-9a-f]+\s+\d+\s+(FUNC|OBJECT|IFUNC)\s+(?:GLOBAL|WEAK)\s+\S+\s+(\S+)\s+(\S+)"
)
_LDCONFIG = re.compile(r"^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)$")
_COMPRESSED = re.compile(r"\.(?:gz|bz2|xz|zst|lz|lzma|Z)$")
_NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")


def _run(argv: Sequence[str]) -> str:
    """A probe's standard output and error; empty when it cannot run."""
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT,
            check=False,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout + done.stderr


@dataclass(frozen=True, slots=True)
class Symbols:
    """A shared library's exported functions and objects, with their versions."""

    path: str
    versions: dict[str, tuple[str, ...]]  # name -> versions ("" when unversioned)

    def __contains__(self, name: str) -> bool:
        return name in self.versions


@dataclass
class Machine:
    """Answers about this machine, each asked once per Machine."""

    include_dirs: Sequence[str] = ()
    compiler: str | None = None
    #: ``.Lb`` name -> the library to read instead: a path or a name ldconfig
    #: knows (FreeBSD's pages say libc for what Linux has in libsctp).
    aliases: dict[str, str] = field(default_factory=dict)
    #: Man page folders (holding man1, man3, ...) to look in before the system's.
    manpath: Sequence[str] = ()
    _headers: list[Path] | None = None
    _libraries: dict[str, str] | None = None
    _sonames: dict[str, str] = field(default_factory=dict)
    _symbols: dict[str, Symbols | None] = field(default_factory=dict)
    _manpath: list[Path] | None = None
    _pages: dict[Path, dict[str, list[str]]] = field(default_factory=dict)

    # -- headers

    def header_dirs(self) -> list[Path]:
        """Where ``#include <...>`` looks: the -I folders, then the compiler's."""
        if self._headers is None:
            found = [Path(d) for d in self.include_dirs]
            candidates = (self.compiler or "", os.environ.get("CC", ""), "cc", "gcc", "clang")
            cc = next((c for c in candidates if c and shutil.which(c)), None)
            if cc is not None:
                out = _run([cc, "-E", "-v", "-x", "c", os.devnull])
                inside = False
                for line in out.splitlines():
                    if line.startswith("#include <...> search starts here:"):
                        inside = True
                    elif line.startswith("End of search list."):
                        inside = False
                    elif inside:
                        found.append(Path(line.strip()))
            else:
                found += [Path("/usr/local/include"), Path("/usr/include")]
            self._headers = found
        return self._headers

    def has_header(self, name: str) -> bool | None:
        """Whether a header exists; None when there is no search path to look in."""
        dirs = self.header_dirs()
        if not dirs:
            return None
        return any((d / name).is_file() for d in dirs)

    # -- libraries

    def library(self, name: str) -> str | None:
        """The shared object of a library named as ``.Lb`` names it (``libsctp``)."""
        name = self.aliases.get(name, name)
        if "/" in name:
            return name if Path(name).is_file() else None
        if self._libraries is None:
            # ldconfig lists the libraries of the machine's own ABI first;
            # the first one of each name is the one a program would load.
            table: dict[str, str] = {}
            for line in _run(["ldconfig", "-p"]).splitlines():
                m = _LDCONFIG.match(line)
                if m is not None:
                    table.setdefault(m.group(1).split(".so")[0], m.group(3))
                    self._sonames.setdefault(m.group(1), m.group(3))
            self._libraries = table
        return self._libraries.get(name if name.startswith("lib") else "lib" + name)

    def needed(self, path: str) -> list[str]:
        """The shared objects ``path`` loads (its DT_NEEDED entries), found by soname."""
        self.library("libc")  # fills the soname table
        out = _run(["readelf", "--dynamic", "--wide", path])
        found = []
        for soname in _NEEDED.findall(out):
            where = self._sonames.get(soname)
            if where is not None:
                found.append(where)
        return found

    def linked_symbols(self, path: str) -> Symbols | None:
        """What a program linked with ``path`` can call: its own symbols and those of
        the libraries it loads, transitively.  glibc's librt.so.1 exports nothing of
        its own since 2.34 (mq_open moved into libc), yet ``-lrt`` still gives mq_open."""
        own = self.symbols(path)
        if own is None:
            return None
        versions = dict(own.versions)
        seen, todo = {path}, self.needed(path)
        while todo:
            dep = todo.pop()
            if dep in seen:
                continue
            seen.add(dep)
            theirs = self.symbols(dep)
            if theirs is not None:
                for name, v in theirs.versions.items():
                    versions.setdefault(name, v)
            todo += self.needed(dep)
        return Symbols(path, versions)

    def symbols(self, path: str) -> Symbols | None:
        """The dynamic symbols a shared object exports; None when it cannot be read."""
        if path not in self._symbols:
            out = _run(["readelf", "--dyn-syms", "--wide", path])
            versions: dict[str, list[str]] = {}
            for line in out.splitlines():
                m = _SYMBOL.match(line)
                # Undefined (imported) symbols are not exported; ABS ones name
                # the library's symbol versions themselves (VERS_1).
                if m is None or m.group(2) in ("UND", "ABS"):
                    continue
                name, _, version = m.group(3).partition("@")
                versions.setdefault(name, []).append(version.lstrip("@"))
            self._symbols[path] = (
                Symbols(path, {k: tuple(v) for k, v in versions.items()}) if versions else None
            )
        return self._symbols[path]

    # -- man pages

    def man_dirs(self) -> list[Path]:
        if self._manpath is None:
            # manpath(1) may warn first ("manpath: warning: ..."): its answer
            # is the last line.
            lines = [
                s for s in _run(["manpath"]).splitlines() if s and not s.startswith("manpath")
            ]
            text = lines[-1] if lines else os.environ.get("MANPATH", "")
            dirs = [Path(d) for d in text.split(":") if d]
            system = dirs or [Path("/usr/share/man"), Path("/usr/local/share/man")]
            self._manpath = [*map(Path, self.manpath), *system]
        return self._manpath

    def has_page(self, name: str, section: str) -> bool:
        """Whether a man page ``name(section)`` is installed: ``ls.1``,
        ``ls.1.gz``, ``SSL_read.3ssl.gz`` for ``SSL_read(3)``."""
        if not section:
            return False
        for d in self.man_dirs():
            suffixes = self._folder(d / f"man{section[0]}").get(name, ())
            if any(s.startswith(section) for s in suffixes):
                return True
        return False

    def _folder(self, folder: Path) -> dict[str, list[str]]:
        """The pages of a man folder, name -> section suffixes, listed once:
        a page may hold thousands of ``.Xr``."""
        if folder not in self._pages:
            pages: dict[str, list[str]] = {}
            try:
                entries = [e.name for e in os.scandir(folder)]
            except OSError:
                entries = []
            for entry in entries:
                stem = _COMPRESSED.sub("", entry)
                name, dot, suffix = stem.rpartition(".")
                if dot and name:
                    pages.setdefault(name, []).append(suffix)
            self._pages[folder] = pages
        return self._pages[folder]
