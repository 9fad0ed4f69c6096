"""Contract lint: fixture pages beside the findings expected for them.

Each ``tests/fixtures/contract/NAME.<section>`` is a page with findings of
some kinds and, beside them, what must not be found (a member written with
``.Fa``, a variadic call's argument, an errno of another call, a family
name in NAME); ``NAME.findings`` lists the findings, one per line, as
``line:column: LEVEL: message``.  The pages of the machine kinds are checked
against ``include/``, a library built here from ``machine_demo.c`` and a man
folder made here; in their expectations ``{library}`` stands for the
library's path, and a line ending in ``...`` matches whatever a compiler
says after it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mutate import deadline
from oracle import child_env, require_tool

from mdoc2rst import parse
from mdoc2rst.contract.lint import KINDS, ContractOptions, check
from mdoc2rst.contract.machine import Machine
from mdoc2rst.contract.spec import extract
from mdoc2rst.tree.diagnostics import Diagnostic

FIXTURES = Path(__file__).parent / "fixtures" / "contract"
#: The seed page as the project ships it (tests/test_docs.py keeps it equal
#: to ../shared's), so that these tests need no corpus.
SEED = Path(__file__).resolve().parent.parent / "docs" / "man3" / "sctp_connectx.3"
MACHINE_PAGES = ("machine.3", "machine_missing.3", "needed.3", "machine_man.3")
PAGES = sorted(p for p in FIXTURES.iterdir() if p.suffix[1:2].isdigit())
PLAIN = [p for p in PAGES if p.name not in MACHINE_PAGES]
SITE = {("names", "3"), ("machine", "3")}


def findings(page: Path, options: ContractOptions | None = None) -> list[Diagnostic]:
    doc = parse(page.read_bytes(), page.name)
    return check(doc, extract(doc), options)


def lines(found: list[Diagnostic]) -> list[str]:
    return [str(d).split(":", 1)[1] for d in found]


def expected(page: Path, **values: str) -> list[str]:
    text = page.with_suffix(".findings").read_text(encoding="utf-8")
    return [line.format(**values) for line in text.splitlines()]


def matches(got: list[str], want: list[str]) -> bool:
    return len(got) == len(want) and all(
        g.startswith(w.removesuffix("...")) if w.endswith("...") else g == w
        for g, w in zip(got, want, strict=True)
    )


@pytest.mark.parametrize("page", PLAIN, ids=[p.name for p in PLAIN])
def test_page_findings(page: Path) -> None:
    assert lines(findings(page)) == expected(page)


def test_every_kind_has_a_fixture() -> None:
    texts = " ".join(p.read_text(encoding="utf-8") for p in FIXTURES.glob("*.findings"))
    missing = [k for k, (_, message) in KINDS.items() if f": {message}: " not in texts]
    assert missing == []


def test_seed_s_is_no_parameter_of_sctp_connectx() -> None:
    # ERRORS says "The argument s is not a valid descriptor"; the parameter is sd.
    source = SEED.read_text(encoding="utf-8").splitlines()
    at = [n for n, text in enumerate(source, 1) if text.strip() == ".Fa s"]
    found = [d for d in findings(SEED) if d.kind == "CONTRACT_FA_UNKNOWN"]
    assert at and [d.line for d in found] == at
    assert all("s (parameters: addrcnt, addrs, id, sd)" in d.message for d in found)


def test_kinds_not_asked_for_are_not_reported() -> None:
    page = FIXTURES / "errors.2"
    only = ContractOptions(kinds=frozenset({"er_same"}))
    assert [d.kind for d in findings(page, only)] == ["CONTRACT_ER_SAME"]


# -- the machine ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Machine, Path]:
    cc = require_tool("cc")
    require_tool("readelf")
    work = tmp_path_factory.mktemp("machine")
    library = work / "libmachine_demo.so"
    subprocess.run(
        [cc, "-shared", "-fPIC", "-I", str(FIXTURES / "include"), "-o", str(library),
         str(FIXTURES / "machine_demo.c")],
        check=True,
    )  # fmt: skip
    man7 = work / "man" / "man7"
    man7.mkdir(parents=True)
    (man7 / "machine_page.7.gz").write_bytes(b"")
    found = Machine(
        include_dirs=(str(FIXTURES / "include"),),
        aliases={"libmachine_demo": str(library)},
        manpath=(str(work / "man"),),
    )
    return found, library


def machine_options(machine: Machine) -> ContractOptions:
    return ContractOptions(machine=machine, site_has=lambda n, s: (n, s) in SITE)


def test_page_against_header_library_and_site(machine: tuple[Machine, Path]) -> None:
    found, library = machine
    page = FIXTURES / "machine.3"
    got = lines(findings(page, machine_options(found)))
    want = expected(page, library=str(library))
    assert matches(got, want), "\n".join(got)


def test_missing_header_and_library(machine: tuple[Machine, Path]) -> None:
    page = FIXTURES / "machine_missing.3"
    # The unknown type nowhere_t follows from the missing header: one finding.
    assert lines(findings(page, machine_options(machine[0]))) == expected(page)


def test_man7_page_against_its_header(machine: tuple[Machine, Path]) -> None:
    # A man(7) page has no .Fa or .Er: it gets the findings its spec gives.
    page = FIXTURES / "machine_man.3"
    got = lines(findings(page, machine_options(machine[0])))
    assert matches(got, expected(page)), "\n".join(got)


def test_function_of_a_library_the_library_loads(machine: tuple[Machine, Path]) -> None:
    # glibc's librt.so.1 exports nothing of its own since 2.34; -lrt gives mq_open still.
    page = FIXTURES / "needed.3"
    kinds = frozenset({"symbol_missing", "library_missing"})
    options = ContractOptions(kinds=kinds, machine=machine[0])
    assert lines(findings(page, options)) == []


# -- the command line ----------------------------------------------------------------


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "lint", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env=child_env(),
    )


def test_command_line_adds_findings_to_mandoc_lint() -> None:
    done = run("--contract", "--no-machine", FIXTURES / "arguments.3")
    out = done.stdout.splitlines()
    assert any("[contract.fa_unknown]" in line for line in out)
    assert any("[contract.param_undescribed]" in line for line in out)
    assert [int(line.split(":")[1]) for line in out] == sorted(
        int(line.split(":")[1]) for line in out
    )
    assert done.returncode == 2  # the worst is a warning, as mandoc counts


def test_command_line_bare_option_never_takes_the_page() -> None:
    done = run("--no-machine", "--contract", FIXTURES / "arguments.3")
    assert "[contract.fa_unknown]" in done.stdout and done.stderr == ""
    named = run("--no-machine", "--contract", "fa_unknown", FIXTURES / "arguments.3")
    assert "fa_unknown" in named.stderr  # kinds come after "=" only: a file of that name


def test_command_line_kinds_and_levels() -> None:
    only = run("--contract=fa_unknown", "--no-machine", FIXTURES / "arguments.3").stdout
    assert only and all("[contract.fa_unknown]" in line for line in only.splitlines()
                        if "[contract." in line)  # fmt: skip
    warnings = run("--contract", "--no-machine", "-W", "warning", FIXTURES / "arguments.3")
    assert "STYLE" not in warnings.stdout and "[contract.fa_unknown]" in warnings.stdout
    plain = run(FIXTURES / "arguments.3")
    assert "[contract." not in plain.stdout


@pytest.mark.parametrize("value", ["nonsense", "fa_unknown,nonsense", ","])
def test_command_line_unknown_kind_is_a_usage_error(value: str) -> None:
    done = run(f"--contract={value}", FIXTURES / "arguments.3")
    assert done.returncode == 5 and "Traceback" not in done.stderr
    assert "unknown kind" in done.stderr and done.stdout == ""


def test_command_line_library_and_undocumented(
    machine: tuple[Machine, Path], tmp_path: Path
) -> None:
    _, library = machine
    done = run(
        "--contract", "-I", FIXTURES / "include", "--library", f"libmachine_demo={library}",
        "--undocumented", FIXTURES / "machine.3",
    )  # fmt: skip
    assert "demo_gone is not in " + str(library) in done.stdout
    assert done.stdout.splitlines()[-1] == (
        f"{library}: 1 exported symbol that no page documents: demo_undocumented"
    )
    assert done.returncode == 3  # the header conflict is an error
    bad = run("--contract", "--library", "libmachine_demo", FIXTURES / "machine.3")
    assert bad.returncode == 5 and "NAME=FILE" in bad.stderr
    alone = run("--undocumented", FIXTURES / "machine.3")
    assert alone.returncode == 5 and "go with --contract" in alone.stderr
    assert alone.stdout == "" and "Traceback" not in alone.stderr


def test_seed_finding_from_the_command_line() -> None:
    done = run("--contract=fa_unknown", "--no-machine", SEED)
    found = [line for line in done.stdout.splitlines() if "[contract." in line]
    assert len(found) == 2 and all("argument that no prototype" in f for f in found)


# -- pages far beyond real ones ------------------------------------------------------

HEAD = ".Dd May 1, 2020\n.Dt T 3\n.Os\n.Sh NAME\n"
PARAMS = " ".join(f'"int p{i}"' for i in range(2_000))
# Each is checked in seconds; a pass that goes quadratic in what repeats
# (a paragraph of .Fa, a NAME of thousands, .Xr to pages nowhere) runs for
# minutes and the deadline fails it.  Figures: tools/contract_report.py.
HUGE = {
    "Fa-in-one-paragraph": HEAD
    + ".Nm f\n.Nd t\n.Sh SYNOPSIS\n.Ft int\n"
    + f".Fn f {PARAMS}\n.Sh DESCRIPTION\n"
    + "".join(f".Fa q{i}\n" for i in range(20_000)),
    "Fa-unknown-in-items": HEAD + '.Nm f\n.Nd t\n.Sh SYNOPSIS\n.Fn f "int a"\n'
    ".Sh DESCRIPTION\nfields:\n.Bl -tag\n" + ".It Fa zz\n.Fa yy and .Fa xx\n" * 10_000 + ".El\n",
    "Er-in-one-paragraph": HEAD + '.Nm f\n.Nd t\n.Sh SYNOPSIS\n.Fn f "int a"\n'
    ".Sh DESCRIPTION\n.Fn f\nfails with\n"
    + ".Er EIO\n" * 20_000
    + ".Sh ERRORS\n.Bl -tag\n"
    + "".join(f".It Bq Er E{i}\nx\n" for i in range(5_000))
    + ".El\n",
    "Nm-20000": HEAD + "".join(f".Nm n{i}_x ,\n" for i in range(20_000)) + ".Nd t\n"
    ".Sh SYNOPSIS\n" + "".join(f'.Fn n{i}_x_y "int a"\n' for i in range(20_000)),
    "Xr-nowhere-20000": HEAD
    + ".Nm f\n.Nd t\n.Sh SEE ALSO\n"
    + "".join(f".Xr nowhere{i % 500} 3 ,\n" for i in range(20_000)),
}


@pytest.mark.parametrize("name", sorted(HUGE))
def test_huge_pages_stay_linear(name: str, machine: tuple[Machine, Path]) -> None:
    with deadline(60):
        doc = parse(HUGE[name], f"{name}.3")
        found = check(doc, extract(doc), machine_options(machine[0]))
    assert all(len(str(d)) < 2_000 for d in found)
