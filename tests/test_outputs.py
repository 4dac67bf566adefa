"""Outputs survive interruption (`redlines.outputs`): a full disk, a kill, a folder that cannot
be written. The old report stays whole, no temporary file is left, and the message names the
path the user gave."""

from __future__ import annotations

import errno
import io
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, ROOT
from redlines import outputs
from redlines.cli import main
from redlines.outputs import Output, OutputError, write_output

RULES = str(FIXTURES / "rules")
DRAFT = str(FIXTURES / "proposals" / "draft.yaml")
OLD = "the last good report\n"


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def old_report(folder: Path, name: str = "report.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_text(OLD, encoding="utf-8")
    return target


class _FullDisk:
    """A file whose disk fills after `room` characters, like a real one: the first write past
    the room fails with ENOSPC."""

    def __init__(self, real: Any, room: int) -> None:
        self._real, self._room = real, room

    def write(self, text: str) -> int:
        if len(text) > self._room:
            self._real.write(text[: self._room])
            self._room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(text)
        return int(self._real.write(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@pytest.fixture
def disk_fills_after(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Output files (not their spools) fill the disk 1,000 characters in."""
    real_open = open

    def opening(file: Any, *args: Any, **kwargs: Any) -> Any:
        return _FullDisk(real_open(file, *args, **kwargs), 1_000)

    monkeypatch.setattr(outputs, "open", opening, raising=False)
    yield


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_a_full_disk_leaves_the_old_report_and_names_the_path(
    tmp_path: Path, disk_fills_after: None, fmt: str
) -> None:
    target = old_report(tmp_path / "out")
    code, _, err = cli("check", DRAFT, "--rules", RULES, "-f", fmt, "-o", str(target))
    assert code == 2
    assert err == f"redlines: error: {target}: No space left on device\n"
    assert target.read_text(encoding="utf-8") == OLD
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]  # no leftovers


def test_dev_full_is_named_in_the_message() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    code, _, err = cli("check", DRAFT, "--rules", RULES, "-o", "/dev/full")
    assert code == 2
    assert err == "redlines: error: /dev/full: No space left on device\n"


def test_a_folder_that_cannot_be_written_leaves_the_old_report(tmp_path: Path) -> None:
    target = old_report(tmp_path / "out")
    with read_only(target.parent):
        code, _, err = cli("check", DRAFT, "--rules", RULES, "-o", str(target))
    assert code == 2
    assert err.startswith(f"redlines: error: {target}: "), err
    assert ("Permission denied" in err) or ("Operation not permitted" in err), err
    assert target.read_text(encoding="utf-8") == OLD


class read_only:
    """A folder nothing can be created in: chmod for a user; for root, who ignores permission
    bits, the immutable attribute (skipped where the file system has none)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> None:
        if os.geteuid() != 0:
            self.folder.chmod(0o555)
            return
        chattr = shutil.which("chattr")
        done = chattr and subprocess.run([chattr, "+i", str(self.folder)], capture_output=True)
        if not done or done.returncode != 0:
            pytest.skip("running as root, and this file system cannot make a folder immutable")

    def __exit__(self, *_: object) -> None:
        if os.geteuid() != 0:
            self.folder.chmod(0o755)
        else:
            subprocess.run(["chattr", "-i", str(self.folder)], check=False)


def test_a_file_that_may_not_be_written_is_not_replaced(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may write any file")
    target = old_report(tmp_path)
    target.chmod(0o444)
    code, _, err = cli("check", DRAFT, "--rules", RULES, "-o", str(target))
    assert code == 2 and err == f"redlines: error: {target}: Permission denied\n"
    assert target.read_text(encoding="utf-8") == OLD


def test_a_folder_is_not_an_output(tmp_path: Path) -> None:
    code, _, err = cli("check", DRAFT, "--rules", RULES, "-o", str(tmp_path))
    assert code == 2 and err == f"redlines: error: {tmp_path}: is a directory\n"


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "report.txt"
    code, _, err = cli("check", DRAFT, "--rules", RULES, "-o", str(target))
    assert code == 2 and err == f"redlines: error: {target}: No such file or directory\n"


def test_a_kill_mid_write_leaves_the_old_report_whole(tmp_path: Path) -> None:
    """SIGKILL while the report streams into its temporary file: nothing of it reaches the
    target, and (an unnamed file on Linux) nothing of it is left behind."""
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    for i in range(400):
        shutil.copy(DRAFT, drafts / f"draft-{i:03d}.yaml")
    target = old_report(tmp_path / "out", "report.txt")
    process = subprocess.Popen(
        [sys.executable, "-m", "redlines", "check", str(drafts), "--rules", RULES,
         "--engine", "python", "-o", str(target)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        written = _wait_for_a_growing_file_in(target.parent, process, at_least=20_000)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=60) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
    assert written >= 20_000, "the report was being written when the process was killed"
    assert target.read_text(encoding="utf-8") == OLD
    if sys.platform == "linux":
        assert sorted(p.name for p in target.parent.iterdir()) == ["report.txt"]


def _wait_for_a_growing_file_in(
    folder: Path, process: subprocess.Popen[bytes], at_least: int
) -> int:
    """The size of the file the process writes in `folder`, once it has `at_least` bytes
    (found through /proc, where an unnamed file shows as 'folder/#123 (deleted)')."""
    deadline = time.monotonic() + 120
    fds = Path(f"/proc/{process.pid}/fd")
    while time.monotonic() < deadline and process.poll() is None:
        for fd in list(fds.iterdir()) if fds.exists() else []:
            try:
                if os.readlink(fd).startswith(str(folder) + "/") and fd.stat().st_size >= at_least:
                    return fd.stat().st_size
            except OSError:
                continue
        time.sleep(0.01)
    pytest.fail("the report never started streaming into its folder")


def test_permissions_are_kept_and_a_new_file_gets_the_umask(tmp_path: Path) -> None:
    kept = old_report(tmp_path, "kept.txt")
    kept.chmod(0o640)
    write_output(str(kept), "new\n")
    assert kept.read_text() == "new\n" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    umask = os.umask(0o027)
    try:
        write_output(str(tmp_path / "new.txt"), "new\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640


def test_a_link_is_followed_and_its_target_replaced(tmp_path: Path) -> None:
    real = old_report(tmp_path / "real", "report.txt")
    (tmp_path / "link.txt").symlink_to(real)
    write_output(str(tmp_path / "link.txt"), "new\n")
    assert (tmp_path / "link.txt").is_symlink() and real.read_text() == "new\n"


def test_inside_a_repository_a_link_out_of_it_is_not_written_through(tmp_path: Path) -> None:
    # A pull request could plant `redlines.sarif -> ~/.bashrc` for a CI step to overwrite.
    outside = old_report(tmp_path / "home", ".bashrc")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    inside = old_report(repo / "docs", "kept.txt")
    (repo / "redlines.sarif").symlink_to(outside)
    (repo / "alias.txt").symlink_to(inside)
    (repo / "out").symlink_to(tmp_path / "home")
    for planted in ("redlines.sarif", "out/.bashrc"):
        with pytest.raises(OutputError, match="outside the repository"):
            write_output(str(repo / planted), "new\n")
    assert outside.read_text() == OLD
    write_output(str(repo / "alias.txt"), "new\n")  # a link within the repository is followed
    assert inside.read_text() == "new\n"


def test_without_unnamed_files_a_named_one_is_used_and_removed_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the system has no O_TMPFILE (macOS, some file systems)."""
    monkeypatch.setattr(outputs, "_unnamed_file", lambda folder: None)
    target = old_report(tmp_path)
    with pytest.raises(OutputError, match="boom"), Output.to(str(target)) as output:
        output.write("half a report")
        assert len(list(tmp_path.iterdir())) == 2  # the old report and the temporary file
        raise OutputError(str(target), "boom")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert target.read_text() == OLD
    write_output(str(target), "new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert target.read_text() == "new\n"


def test_a_spool_that_cannot_be_written_names_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = old_report(tmp_path)
    with Output.to(str(target)) as output:
        spool = output.spool()
        monkeypatch.setattr(spool, "_file", _FullDisk(spool._file, 0))
        with pytest.raises(OutputError) as raised:
            spool.write("x")
        spool.close()
        output.write("fine\n")
    assert str(raised.value) == f"{target}: No space left on device"
    assert target.read_text() == "fine\n"
