"""The `redlines` console script (and `python -m redlines`): the CLI, started only where there is
memory enough to run it.

Importing the CLI imports pydantic, whose native core aborts the whole process when an
allocation fails (below ~40 MB of address space). So this module, which imports nothing heavy,
first compares the address-space limit with `memory.MIN_ADDRESS_SPACE`, then imports the CLI
inside a handler that reports running out of memory as one line and exit code 4 (`redlines.cli`
does the same for everything after the import).

Two things are settled here, before that import, because they only concern the command line:

- `redlines --version` prints the version without importing the CLI (which imports pydantic and
  builds every model: ~30x the time, to print one line). Only the exact argument list
  `["--version"]` takes this path; anything else is parsed by the CLI as before.
- Pydantic looks for plugins (the `pydantic` entry-point group of every installed distribution)
  when the first model is built; the command line has no use for them, and the search is a
  noticeable part of every start. `PYDANTIC_DISABLE_PLUGINS` is pydantic's documented switch for
  this; it is set only when the user has not set it (set it to an empty string to have plugins
  load), and never by the library (`import redlines`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from . import memory

_NO_PYDANTIC_PLUGINS = ("PYDANTIC_DISABLE_PLUGINS", "__all__")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to sys.exit)."""
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        return _print_version()
    too_little = memory.below_minimum()
    if too_little:
        return memory.report(too_little)
    os.environ.setdefault(*_NO_PYDANTIC_PLUGINS)
    try:
        from .cli import main as cli_main
    except BaseException as err:
        if not memory.is_out_of_memory(err):
            raise
        return memory.report(err)
    return cli_main(argv)


def _print_version() -> int:
    """What argparse's `version` action prints for `redlines --version` (cli.build_parser)."""
    from .version import __version__

    try:
        sys.stdout.write(f"redlines {__version__}\n")
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    return 0
