"""The `redlines` console script (and `python -m redlines`): the CLI, started only where there is
memory enough to run it.

Importing the CLI imports pydantic, whose native core aborts the whole process when an
allocation fails (below ~40 MB of address space). So this module, which imports nothing heavy,
first compares the address-space limit with `memory.MIN_ADDRESS_SPACE`, then imports the CLI
inside a handler that reports running out of memory as one line and exit code 4 (`redlines.cli`
does the same for everything after the import).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import memory


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to sys.exit)."""
    too_little = memory.below_minimum()
    if too_little:
        return memory.report(too_little)
    try:
        from .cli import main as cli_main
    except BaseException as err:
        if not memory.is_out_of_memory(err):
            raise
        return memory.report(err)
    return cli_main(argv)
