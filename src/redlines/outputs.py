"""Where a command's output goes: stdout, or a file that is replaced only once it is complete.

A report written straight into its file leaves a torn or empty file where the last good report
stood when the disk fills or the process is killed half-way (an 82 MB report was seen cut at
4 MB, another at 0 bytes). So `Output.to(path)` writes a temporary file in the target's folder
(on Linux an unnamed one, which not even SIGKILL can leave behind), flushes it to the disk and
renames it over the target in one step: a reader finds the old report or the new one, never a
part of one. The new file keeps the old one's permissions; a file the user may not write is
not replaced, and a symbolic link is followed (its target is replaced, as a shell's `>` would
write it) — except that inside a repository, a path that leads out of it through a link is
refused: a pull request could plant `report.sarif -> ~/.bashrc` for a CI step to overwrite.
On failure the temporary file is removed, the old report stays, and the error names the path
the user gave.

A target that exists but is not a regular file (a pipe, a terminal, `/dev/null`, `/dev/full`)
holds no report to keep: it is written directly.

Each `Output` is one destination, so a run can write several (the Action writes the job
summary and a SARIF file; the CLI may one day take several `--output`s). An output whose head
can only be written once the whole run is known (the JSON's overall verdict, a verdict matrix)
keeps the body meanwhile in a `Spool`: a temporary file in the output's folder (the system's
temporary folder for stdout), so that a run over many drafts does not hold them in memory.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TextIO

from .loader.fence import repository_of

# How much of a spool is read back at a time.
_CHUNK = 1 << 20


class OutputError(Exception):
    """An output that could not be written: `<where>: <reason>`. The CLI exits 2."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def reason(err: OSError) -> str:
    """What went wrong, without the file name (messages name the path the user gave)."""
    return err.strerror or str(err)


class Spool:
    """A temporary file holding part of an output until it can be written: unnamed where the
    system allows, and gone when closed (or when the process ends, however it ends)."""

    def __init__(self, folder: str | None, where: str) -> None:
        self.where = where
        try:
            self._file: TextIO = tempfile.TemporaryFile(  # noqa: SIM115 (closed by close())
                "w+", encoding="utf-8", newline="", dir=folder
            )
        except OSError as err:
            raise OutputError(where, f"cannot make a temporary file: {reason(err)}") from None

    def write(self, text: str) -> None:
        try:
            self._file.write(text)
        except OSError as err:
            raise OutputError(self.where, reason(err)) from None

    def chunks(self) -> Iterator[str]:
        """What was written, from the start, in pieces of about a megabyte."""
        yield from self._read(lambda: self._file.read(_CHUNK))

    def lines(self) -> Iterator[str]:
        """What was written, from the start, line by line."""
        yield from self._read(self._file.readline)

    def _read(self, step: Callable[[], str]) -> Iterator[str]:
        try:
            self._file.seek(0)
            while piece := step():
                yield piece
        except OSError as err:
            raise OutputError(self.where, reason(err)) from None

    def close(self) -> None:
        self._file.close()


class Output:
    """One destination of a command's output. Use it as a context manager: what was written is
    kept when the block ends normally and dropped, where it can be, when the block raises."""

    def __init__(self, where: str, folder: str | None) -> None:
        self.where = where  # how messages name it: the path as the user gave it
        self.folder = folder  # where its spools go (None: the system's temporary folder)

    @staticmethod
    def to(path: str | None, stdout: TextIO | None = None) -> Output:
        """`path`, or stdout for None."""
        if path is None:
            return Output.stream(stdout or sys.stdout)
        return _File(path)

    @staticmethod
    def stream(stream: TextIO, where: str = "<stdout>") -> Output:
        """A stream that is already open, written as the output comes."""
        return _Stream(stream, where, None)

    @staticmethod
    def append_to(path: str, where: str) -> Output:
        """The end of a file other writers share (the Action's job summary), opened when the
        output is first written; what was appended cannot be taken back."""
        return _Appended(path, where)

    def write(self, text: str) -> None:
        raise NotImplementedError

    def spool(self) -> Spool:
        """A spool for this output: in its folder, named after it in messages; in the system's
        temporary folder, named after that."""
        if self.folder is not None:
            return Spool(self.folder, self.where)
        return Spool(None, f"a temporary file in {tempfile.gettempdir()}, for {self.where}")

    def commit(self) -> None:
        """Everything is written: make it the output."""

    def discard(self) -> None:
        """The run failed: drop what was written, where that is possible."""

    def __enter__(self) -> Output:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


class _Stream(Output):
    """A stream that is already open (stdout): written as the output comes."""

    def __init__(self, stream: TextIO, where: str, folder: str | None) -> None:
        super().__init__(where, folder)
        self._stream = stream

    def write(self, text: str) -> None:
        self._stream.write(text)

    def commit(self) -> None:
        self._stream.flush()


class _Appended(Output):
    def __init__(self, path: str, where: str) -> None:
        super().__init__(where, None)
        self._path = path
        self._file: TextIO | None = None

    def write(self, text: str) -> None:
        try:
            if self._file is None:
                self._file = open(self._path, "a", encoding="utf-8")  # noqa: SIM115 (commit)
            self._file.write(text)
        except OSError as err:
            self.discard()
            raise OutputError(self.where, reason(err)) from None

    def commit(self) -> None:
        if self._file is None:
            return
        try:
            self._file.close()
        except OSError as err:
            raise OutputError(self.where, reason(err)) from None
        finally:
            self._file = None

    def discard(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None


class _File(Output):
    """A file: replaced in one step by a complete temporary file, or (a pipe, a device) written
    directly."""

    def __init__(self, path: str) -> None:
        target = os.path.realpath(path)  # a link is followed: its target is the report
        _check_inside_repository(path, target)
        super().__init__(path, os.path.dirname(target) or os.curdir)
        self._target = target
        self._temporary: str | None = None  # the named temporary file, where one is used
        try:
            old = _stat(target)
            if old is not None and stat.S_ISDIR(old.st_mode):
                raise IsADirectoryError(errno.EISDIR, "is a directory")
            if old is not None and not os.access(target, os.W_OK):
                # A rename could replace it; a file the user may not write is not replaced.
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
            self._direct = old is not None and not stat.S_ISREG(old.st_mode)
            if self._direct:
                self.folder = None  # never spool into /dev
                self._file: TextIO = open(target, "w", encoding="utf-8")  # noqa: SIM115 (commit)
            else:
                self._file = self._open_temporary(old)
        except OSError as err:
            raise OutputError(path, reason(err)) from None

    def _open_temporary(self, old: os.stat_result | None) -> TextIO:
        folder = self.folder or os.curdir
        handle = _unnamed_file(folder)
        if handle is None:
            handle, self._temporary = tempfile.mkstemp(
                prefix=f".{os.path.basename(self._target)}.", suffix=".tmp", dir=folder
            )
        try:
            # The old report's permissions (and owner, where allowed); for a new file, what the
            # umask allows, as open() would give (mkstemp makes it private).
            os.fchmod(handle, stat.S_IMODE(old.st_mode) if old is not None else _new_mode())
            if old is not None:
                with contextlib.suppress(OSError):
                    os.fchown(handle, old.st_uid, old.st_gid)
            return open(handle, "w", encoding="utf-8")
        except BaseException:
            os.close(handle)
            self._remove_temporary()
            raise

    def write(self, text: str) -> None:
        try:
            self._file.write(text)
        except OSError as err:
            raise OutputError(self.where, reason(err)) from None

    def commit(self) -> None:
        try:
            self._file.flush()
            if self._direct:
                self._file.close()
                return
            os.fsync(self._file.fileno())
            if self._temporary is None:  # unnamed: give it a name first, beside the target
                self._temporary = _name_unnamed(self._file.fileno(), self._target)
            self._file.close()
            os.replace(self._temporary, self._target)
            self._temporary = None
            _sync_folder(self.folder or os.curdir)
        except OSError as err:
            self.discard()
            raise OutputError(self.where, reason(err)) from None

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        self._remove_temporary()

    def _remove_temporary(self) -> None:
        if self._temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temporary)
            self._temporary = None


def write_output(path: str | None, text: str, stdout: TextIO | None = None) -> None:
    """Write one rendered output to `path` (stdout for None), whole or not at all."""
    with Output.to(path, stdout) as output:
        output.write(text)


def _check_inside_repository(path: str, target: str) -> None:
    """A path inside a repository must not lead out of it through a symbolic link."""
    written = os.path.abspath(path)
    repository = repository_of(Path(written).parent)
    if repository is None or written == target:
        return
    if not Path(target).is_relative_to(Path(repository).resolve()):
        raise OutputError(
            path,
            "is a symbolic link to a place outside the repository; redlines does not write "
            "through it",
        )


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _new_mode() -> int:
    """The permissions `open()` gives a new file: 0o666 less the umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _unnamed_file(folder: str) -> int | None:
    """A file in `folder` that has no name until given one (Linux's O_TMPFILE), or None where
    the system or the file system has none."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except OSError as err:
        # open(2)'s answers when the file system (EOPNOTSUPP) or the kernel (EISDIR, EINVAL)
        # cannot make one; anything else (no such folder, no permission) is the answer.
        if err.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return None
        raise


def _name_unnamed(handle: int, target: str) -> str:
    """Link an unnamed file into the target's folder under a fresh name, and return it."""
    folder, name = os.path.split(target)
    # linkat(2) with AT_SYMLINK_FOLLOW, as open(2) documents for O_TMPFILE; os.link calls it
    # only when given a folder's descriptor (else link(2), which would link /proc's link).
    folder_handle = os.open(folder or os.curdir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for attempt in range(100):
            candidate = f".{name}.{os.getpid()}.{attempt}.tmp"
            try:
                os.link(f"/proc/self/fd/{handle}", candidate, dst_dir_fd=folder_handle)
            except FileExistsError:
                continue
            return os.path.join(folder, candidate)
    finally:
        os.close(folder_handle)
    raise FileExistsError(errno.EEXIST, "cannot name the temporary file")


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable. Not every system can open a folder; then it is skipped."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
