"""Running out of memory: one line on stderr and exit code 4, never a crash.

Under an address-space limit (`ulimit -v`, i.e. RLIMIT_AS; RLIMIT_DATA; or strict overcommit) an
allocation fails where it would otherwise succeed. Python turns that into MemoryError, which the
CLI, the console script and the Action report as `redlines: out of memory: …` with
EXIT_OUT_OF_MEMORY. Three things would not get that far, and are handled here:

- Below ~40 MB of address space, importing pydantic fails in ways no handler can catch (its Rust
  core aborts the process on a failed allocation; the import machinery raises SystemError). The
  console script refuses to start under MIN_ADDRESS_SPACE (or MIN_DATA) before importing
  anything heavy.
- durable-rules' C core writes through unchecked mallocs (a segfault when one fails). The
  durable engine first maps the memory it will need (`ensure_headroom`): when that fails, so
  would the core's mallocs, and nothing has been called yet.
- Printing the message needs memory too: RESERVE is given back first.

Only a limit makes allocations fail; a container's memory limit (cgroups) kills the process
instead, which no program can report.
"""

from __future__ import annotations

import mmap
import resource
import sys

EXIT_OUT_OF_MEMORY = 4
# A `redlines check` of the bundled rules peaks at ~55 MB of address space with durable-rules and
# ~47 MB with the python engine (VmPeak, CPython 3.11): importing pydantic alone maps ~41 MB. Of
# that, ~24 MB is data (VmData). Below these, imports fail in ways that cannot all be caught.
MIN_ADDRESS_SPACE = 64 << 20  # RLIMIT_AS, `ulimit -v`
MIN_DATA = 32 << 20  # RLIMIT_DATA, `ulimit -d`
_RESERVE_BYTES = 256 << 10

_reserve: bytearray | None = bytearray(_RESERVE_BYTES)
_strict_overcommit: bool | None = None


class OutOfMemory(MemoryError):
    """Not enough memory: the message says for what. The CLI prints it as one line, exit 4."""


def address_space_limit() -> int | None:
    """The smaller of the address-space and data limits in bytes, or None when neither is set."""
    limits = [resource.getrlimit(which)[0] for which in (resource.RLIMIT_AS, resource.RLIMIT_DATA)]
    finite = [limit for limit in limits if limit != resource.RLIM_INFINITY]
    return min(finite) if finite else None


def limited() -> bool:
    """Whether an allocation can fail here rather than the process being killed: a limit is set,
    or the kernel does not overcommit."""
    global _strict_overcommit
    if address_space_limit() is not None:
        return True
    if _strict_overcommit is None:
        try:
            # Bytes: text mode would import the ASCII codec, at every durable check's start.
            with open("/proc/sys/vm/overcommit_memory", "rb") as setting:
                _strict_overcommit = setting.read().strip() == b"2"
        except OSError:
            _strict_overcommit = False
    return _strict_overcommit


def ensure_headroom(size: int, what: str) -> None:
    """Raise OutOfMemory unless `size` more bytes can be had now. Only probes where an
    allocation can fail (`limited`): elsewhere it costs nothing and always passes."""
    if not limited():
        return
    try:
        probe = mmap.mmap(-1, max(size, mmap.PAGESIZE), flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    except (OSError, MemoryError, OverflowError):
        needed = f"about {size >> 20 or 1} MB more"
        raise OutOfMemory(f"not enough memory for {what} ({needed})") from None
    probe.close()


def below_minimum() -> str | None:
    """The out-of-memory message when a limit is under what starting redlines takes, else None."""
    for which, least, flag in (
        (resource.RLIMIT_AS, MIN_ADDRESS_SPACE, "address-space limit (ulimit -v)"),
        (resource.RLIMIT_DATA, MIN_DATA, "data limit (ulimit -d)"),
    ):
        limit = resource.getrlimit(which)[0]
        if limit != resource.RLIM_INFINITY and limit < least:
            return f"the {flag} is {limit >> 20} MB; redlines needs at least {least >> 20} MB"
    return None


def is_out_of_memory(err: BaseException) -> bool:
    """MemoryError, an OSError of ENOMEM, or how a failed allocation shows while importing a
    native library under a limit (ImportError "failed to map segment", a SystemError such as
    "returned NULL without setting an exception"); without a limit those two are bugs."""
    if isinstance(err, MemoryError):
        return True
    if isinstance(err, OSError):
        return err.errno == 12  # ENOMEM
    if isinstance(err, SystemError):  # a C function failed without saying why
        return limited()
    if isinstance(err, ImportError) and limited():
        return any(sign in str(err) for sign in ("failed to map segment", "Cannot allocate memory"))
    return False


def message(err: BaseException | str) -> str:
    """`redlines: out of memory: …`, one line, for an out-of-memory error or a reason. Gives the
    reserve back first: whatever prints the message needs memory too."""
    global _reserve
    _reserve = None
    if isinstance(err, str):
        detail = err
    elif isinstance(err, OutOfMemory):
        detail = str(err)
    elif isinstance(err, ImportError | SystemError):
        detail = "a library could not be loaded"
    elif isinstance(err, OSError):
        detail = err.strerror or "an allocation failed"
    else:
        detail = " ".join(str(err).split()) or "an allocation failed"
    return f"redlines: out of memory: {detail}"


def report(err: BaseException | str) -> int:
    """Print `message(err)` on stderr; return EXIT_OUT_OF_MEMORY."""
    try:
        text = message(err)
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    except Exception:  # nothing left to say it with; the exit code still does
        pass
    return EXIT_OUT_OF_MEMORY
