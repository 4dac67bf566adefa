"""The bad-input corpus: each case runs the CLI in its own process and must end in exit 2 with
`file:line:col: message` lines equal to its golden `expected.txt` (a few cases are inputs that
must *work*, such as a BOM or CRLF line endings, and say so with `exit: 0` or `exit: 1`).

Each case is a folder under tests/bad_inputs/ (see tests/README.md): `case.yaml` says what it
shows, its `rules/` and `proposals/` files are laid over a copy of tests/fixtures in a fresh
repository (a folder with `.git`), and `expected.txt` holds what the user sees.
Regenerate the goldens after an intended change with `REDLINES_REGENERATE=1 pytest
tests/test_bad_inputs.py`, then read every changed line as a user would.

Starting Python and importing redlines costs 0.2 s of CPU, 30 s for the corpus on two cores, so
cases run in processes forked from one that has imported `redlines.cli` (each child: its own
working directory, resource limits, stdout and stderr, then `redlines.cli.main(args)` and exit).
The cases marked `limits: true`, and those that must work, also run as `python -m redlines.cli`
from scratch, which is where the CPU and memory budgets are measured.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import redlines.yamlfile as yamlfile
from conftest import FIXTURES
from golden_files import check_golden
from redlines.loader.proposals import MAX_BASE_DEPTH
from redlines.models import InputError
from redlines.yamlfile import MAX_FILE_BYTES, parse_yaml

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())
CASE_KEYS = {"about", "args", "exit", "generate", "remove", "limits", "warns"}
# What every problem line must look like: the place to fix, then what to do.
PROBLEM_LINE = re.compile(r"^[^\n:]+:\d+:\d+: \S.*$")
WARNING_LINE = re.compile(r"^[^\n:]+:\d+:\d+: warning: \S.*$")

# A hostile file must be refused fast and small: at most this much more CPU time and peak
# resident memory than a cold `python -m redlines.cli` check of a valid draft measured in the
# same run (machines are shared and noisy, so an absolute figure would measure the machine).
CPU_BUDGET_S = 1.0
RSS_BUDGET_MB = 100
# The valid draft the budgets are measured from, and how many cold starts make its baseline.
BASELINE_ARGS = ["check", "proposals/draft.yaml", "--rules", "rules"]
BASELINE_RUNS = 3
# A hard cap on address space, so that a regression fails the test instead of the machine.
ADDRESS_SPACE_CAP = 1024 * 1024 * 1024
CLI_ENV = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "PYTHONHASHSEED": "0"}


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    cpu_s: float
    rss_mb: float


@dataclass
class Job:
    args: list[str]
    cwd: Path
    timeout: float = 60

    def output(self, stream: str) -> Path:
        return self.cwd.parent / f"{stream}.txt"

    def outcome(self, status: int, usage: Any) -> Outcome:
        return Outcome(
            code=os.waitstatus_to_exitcode(status),
            out=self.output("stdout").read_text("utf-8", errors="replace"),
            err=self.output("stderr").read_text("utf-8", errors="replace"),
            cpu_s=usage["cpu"] if isinstance(usage, dict) else usage.ru_utime + usage.ru_stime,
            rss_mb=(usage["rss"] if isinstance(usage, dict) else usage.ru_maxrss) / 1024,
        )


# `python -m redlines.cli`, with the limits set before redlines is imported. (Setting them in a
# preexec_fn would run Python between fork and exec, which can deadlock once a test in this
# process has started threads, as the durable-rules engine does.)
_LIMITED_CLI = """
import resource, runpy, sys
cap = int(sys.argv.pop(1))
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
resource.setrlimit(resource.RLIMIT_CPU, (30, 30))
runpy.run_module("redlines.cli", run_name="__main__", alter_sys=True)
"""


def run_cli_process(job: Job) -> Outcome:
    """`python -m redlines.cli ARGS` from scratch, under limits, with its own rusage."""
    with job.output("stdout").open("wb") as out, job.output("stderr").open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", _LIMITED_CLI, str(ADDRESS_SPACE_CAP), *job.args],
            cwd=job.cwd,
            env=CLI_ENV,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
    status, usage = _wait(proc.pid, job.timeout)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return job.outcome(status, usage)


def _wait(pid: int, timeout: float) -> tuple[int, Any]:
    # os.wait4 gives this one child's rusage; RUSAGE_CHILDREN would mix in every other.
    deadline = time.monotonic() + timeout
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage
        if time.monotonic() > deadline:  # a hang that burns no CPU, e.g. a blocked read
            os.kill(pid, 9)
        time.sleep(0.002)


# Reads one JSON job per line, forks a child per job that runs the CLI entry point, and answers
# with the child's exit status and rusage. It imports redlines.cli once and never runs a check
# itself, so every child starts from the same freshly imported state, with no threads.
_ZYGOTE = """
import json, os, resource, sys, time, traceback
import redlines.cli
cap = int(sys.argv[1])
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
            resource.setrlimit(resource.RLIMIT_CPU, (30, 30))
            os.chdir(job["cwd"])
            for fd, name, flags in ((0, os.devnull, os.O_RDONLY),
                                    (1, job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                    (2, job["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
                os.dup2(os.open(name, flags, 0o644), fd)
            code = redlines.cli.main(job["args"])
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    deadline = time.monotonic() + job["timeout"]
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
        time.sleep(0.001)
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"status": status, "cpu": cpu, "rss": usage.ru_maxrss}), flush=True)
"""


@pytest.fixture(scope="module")
def forked_cli() -> Iterator[Callable[[Job], Outcome]]:
    """Run the CLI entry point in a fresh process forked per job (see the module docstring)."""
    zygote = subprocess.Popen(
        [sys.executable, "-c", _ZYGOTE, str(ADDRESS_SPACE_CAP)],
        env=CLI_ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert zygote.stdin is not None and zygote.stdout is not None

    def run(job: Job) -> Outcome:
        assert zygote.stdin is not None and zygote.stdout is not None
        zygote.stdin.write(
            json.dumps(
                {
                    "args": job.args,
                    "cwd": str(job.cwd),
                    "timeout": job.timeout,
                    "out": str(job.output("stdout")),
                    "err": str(job.output("stderr")),
                }
            )
            + "\n"
        )
        zygote.stdin.flush()
        answer = json.loads(zygote.stdout.readline())
        return job.outcome(answer["status"], answer)

    yield run
    zygote.stdin.close()
    zygote.wait(timeout=30)


# --- generated inputs: too big, or not storable in git, to keep as files -----------------------


def _oversize(repo: Path) -> None:
    line = b"# " + b"x" * 97 + b"\n"
    body = (FIXTURES / "proposals" / "draft.yaml").read_bytes()
    (repo / "proposals" / "big.yaml").write_bytes(
        body + line * ((MAX_FILE_BYTES - len(body)) // len(line) + 2)
    )


def _very_deep(repo: Path) -> None:
    (repo / "proposals" / "deep.yaml").write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")


def _many_values(repo: Path) -> None:
    header = "proposal: {id: p, title: Many, date: 2025-11-20, status: draft}\n"
    (repo / "proposals" / "many.yaml").write_text(
        header + "clauses: [" + ",".join(["0"] * 150_000) + "]\n"
    )


def _many_rules(repo: Path) -> None:
    rule = (
        "  - {id: X-%d, title: T, severity: red_line, message: M,\n"
        "     requires: {term: ukraine.army_cap, gte: %d}}\n"
    )
    for part in range(3):
        (repo / "rules" / f"many-{part}.yaml").write_text(
            f"ruleset: {{id: many-{part}, actor: Many {part}, title: T}}\nrules:\n"
            + "".join(rule % (part * 1000 + i, i) for i in range(400))
        )


def _base_chain(repo: Path) -> None:
    header = "proposal: {id: v%d, title: Variant %d, date: 2025-11-21, status: draft}\n"
    previous = "draft.yaml"
    for level in range(MAX_BASE_DEPTH + 2):
        name = f"v{level:02d}.yaml"
        (repo / "proposals" / name).write_text(f"base: {previous}\n" + header % (level, level))
        previous = name


def _symlink_out(repo: Path) -> None:
    (repo / "proposals" / "linked.yaml").symlink_to("/etc/passwd")


def _symlink_rules_out(repo: Path) -> None:
    (repo / "rules" / "linked.yaml").symlink_to("/etc/passwd")


def _symlink_loop(repo: Path) -> None:
    (repo / "proposals" / "loop.yaml").symlink_to("loop.yaml")


def _fifo(repo: Path) -> None:
    os.mkfifo(repo / "proposals" / "pipe.yaml")


def _fifo_in_rules(repo: Path) -> None:
    os.mkfifo(repo / "rules" / "pipe.yaml")


def _terms_to_dev_zero(repo: Path) -> None:
    (repo / "rules" / "terms.yaml").symlink_to("/dev/zero")


def _empty_dir(repo: Path) -> None:
    (repo / "nothing").mkdir()


def _non_utf8_name(repo: Path) -> None:
    shutil.copy(
        FIXTURES / "proposals" / "draft.yaml", os.fsencode(repo / "proposals") + b"/draft-\xff.yaml"
    )


# A pyproject.toml kept in this tree would be read by the tools that work on it (ruff reads every
# pyproject.toml under the folders it lints), so the cases that need one write it.
def _pyproject_beside_config(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.redlines]\nstrict = true\n")


def _pyproject_bad_value(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "drafts"\n\n[tool.redlines]\nfail-on = "red_line"\nstrict = "yes"\n'
    )


def _pyproject_not_toml(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.redlines]\nfail-on = red_line\n")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "pyproject_beside_config": _pyproject_beside_config,
    "pyproject_bad_value": _pyproject_bad_value,
    "pyproject_not_toml": _pyproject_not_toml,
    "oversize": _oversize,
    "very_deep": _very_deep,
    "many_values": _many_values,
    "many_rules": _many_rules,
    "base_chain": _base_chain,
    "symlink_out": _symlink_out,
    "symlink_rules_out": _symlink_rules_out,
    "symlink_loop": _symlink_loop,
    "fifo": _fifo,
    "fifo_in_rules": _fifo_in_rules,
    "terms_to_dev_zero": _terms_to_dev_zero,
    "empty_dir": _empty_dir,
    "non_utf8_name": _non_utf8_name,
}


# --- the corpus ---------------------------------------------------------------------------------


def load_case(name: str) -> dict[str, Any]:
    case = yaml.safe_load((CORPUS / name / "case.yaml").read_text(encoding="utf-8"))
    assert isinstance(case, dict) and "about" in case, f"{name}/case.yaml needs 'about'"
    assert set(case) <= CASE_KEYS, f"{name}/case.yaml: unknown keys {set(case) - CASE_KEYS}"
    return case


def build_repo(name: str, case: dict[str, Any], tmp_path: Path) -> tuple[Path, list[str]]:
    """A fresh repository: the fixtures, the case's files over them, then its generator."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "rules", repo / "rules")
    shutil.copytree(FIXTURES / "proposals", repo / "proposals")
    source = CORPUS / name
    own: list[str] = []
    for item in sorted(source.rglob("*")):
        relative = item.relative_to(source)
        if item.is_dir() or relative.as_posix() in ("case.yaml", "expected.txt"):
            continue
        target = repo / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(item, target)
        if relative.parts[0] == "proposals":
            own.append(relative.as_posix())
    for gone in case.get("remove", []):
        path = repo / gone
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    if "generate" in case:
        GENERATORS[case["generate"]](repo)
    return repo, own


def case_args(case: dict[str, Any], own: list[str]) -> list[str]:
    if "args" in case:
        return [str(a) for a in case["args"]]
    return ["check", *(own or ["proposals/draft.yaml"]), "--rules", "rules"]


def prepared(name: str, tmp_path: Path) -> tuple[dict[str, Any], Job]:
    case = load_case(name)
    repo, own = build_repo(name, case, tmp_path)
    return case, Job(case_args(case, own), repo)


def check_outcome(name: str, case: dict[str, Any], job: Job, run: Outcome) -> None:
    expected_exit = case.get("exit", 2)
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err
    assert run.code == expected_exit, f"exit {run.code}, expected {expected_exit}\n{run.err}"
    if expected_exit == 2:
        assert run.err, "exit 2 must say why"
        for line in run.err.splitlines():
            assert PROBLEM_LINE.match(line), f"not 'file:line:col: message': {line!r}"
        shown = run.err
    else:  # inputs that must work: the report on stdout, on stderr only the warnings expected
        if case.get("warns"):
            assert run.err, "the case expects warnings on stderr"
            for line in run.err.splitlines():
                assert WARNING_LINE.match(line), f"not 'file:line:col: warning: …': {line!r}"
        else:
            assert run.err == ""
        shown = run.err + run.out
    check_golden(shown.replace(str(job.cwd), "<repo>"), CORPUS / name / "expected.txt")


@pytest.mark.parametrize("name", CASES)
def test_bad_input(name: str, tmp_path: Path, forked_cli: Callable[[Job], Outcome]) -> None:
    case, job = prepared(name, tmp_path)
    check_outcome(name, case, job, forked_cli(job))


WHOLE_PROCESS = [
    name for name in CASES if load_case(name).get("limits") or load_case(name).get("exit", 2) != 2
]


@pytest.fixture(scope="module")
def cold_start(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The most CPU and memory a cold check of the valid fixture draft took, over a few runs."""
    runs = []
    for n in range(BASELINE_RUNS):
        work = tmp_path_factory.mktemp(f"baseline{n}") / "work"
        shutil.copytree(FIXTURES, work)
        (work / ".git").mkdir()
        run = run_cli_process(Job(BASELINE_ARGS, work))
        assert run.code == 1, run.err  # the fixture draft crosses red lines
        runs.append(run)
    return max(runs, key=lambda r: r.cpu_s)


@pytest.mark.parametrize("name", WHOLE_PROCESS)
def test_hostile_input_within_budget_from_a_cold_start(
    name: str, tmp_path: Path, cold_start: Outcome
) -> None:
    case, job = prepared(name, tmp_path)
    run = run_cli_process(job)
    check_outcome(name, case, job, run)
    if case.get("limits"):
        extra_cpu, extra_rss = run.cpu_s - cold_start.cpu_s, run.rss_mb - cold_start.rss_mb
        assert extra_cpu < CPU_BUDGET_S, (
            f"took {run.cpu_s:.2f} s of CPU, {extra_cpu:.2f} s more than a valid check"
        )
        assert extra_rss < RSS_BUDGET_MB, (
            f"peaked at {run.rss_mb:.0f} MB, {extra_rss:.0f} MB more than a valid check"
        )


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 60
    kinds = {name.split("-")[0] for name in CASES}
    assert {"terms", "rules", "ties", "proposal", "variant", "yaml"} <= kinds


# --- direct checks of the YAML layer ------------------------------------------------------------


DRAFT = (FIXTURES / "proposals" / "draft.yaml").read_bytes()


@pytest.mark.parametrize(
    "variant",
    [
        b"\xef\xbb\xbf" + DRAFT,
        DRAFT.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + DRAFT.replace(b"\n", b"\r\n"),
    ],
)
def test_bom_and_crlf_change_nothing(variant: bytes) -> None:
    plain = parse_yaml(DRAFT, "draft.yaml")
    other = parse_yaml(variant, "draft.yaml")
    assert other.data == plain.data
    assert other.values == plain.values
    assert other.keys == plain.keys


@pytest.mark.parametrize(("text", "value"), [
    ("a: yes", "yes"), ("a: on", "on"), ("a: No", "No"), ("a: y", "y"),
    ("a: true", True), ("a: False", False),
    ("a: 010", 10), ("a: 0o10", 8), ("a: 0x10", 16), ("a: 3_000_000", 3_000_000),
    ("a: 1:30", "1:30"), ("a: '600000'", "600000"), ("a: 2025-11-20", dt.date(2025, 11, 20)),
])  # fmt: skip
def test_yaml_12_scalars(text: str, value: object) -> None:
    # YAML 1.1 read yes/on as true, 010 as eight and 1:30 as ninety; a negotiator would not.
    assert parse_yaml(text.encode(), "x.yaml").data == {"a": value}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!float\n", "x.yaml:1:4: '' is not a number"),
        ("a: !!float ''\n", "x.yaml:1:4: '' is not a number"),
        ("a: !!int ''\n", "x.yaml:1:4: '' is not a whole number"),
    ],
)
def test_a_tag_on_empty_text_is_refused_at_its_place(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_yaml(text.encode(), "x.yaml")
    assert str(caught.value) == message


def _parsed(raw: bytes) -> object:
    try:
        doc = parse_yaml(raw, "x.yaml")
    except InputError as err:
        return [(p.line, p.col) for p in err.problems]
    return (doc.data, doc.values, doc.keys)


def _with_parser(parser: type[Any], raw: bytes) -> object:
    saved = yamlfile._PARSER
    yamlfile._PARSER = parser
    try:
        return _parsed(raw)
    finally:
        yamlfile._PARSER = saved


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml: one parser only")
def test_without_libyaml_the_same_files_parse_alike_and_fail_at_the_same_place() -> None:
    # Where PyYAML was built without libyaml its own parser reads the files: the data and every
    # position must be the same, and a bad file must fail at the same line and column (only
    # the wording of a syntax error differs).
    files = [
        *sorted(FIXTURES.rglob("*.yaml")),
        *sorted((FIXTURES.parents[1] / "rules").glob("*.yaml")),
        *(p for p in sorted(CORPUS.rglob("*.yaml")) if p.name != "case.yaml"),
    ]
    for path in files:
        raw = path.read_bytes()
        assert _with_parser(yamlfile._Loader, raw) == _with_parser(yamlfile._CLoader, raw), path


# --- what a check touches -----------------------------------------------------------------------

# Runs the CLI entry point with an audit hook that records every file opened (by name: opening
# a descriptor already made is not recorded again), renamed or linked, every process started
# and every socket made, once redlines.cli is imported (imports done later, such as the
# durable-rules engine, are recorded too and filtered out below as reads of installed code).
_AUDITED = """
import json, sys
import redlines.cli
events = []
def hook(event, args):
    if event == "open" and not isinstance(args[0], int):
        events.append(["open", str(args[0]), str(args[1]), args[2]])
    elif event in ("os.rename", "os.link"):
        events.append([event, str(args[0]), str(args[1])])
    elif event.startswith(("socket.", "subprocess.", "os.system", "os.exec", "os.spawn",
                           "os.posix_spawn", "os.fork", "urllib.", "http.", "ftplib.", "smtplib.")):
        events.append([event, repr(args)[:200]])
sys.addaudithook(hook)
code = redlines.cli.main(sys.argv[1:])
sys.stdout.flush()
print("\\nAUDIT " + json.dumps({"code": code, "events": events}), file=sys.stderr)
"""


def test_a_check_reads_only_its_inputs_writes_only_output_and_never_connects(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "rules", repo / "rules")
    shutil.copytree(FIXTURES / "proposals", repo / "proposals")
    (repo / "unrelated.yaml").write_text("not: read\n")
    (repo / "out").mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _AUDITED,
            "check",
            "proposals/variant.yaml",
            "--rules",
            "rules",
            "--format",
            "json",
            "--output",
            "out/report.json",
        ],
        cwd=repo,
        env=CLI_ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    audit = json.loads(done.stderr.rsplit("AUDIT ", 1)[1])
    assert audit["code"] == 1, done.stderr
    installed = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, *sys.path) if p}
    out = (repo / "out").resolve()
    reads, writes, moves, other = set(), set(), [], []
    for event in audit["events"]:
        if event[0] in ("os.rename", "os.link"):
            moves.append((event[0], Path(repo, event[1]).resolve(), Path(repo, event[2]).resolve()))
            continue
        if event[0] != "open":
            other.append(event)
            continue
        _, path, mode, flags = event
        target = Path(repo, path).resolve()
        writing = any(c in mode for c in "wax+") or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        )
        if writing:
            writes.add(target)
        elif target == out:  # the output's folder, opened to name the new file and sync it
            continue
        elif not any(
            target.is_relative_to(folder) for folder in installed if folder != repo.resolve()
        ) and not path.startswith(("/dev/", "/proc/")):
            reads.add(target.relative_to(repo.resolve()).as_posix())
    assert other == [], "no process, socket or URL"
    # The report is written to a temporary file beside --output (unnamed where the system
    # allows: an open of the folder itself), which is then renamed over it; nothing else.
    assert writes and all(w == out or w.parent == out for w in writes), writes
    renames = [(src.parent, dst) for kind, src, dst in moves if kind == "os.rename"]
    assert renames == [(out, out / "report.json")], moves
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]
    expected = {
        "proposals/variant.yaml",
        "proposals/draft.yaml",
        *(f"rules/{p.name}" for p in (FIXTURES / "rules").glob("*.yaml")),
    }
    assert reads == expected
