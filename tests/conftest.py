"""Shared pytest configuration: the ``kernel`` marker.

Tests marked ``kernel`` need SCTP in the running kernel.  This machine has
none, so they run inside a VM (``python3 tools/vmtest.py``); elsewhere they
are skipped.
"""

from __future__ import annotations

import socket
from functools import cache

import pytest

KERNEL_SKIP = "needs kernel SCTP: run tools/vmtest.py"


@cache
def kernel_sctp() -> bool:
    """Whether the running kernel can make an SCTP socket."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132).close()
    except OSError:
        return False
    return True


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "kernel: needs SCTP in the running kernel (run inside tools/vmtest.py's VM)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if any(item.get_closest_marker("kernel") for item in items) and not kernel_sctp():
        skip = pytest.mark.skip(reason=KERNEL_SKIP)
        for item in items:
            if item.get_closest_marker("kernel"):
                item.add_marker(skip)
