"""The C declaration parser: prototypes and parameters as the SYNOPSIS writes them."""

from __future__ import annotations

import pytest

from mdoc2rst.contract.cdecl import DeclError, parse_param, parse_prototype

ROUND_TRIP = [
    "int sctp_connectx(int sd, struct sockaddr *addrs, int addrcnt, sctp_assoc_t *id)",
    "void (*signal(int sig, void (*func)(int)))(int)",
    "const char *const *f(char *argv[], int n, ...)",
    "int main(void)",
    "char *strdup(const char *)",
    "int f(char *restrict p, unsigned long long n)",
    "union u *g(enum e (*cb)(struct s *, int), volatile int *const p)",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_round_trip(text: str) -> None:
    assert parse_prototype(text).render() == text


def test_parts_of_the_seed_prototype() -> None:
    p = parse_prototype(ROUND_TRIP[0] + ";")
    assert p.name == "sctp_connectx"
    assert p.returns.render() == "int"
    assert [(q.name, q.type.render()) for q in p.params] == [
        ("sd", "int"),
        ("addrs", "struct sockaddr *"),
        ("addrcnt", "int"),
        ("id", "sctp_assoc_t *"),
    ]
    addrs = p.params[1].type
    assert addrs.is_pointer() and addrs.pointee().base == "struct sockaddr"
    assert not p.variadic


def test_function_pointer_parameter() -> None:
    q = parse_param("void (*func)(int)")
    assert q.name == "func"
    assert [d.kind for d in q.type.derived] == ["ptr", "func"]


def test_variadic() -> None:
    assert parse_prototype("int printf(const char *fmt, ...)").variadic


@pytest.mark.parametrize(
    "bad", ["int (", "foo", "int x", "struct *p", "int f(int a", "int f(int) extra"]
)
def test_errors_are_decl_errors(bad: str) -> None:
    with pytest.raises(DeclError):
        parse_prototype(bad)
