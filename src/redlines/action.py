"""The GitHub Action (`action.yml`): a thin shell over the public API, like the CLI.

`action.yml` installs the package and runs `python -m redlines.action` with the Action's inputs
in the environment. This module then, in the workspace:

1. expands the `proposals` globs (one walk, no folder link followed: `loader/walk.py`), turns
   its inputs into the flags of `redlines check` (`args` last, split by `shlex`, never by a
   shell) and reads the configuration as the CLI does (`config`, else the repository root's);
2. with `changed-only` in a pull request, keeps the proposals the pull request adds or changes
   (`changed.py`, from what the Action's shell step asked git);
3. checks every proposal, as `redlines check` would, one at a time, through the gate
   (`gate.py`: waivers, baseline, selection);
4. prints one annotation per finding (`--format github`, within GitHub's limits) to the log,
   and a `::warning` for each non-fatal problem with the inputs;
5. appends the Markdown report to `$GITHUB_STEP_SUMMARY`, and what each changed proposal's
   change did to the verdicts;
6. writes SARIF to `sarif-file` when asked, and the reports `args` names (`--output
   FORMAT:PATH`), each file replaced only once it is complete, and the compact summary for a
   pull-request comment to the runner's temporary folder (output `comment-file`);
7. sets the outputs `verdict`, `findings`, `failures` and `comment-file` through `$GITHUB_OUTPUT`;
8. exits 1 when a rule at or above `fail-on` is violated (or a proposal contradicts itself,
   or, with `strict`, a red line is left open) and neither waived nor in the baseline, 2 on bad
   input, 4 out of memory, as the CLI does.

`$GITHUB_OUTPUT` and `$GITHUB_STEP_SUMMARY` are the runner's files, not the user's: one that
cannot be written costs the run neither its verdict nor its exit code. What could not be written
is said once, in one annotation at the end, with the verdict it would have carried.

Inputs are read as `INPUT_<NAME>` with dashes as underscores (`INPUT_FAIL_ON`); the spelling
GitHub uses for JavaScript actions (`INPUT_FAIL-ON`) is accepted too. Everything is read from
the mapping given to `main`, so tests run it in-process with a made-up environment.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import glob
import io
import json
import os
import shlex
import stat
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, TextIO

from . import memory
from .baseline import baseline_text
from .changed import Change, change_lines, changed_proposals
from .checkrun import TooManyProposals
from .flags import UsageError, check_parser, settings_of
from .gate import GateRun, load_book
from .loader import expand_proposal_paths
from .loader.walk import glob_files
from .models import InputError, InputWarning, Problem
from .outputs import Output, OutputError, reason, write_output
from .render import RenderOptions, check_writer, find_repo_root, formats
from .render.gfm import code, md
from .render.github import GithubWriter, command, problem_commands
from .render.links import repo_path
from .render.logsafe import text_line, text_lines
from .render.markdown import MarkdownWriter
from .render.stream import CheckWriter
from .render.summary import SummaryWriter, changes_markdown
from .render.view import report_view
from .report import FAIL_LEVELS, Report, failing
from .ruledocs import pages_base, rule_page_urls
from .settings import BUNDLED, OutputTarget, SettingError, split_output
from .specs import iso_date
from .yamlfile import MAX_FILE_BYTES

DEFAULT_PROPOSALS = "proposals/**/*.yaml proposals/**/*.yml"
EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class ActionError(Exception):
    """A bad input value: shown as an error annotation, exit 2."""


def get_input(env: Mapping[str, str], name: str, default: str = "") -> str:
    """An input as GitHub passes it: INPUT_FAIL_ON or INPUT_FAIL-ON; blank means default."""
    key = name.upper()
    for variant in (key.replace("-", "_"), key):
        value = env.get(f"INPUT_{variant}")
        if value is not None and value.strip():
            return value.strip()
    return default


def expand(patterns: str) -> list[str]:
    """Files for whitespace- or newline-separated globs (`**` spans folders), sorted, unique.

    A pattern without glob characters is kept as given (a missing file is then reported by the
    loader, at its name); a folder stands for every *.yaml and *.yml file under it.
    """
    given = patterns.split()
    found = glob_files([p for p in given if glob.has_magic(p)])
    return expand_proposal_paths([*found, *(p for p in given if not glob.has_magic(p))])


class RunnerFiles:
    """The files the runner gives the step: `$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY`.

    Each is written as well as it can be; a failure (a full disk, a path that is gone) is noted
    and the run goes on, so that it still reaches its verdict. `failures` lists what could not
    be written, for the one annotation that says so.
    """

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.failures: list[str] = []

    def where(self, variable: str) -> str:
        return f"${variable} ({self.env.get(variable, '')})"

    def output(self, variable: str) -> Output | None:
        """The end of the runner's file, for a writer; None when the runner gives none."""
        path = self.env.get(variable)
        return Output.append_to(path, self.where(variable)) if path else None

    def append(self, variable: str, text: str) -> None:
        output = self.output(variable)
        if output is None:
            return
        try:
            with output:
                output.write(text)
        except OutputError as err:
            self.failures.append(str(err))

    def set_outputs(self, outputs: Mapping[str, str]) -> None:
        self.append("GITHUB_OUTPUT", "".join(f"{k}={v}\n" for k, v in outputs.items()))


def read_event(env: Mapping[str, str], warn: Callable[[str], None]) -> Any:
    """The event that started the workflow (`$GITHUB_EVENT_PATH`), read within the limit every
    input has; None (after a warning) when it cannot be."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return None
    where = f"$GITHUB_EVENT_PATH ({path})"
    try:
        # Opened without blocking and checked through its descriptor, so that a pipe put in its
        # place cannot hang the run.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with open(handle, "rb") as event:
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode):
                warn(f"{where} is not a regular file; it is not read")
                return None
            raw = event.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        warn(f"{where} cannot be read: {reason(err)}")
        return None
    if len(raw) > MAX_FILE_BYTES or info.st_size > MAX_FILE_BYTES:
        size = max(len(raw), info.st_size)
        warn(f"{where} is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}; it is not read")
        return None
    try:
        return json.loads(raw)
    except ValueError:
        warn(f"{where} is not valid JSON; it is not read")
        return None


def link_base(env: Mapping[str, str], warn: Callable[[str], None] = lambda _: None) -> str | None:
    """https://github.com/<owner>/<repo>/blob/<sha>/ for links in the job summary.

    On a pull request GITHUB_SHA is the merge commit GitHub made; the head commit is what the
    author pushed and what a reviewer expects to open, so it comes from the event when present.
    """
    server, repository = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
    sha = env.get("GITHUB_SHA")
    event = read_event(env, lambda m: warn(f"{m}; links point at GITHUB_SHA"))
    with suppress(KeyError, TypeError):
        sha = event["pull_request"]["head"]["sha"]
    if not (server and repository and sha):
        return None
    return f"{server.rstrip('/')}/{repository}/blob/{sha}/"


# Inputs that become flags of `redlines check`, in this order; each empty one is left out, so
# that the configuration (or the default) decides.
_VALUE_INPUTS = (
    ("rules", "--rules"),
    ("config", "--config"),
    ("fail-on", "--fail-on"),
    ("as-of", "--as-of"),
    ("baseline", "--baseline"),
)
_LIST_INPUTS = (("actors", "--actor"), ("select", "--select"), ("ignore", "--ignore"))


def check_argv(env: Mapping[str, str], paths: Sequence[str]) -> list[str]:
    """The `redlines check` command line the Action's inputs stand for.

    `args` is split like a shell would split it (`shlex`, in Python: no shell ever sees it) and
    comes last, so it can set any other flag (`--engine python`, `--output junit:report.xml`).
    """
    fail_on = get_input(env, "fail-on")
    if fail_on and fail_on not in FAIL_LEVELS:
        raise ActionError(f"fail-on must be one of {', '.join(FAIL_LEVELS)}, not '{fail_on}'")
    as_of = get_input(env, "as-of")
    try:
        if as_of:
            iso_date(as_of)
    except ValueError:
        raise ActionError(f"as-of must be a date (YYYY-MM-DD), not '{as_of}'") from None
    argv = list(paths)
    for name, flag in _VALUE_INPUTS:
        value = get_input(env, name)
        if value:
            argv += [flag, value]
    for name, flag in _LIST_INPUTS:
        for value in get_input(env, name).replace(",", " ").split():
            argv += [flag, value]
    strict = get_input(env, "strict").lower()
    if strict not in ("", "true", "false"):
        raise ActionError(f"strict must be true or false, not '{strict}'")
    if strict:
        argv.append("--strict" if strict == "true" else "--no-strict")
    try:
        argv += shlex.split(get_input(env, "args"))
    except ValueError as err:
        raise ActionError(f"args: {err} (quote as a shell would)") from None
    return argv


def parse_check(argv: Sequence[str]) -> argparse.Namespace:
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # argparse's usage: not for a CI log
            args = check_parser().parse_args(list(argv))
    except UsageError as err:
        raise ActionError(f"{err} (in the Action's inputs or args)") from None
    except SystemExit:  # --help or --version in args
        raise ActionError("args cannot hold --help or --version") from None
    if args.format or any(split_output(o, formats("check"))[0] is None for o in args.output or []):
        raise ActionError(
            "the Action prints GitHub annotations and writes the job summary; for another "
            "report, give --output FORMAT:PATH in args (e.g. --output junit:report.xml)"
        )
    args.warnings = []
    return args


def run(env: Mapping[str, str], out: TextIO, files: RunnerFiles | None = None) -> int:
    """Everything but the working directory and the handling of unexpected errors."""
    files = files or RunnerFiles(env)
    patterns = get_input(env, "proposals", DEFAULT_PROPOSALS)
    paths = expand(patterns)
    if not paths:
        raise ActionError(f"no proposal files match '{patterns}'")
    changed_only = get_input(env, "changed-only", "false").lower()
    if changed_only not in ("true", "false"):
        raise ActionError(f"changed-only must be true or false, not '{changed_only}'")
    args = parse_check(check_argv(env, paths))
    settings = settings_of(args)
    extra = [
        OutputTarget(fmt, path)
        for fmt, path in (split_output(o, formats("check")) for o in args.output or [])
        if fmt is not None and path != "-"
    ]
    change: Change | None = None
    if changed_only == "true":
        book, _ = load_book(settings)
        change = changed_proposals(env, args.proposals, book, settings)
        out.write(text_line(f"redlines: {change.note}") + "\n")
    run = GateRun(
        settings,
        change.paths if change is not None else args.proposals,
        overrides=dict(args.overrides),
        engine=args.engine,
        today=dt.date.today(),
    )
    fail_on, strict = settings.fail_on.value, settings.strict.value

    def warn(message: str) -> None:
        out.write(command("warning", message, title="redlines: event file") + "\n")

    rules_dir = args.rules or _first_folder(settings.rules.value)
    options = RenderOptions(
        repo_root=str(find_repo_root()),
        link_base=link_base(env, warn),
        fail_on=fail_on,
        strict=strict,
        # The bundled rules link to their published pages; a repository's own rules to none.
        rule_pages=rule_page_urls(
            ((rule.id, rule.ruleset) for rule in run.book.rules),
            pages_base(rules_dir, getattr(args, "rule_docs", None)),
        ),
        report_url=run_url(env),
    )
    sarif_file = get_input(env, "sarif-file")
    if sarif_file:
        extra.insert(0, OutputTarget("sarif", sarif_file))
    files_out = [(target, _file_output(target.path)) for target in extra if target.path]
    comment = _comment_path(env)
    log = Output.stream(out, "the log")
    outputs = [_Destination(GithubWriter(log, options), log)]
    comment_writer: SummaryWriter | None = None
    reasons: list[str] = []
    findings = 0
    diffs = []
    try:
        summary = files.output("GITHUB_STEP_SUMMARY")
        if summary is not None:
            outputs += _destination(MarkdownWriter, summary, options, files)
        for target, output in files_out:
            outputs += _destination(check_writer(target.format), output, options, files)
        if comment is not None:
            made = _destination(SummaryWriter, Output.to(comment), options, files)
            outputs += made
            comment_writer = made[0].writer if made else None  # type: ignore[assignment]
        for report in run.reports():
            for destination in outputs:
                destination.add(report, files)
            findings += len(report_view(report).items)
            reasons += [f"{report.proposal.id}: {why}" for why in failing(report, fail_on, strict)]
            if change is not None:
                diffs += change.diff(report, run.book)
        result = run.finish()
        if comment_writer is not None:
            comment_writer.changes = tuple(diffs)
        for destination in outputs:
            destination.writer.end_run(result.absent, result.warnings)
            destination.finish(files)
    except BaseException:
        for destination in outputs:
            destination.output.discard()
        for _, output in files_out:
            output.discard()
        raise
    finally:
        for destination in outputs:
            destination.writer.close()
    for target, output in files_out:
        if any(d.output is output and not d.failed for d in outputs):
            out.write(text_line(f"{target.format.upper()} written to {target.path}") + "\n")
    for diff in diffs:
        out.write(text_lines(change_lines(diff, options)))
    if diffs:
        files.append("GITHUB_STEP_SUMMARY", changes_markdown(diffs, options))
    out.write(warning_commands((*run.warnings, *result.warnings), options))
    if settings.write_baseline.value is not None:
        write_output(settings.write_baseline.value, baseline_text(result.recorded))

    overall = outputs[0].writer.tally.overall.value
    verdict = {"verdict": overall, "findings": str(findings), "failures": str(len(reasons))}
    if comment is not None and any(d.writer is comment_writer and not d.failed for d in outputs):
        verdict["comment-file"] = comment
    files.set_outputs(verdict)
    if reasons:
        shown = "; ".join(reasons[:10]) + ("; …" if len(reasons) > 10 else "")
        out.write(text_line(f"redlines: failing at fail-on {fail_on}: {shown}") + "\n")
    _could_not_write(out, files, verdict)
    written = {id(output) for d in outputs if not d.failed for output in (d.output,)}
    if any(id(output) not in written for _, output in files_out):
        return EXIT_BAD_INPUT  # a report the workflow asked for is missing
    return EXIT_FAIL if reasons else EXIT_OK


def _first_folder(rules: Sequence[str]) -> str | None:
    """The rule book's first folder, as rule pages see it (None: the bundled rules)."""
    return None if not rules or rules[0] == BUNDLED else rules[0]


def warning_commands(warnings: Iterable[InputWarning], options: RenderOptions) -> str:
    """Each warning as a `::warning` annotation at its line (escaped like every annotation)."""
    return "".join(
        command(
            "warning",
            w.message,
            file=repo_path(w.file, options) if w.line else None,
            line=w.line or None,
            col=w.col or None,
            title="redlines: warning",
        )
        + "\n"
        for w in warnings
    )


def run_url(env: Mapping[str, str]) -> str | None:
    """The run's page, where its job summary is: the full report behind a compact comment."""
    server, repository = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
    run_id = env.get("GITHUB_RUN_ID")
    if not (server and repository and run_id):
        return None
    return f"{server.rstrip('/')}/{repository}/actions/runs/{run_id}"


def _comment_path(env: Mapping[str, str]) -> str | None:
    """Where the compact summary for a pull-request comment goes: the runner's temporary
    folder (output `comment-file`), so that it never lands in the workspace."""
    temp = env.get("RUNNER_TEMP")
    return os.path.join(temp, "redlines-comment.md") if temp else None


@dataclass
class _Destination:
    """One output of the run and its writer. One that fails is dropped and noted; the others
    and the verdict go on."""

    writer: CheckWriter
    output: Output
    failed: bool = False

    def add(self, report: Report, files: RunnerFiles) -> None:
        if not self.failed:
            self._guarded(lambda: self.writer.add(report), files)

    def finish(self, files: RunnerFiles) -> None:
        if not self.failed:
            self._guarded(self._finish_and_commit, files)

    def _finish_and_commit(self) -> None:
        self.writer.finish()
        self.output.commit()

    def _guarded(self, step: Callable[[], object], files: RunnerFiles) -> None:
        try:
            step()
        except OutputError as err:
            self.failed = True
            self.output.discard()
            files.failures.append(str(err))


def _destination(
    kind: type[CheckWriter], output: Output, options: RenderOptions, files: RunnerFiles
) -> list[_Destination]:
    """A writer into `output` (none, noted, when it cannot even start: no temporary file)."""
    try:
        return [_Destination(kind(output, options, spool=output.spool), output)]
    except OutputError as err:
        output.discard()
        files.failures.append(str(err))
        return []


def _file_output(path: str) -> Output:
    """A report file (`sarif-file`, `--output FORMAT:PATH` in `args`), its folders made; a path
    that cannot be written is bad input."""
    folder = os.path.dirname(path)
    try:
        if folder:
            os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise OutputError(path, reason(err)) from None
    return Output.to(path)


def _could_not_write(out: TextIO, files: RunnerFiles, verdict: Mapping[str, str]) -> None:
    """One annotation for everything that could not be written, with what it would have said."""
    if not files.failures:
        return
    said = ", ".join(f"{k}={v}" for k, v in verdict.items())
    message = f"could not write {'; '.join(files.failures)}. The run's outputs: {said}"
    out.write(command("error", message, title="redlines: cannot write") + "\n")


def main(env: Mapping[str, str] | None = None, out: TextIO | None = None) -> int:
    env = os.environ if env is None else env
    out = out or sys.stdout
    files = RunnerFiles(env)
    before = os.getcwd()
    workspace = env.get("GITHUB_WORKSPACE")
    if workspace:  # paths in annotations are relative to the repository
        try:
            os.chdir(workspace)
        except OSError as err:
            message = (
                f"$GITHUB_WORKSPACE ({workspace}): {reason(err)}; run the action after "
                "actions/checkout, in the repository it checked out"
            )
            out.write(command("error", message, title="redlines: bad input") + "\n")
            return _bad_input(out, files, RenderOptions(), [], message)
    try:
        options = RenderOptions(repo_root=str(find_repo_root()))
        try:
            return run(env, out, files)
        except InputError as err:
            out.write(problem_commands(err.problems, options))
            return _bad_input(out, files, options, err.problems)
        except (ActionError, TooManyProposals, UsageError, SettingError) as err:
            out.write(command("error", str(err), title="redlines: bad input") + "\n")
            return _bad_input(out, files, options, [], str(err))
        except OutputError as err:  # a sarif-file that cannot be written
            out.write(command("error", str(err), title="redlines: cannot write") + "\n")
            return _bad_input(out, files, options, [], str(err))
    finally:
        os.chdir(before)


def _bad_input(
    out: TextIO,
    files: RunnerFiles,
    options: RenderOptions,
    problems: list[Problem],
    message: str = "",
) -> int:
    lines = ["## redlines: bad input", ""]
    if message:
        lines.append(md(message))
    lines += [
        f"- {code(f'{repo_path(p.file, options)}:{p.line}:{p.col}')} {md(p.message)}"
        for p in problems
    ]
    files.append("GITHUB_STEP_SUMMARY", "\n".join(lines) + "\n")
    verdict = {"verdict": "error", "findings": "0", "failures": "0"}
    files.set_outputs(verdict)
    _could_not_write(out, files, verdict)
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    try:
        sys.exit(main())
    except MemoryError as err:  # one annotation and exit 4, as the CLI does (`redlines.memory`)
        print(command("error", memory.message(err)))
        sys.exit(memory.EXIT_OUT_OF_MEMORY)
    except Exception as err:  # a bug: one readable annotation instead of a traceback
        print(
            command(
                "error",
                f"redlines internal error: {type(err).__name__}: {err} "
                "(please report this with the input that caused it)",
            )
        )
        sys.exit(EXIT_INTERNAL)
