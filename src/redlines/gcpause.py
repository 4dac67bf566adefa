"""Pause the cyclic garbage collector while building many long-lived objects.

Loading a rule book and compiling an engine allocate many objects that all live on; the cyclic
collector then scans the growing heap again and again for cycles that are not there. At 10,000
rules that was half the load time and most of a compile (benchmarks/RESULTS.md). Nothing built
under the pause needs collecting early, and the caller's setting is restored afterwards.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
