"""Out of memory (`redlines/memory.py`): one line on stderr and exit code 4, never 1 (the code for
"a red line is violated"), never a signal, never "internal error", never "not installed".

The sweeps run the CLI as users do, in a subprocess with an address-space limit set by
`resource.setrlimit` (what `ulimit -v` and `ulimit -d` set), at sizes below the floor, around
it and above it; every run must either exit 4 with one line or print the unconstrained report.
"""

from __future__ import annotations

import errno
import importlib.abc
import json
import os
import resource
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest

from action_workspace import make_workspace
from conftest import ROOT
from redlines import cli, console, gate, memory
from redlines.engine import durable_available

DRAFT = "proposals/us-28-point-2025-11.yaml"
MB = 1 << 20
needs_durable = pytest.mark.skipif(not durable_available(), reason="durable-rules not importable")


def limited_run(
    args: Sequence[str], limit: int, which: int = resource.RLIMIT_AS
) -> tuple[int, str, str]:
    """`python -m redlines ARGS` under a memory limit, from the project root."""

    def set_limit() -> None:
        resource.setrlimit(which, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "redlines", *args], cwd=ROOT, capture_output=True, text=True,
        timeout=120, preexec_fn=set_limit,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def assert_out_of_memory_or_right(run: tuple[int, str, str], expected: tuple[int, str]) -> None:
    code, out, err = run
    if code == memory.EXIT_OUT_OF_MEMORY:
        lines = err.splitlines()
        # `auto` may first have said it takes the python engine (durable-rules lacked memory)
        notices = [line for line in lines[:-1] if line.endswith("; using the python engine")]
        assert lines[-1].startswith("redlines: out of memory: ") and len(notices) == len(lines) - 1
        assert out == ""
    else:
        assert (code, out) == expected, err


@pytest.fixture(scope="module")
def bundled_report() -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "redlines", "check", DRAFT], cwd=ROOT, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1)
    return done.returncode, done.stdout


@pytest.mark.parametrize("engine", ["auto", "durable", "python"])
@pytest.mark.parametrize("size", [24, 40, 48, 56, 63, 64, 68, 80, 128])
def test_the_bundled_book_under_an_address_space_limit(
    engine: str, size: int, bundled_report: tuple[int, str]
) -> None:
    if engine == "durable" and not durable_available():
        pytest.skip("durable-rules not importable")
    run = limited_run(["check", "--engine", engine, DRAFT], size * MB)
    assert_out_of_memory_or_right(run, bundled_report)
    if size * MB < memory.MIN_ADDRESS_SPACE:
        assert run[2] == (
            f"redlines: out of memory: the address-space limit (ulimit -v) is {size} MB; "
            "redlines needs at least 64 MB\n"
        )


@pytest.mark.parametrize("size", [12, 24, 31, 32, 40, 56])
def test_the_bundled_book_under_a_data_limit(size: int, bundled_report: tuple[int, str]) -> None:
    run = limited_run(["check", DRAFT], size * MB, resource.RLIMIT_DATA)
    assert_out_of_memory_or_right(run, bundled_report)


@pytest.fixture(scope="module")
def big_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[int, str]]:
    """1,000 rules over 1,000 terms (the loader's most rules), and its unconstrained report."""
    root = tmp_path_factory.mktemp("big")
    (root / "rules").mkdir()
    terms = "".join(f"  x.f{i:03}: {{title: f, type: integer}}\n" for i in range(1000))
    (root / "rules" / "terms.yaml").write_text(f"terms:\n{terms}")
    source = '[{title: t, url: "https://example.org/t", date: 2025-01-01}]'
    rules = "".join(
        f"  - id: T-{i}\n    title: t{i}\n    severity: red_line\n    message: m\n"
        f"    sources: {source}\n    requires: "
        + json.dumps({"all": [{"term": f"x.f{(i + j) % 1000:03}", "gt": i} for j in range(3)]})
        + "\n"
        for i in range(1000)
    )
    (root / "rules" / "t.yaml").write_text(
        f"ruleset: {{id: t, actor: T, title: T}}\nrules:\n{rules}"
    )
    values = {f"x.f{i:03}": i for i in range(0, 1000, 3)}
    (root / "p.yaml").write_text(
        "proposal: {id: p, title: p, date: 2025-11-20, status: draft, sources: "
        '[{id: s1, outlet: Example, url: "https://example.org/d", date: 2025-11-20}]}\n'
        f'clauses: [{{id: "1", title: c, text: c, sources: [s1], terms: {json.dumps(values)}}}]\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "redlines", "check", "--engine", "python", "--rules",
         str(root / "rules"), str(root / "p.yaml")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    return root, (done.returncode, done.stdout)


@needs_durable
@pytest.mark.parametrize(
    ("engine", "size"),
    # auto: durable-rules lacks memory, then the python engine does too / has enough; durable:
    # where its mallocs segfaulted (104-132 MB), and where it has enough
    [("auto", 80), ("auto", 110), ("durable", 110), ("durable", 140), ("durable", 170)],
)
def test_a_large_book_under_an_address_space_limit(
    engine: str, size: int, big_book: tuple[Path, tuple[int, str]]
) -> None:
    # Where durable-rules' unchecked mallocs segfaulted (exit 139 from 104 to 132 MB).
    root, expected = big_book
    args = ["check", "--engine", engine, "--rules", str(root / "rules"), str(root / "p.yaml")]
    assert_out_of_memory_or_right(limited_run(args, size * MB), expected)


def test_below_the_floor_nothing_heavy_is_imported() -> None:
    # pydantic's native core aborts the process (SIGABRT) when an allocation fails while it is
    # imported: the console script says so before it imports anything heavy.
    script = textwrap.dedent("""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (60 << 20, resource.RLIM_INFINITY))
        from redlines.console import main
        code = main(["check", "x.yaml"])
        print(code, sorted(m for m in sys.modules if m.startswith(("pydantic", "redlines"))))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.stdout == "4 ['redlines', 'redlines.console', 'redlines.memory']\n"
    assert done.stderr == (
        "redlines: out of memory: the address-space limit (ulimit -v) is 60 MB; "
        "redlines needs at least 64 MB\n"
    )


def test_the_cli_reports_a_memory_error_as_out_of_memory(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_memory(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(gate, "compose_rules", no_memory)  # where every command loads the rules
    assert cli.main(["check", DRAFT]) == memory.EXIT_OUT_OF_MEMORY
    assert capsys.readouterr().err == "redlines: out of memory: an allocation failed\n"


def test_the_cli_reports_an_os_error_of_no_memory_as_out_of_memory(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_memory(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOMEM, os.strerror(errno.ENOMEM))

    monkeypatch.setattr(gate, "compose_rules", no_memory)
    assert cli.main(["check", DRAFT]) == memory.EXIT_OUT_OF_MEMORY
    assert capsys.readouterr().err == "redlines: out of memory: Cannot allocate memory\n"


class _NoMemoryFor(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, error: BaseException) -> None:
        self.name, self.error = name, error

    def find_spec(self, fullname: str, *args: object) -> None:
        if fullname == self.name:
            raise self.error


def test_the_console_script_reports_an_import_out_of_memory(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "redlines.cli")
    monkeypatch.delattr("redlines.cli", raising=False)
    monkeypatch.setattr(
        sys, "meta_path", [_NoMemoryFor("redlines.cli", MemoryError()), *sys.meta_path]
    )
    assert console.main(["check", DRAFT]) == memory.EXIT_OUT_OF_MEMORY
    assert capsys.readouterr().err == "redlines: out of memory: an allocation failed\n"


def test_a_durable_rules_that_cannot_be_mapped_is_out_of_memory_not_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fixture_rules: object
) -> None:
    # At 44 MB `import durable_rules_engine` failed with ENOMEM, and `--engine durable` said
    # durable-rules was "not installed or does not build".
    from redlines import engine as engine_module

    failure = ImportError("libfoo.so: failed to map segment from shared object")
    monkeypatch.delitem(sys.modules, "durable_rules_engine", raising=False)
    monkeypatch.setattr(
        sys, "meta_path", [_NoMemoryFor("durable_rules_engine", failure), *sys.meta_path]
    )
    monkeypatch.setattr(memory, "limited", lambda: True)
    monkeypatch.setattr(engine_module, "_cache", {})
    monkeypatch.setattr(engine_module, "_unfiled", [])
    monkeypatch.setattr(engine_module, "_notice_given", False)
    with pytest.raises(memory.OutOfMemory, match="not enough memory to load durable-rules"):
        engine_module.make_engine(fixture_rules, "durable")  # type: ignore[arg-type]
    assert engine_module.make_engine(fixture_rules, "auto").name == "python"  # type: ignore[arg-type]
    assert capsys.readouterr().err == (
        "redlines: not enough memory to load durable-rules; using the python engine\n"
    )


def test_headroom_is_probed_only_under_a_limit() -> None:
    script = textwrap.dedent("""
        import resource
        from redlines import memory
        memory.ensure_headroom(1 << 40, "a terabyte")  # no limit: nothing to probe
        resource.setrlimit(resource.RLIMIT_AS, (256 << 20, resource.RLIM_INFINITY))
        memory.ensure_headroom(1 << 20, "a megabyte")
        try:
            memory.ensure_headroom(512 << 20, "half a gigabyte")
        except memory.OutOfMemory as err:
            print(err)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    strict = Path("/proc/sys/vm/overcommit_memory").read_text().strip() == "2"
    if strict:
        pytest.skip("strict overcommit: the first probe is a real allocation of a terabyte")
    assert done.stdout == "not enough memory for half a gigabyte (about 512 MB more)\n", done.stderr


def test_the_action_reports_out_of_memory_as_one_annotation(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, "draft.yaml")
    script = textwrap.dedent("""
        import runpy, redlines.gate
        def no_memory(*args, **kwargs):
            raise MemoryError
        redlines.gate.compose_rules = no_memory
        runpy.run_module("redlines.action", run_name="__main__")
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        env={**os.environ, **ws.env()},
    )  # fmt: skip
    assert done.returncode == memory.EXIT_OUT_OF_MEMORY
    assert done.stdout == "::error::redlines: out of memory: an allocation failed\n"
    assert done.stderr == ""


def test_the_message_is_one_line_whatever_the_error_says() -> None:
    assert memory.message(MemoryError("a\nb")) == "redlines: out of memory: a b"
    assert memory.message("the limit is 3 MB") == "redlines: out of memory: the limit is 3 MB"
