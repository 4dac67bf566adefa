"""The GitHub Action (`action.yml`): a thin shell over the public API, like the CLI.

`action.yml` installs the package and runs `python -m redlines.action` with the Action's inputs
in the environment. This module then, in the workspace:

1. expands the `proposals` globs (one walk, no folder link followed: `loader/walk.py`) and
   loads the rules (`rules`, default: the bundled rules);
2. checks every proposal (`as-of`), as `redlines check` would, one at a time (`checkrun.py`);
3. prints one annotation per finding (`--format github`) to the log, and a `::warning` for each
   non-fatal problem with the inputs (a deprecated term name at its line), once;
4. appends the Markdown report to `$GITHUB_STEP_SUMMARY`;
5. writes SARIF to `sarif-file` when asked, replacing the file only once it is complete;
6. sets the outputs `verdict`, `findings` and `failures` through `$GITHUB_OUTPUT`;
7. exits 1 when a rule at or above `fail-on` is violated (or a proposal contradicts itself,
   or, with `strict`, a red line is left open), 2 on bad input, 4 out of memory, as the CLI does.

`$GITHUB_OUTPUT` and `$GITHUB_STEP_SUMMARY` are the runner's files, not the user's: one that
cannot be written costs the run neither its verdict nor its exit code. What could not be written
is said once, in one annotation at the end, with the verdict it would have carried.

Inputs are read as `INPUT_<NAME>` with dashes as underscores (`INPUT_FAIL_ON`); the spelling
GitHub uses for JavaScript actions (`INPUT_FAIL-ON`) is accepted too. Everything is read from
the mapping given to `main`, so tests run it in-process with a made-up environment.
"""

from __future__ import annotations

import glob
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, TextIO

from . import memory
from .checkrun import CheckRun, TooManyProposals
from .loader import expand_proposal_paths, load_rules
from .loader.walk import glob_files
from .models import InputError, InputWarning, Problem
from .outputs import Output, OutputError, reason
from .render import RenderOptions, find_repo_root
from .render.gfm import code, md
from .render.github import GithubWriter, command, problem_commands
from .render.links import repo_path
from .render.logsafe import text_line
from .render.markdown import MarkdownWriter
from .render.sarif import SarifWriter
from .render.stream import CheckWriter
from .render.view import report_view
from .report import FAIL_LEVELS, Report, failing
from .ruledocs import pages_base, rule_page_urls
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


def run(env: Mapping[str, str], out: TextIO, files: RunnerFiles | None = None) -> int:
    """Everything but the working directory and the handling of unexpected errors."""
    files = files or RunnerFiles(env)
    fail_on_text = get_input(env, "fail-on", "red_line")
    fail_on = next((level for level in FAIL_LEVELS if level == fail_on_text), None)
    if fail_on is None:
        raise ActionError(f"fail-on must be one of {', '.join(FAIL_LEVELS)}, not '{fail_on_text}'")
    strict_text = get_input(env, "strict", "false").lower()
    if strict_text not in ("true", "false"):
        raise ActionError(f"strict must be true or false, not '{strict_text}'")
    as_of_text = get_input(env, "as-of")
    try:
        as_of = iso_date(as_of_text) if as_of_text else None
    except ValueError:
        raise ActionError(f"as-of must be a date (YYYY-MM-DD), not '{as_of_text}'") from None
    patterns = get_input(env, "proposals", DEFAULT_PROPOSALS)
    paths = expand(patterns)
    if not paths:
        raise ActionError(f"no proposal files match '{patterns}'")

    rules_dir = get_input(env, "rules") or None
    book = load_rules(rules_dir)
    checks = CheckRun.load(paths, book)
    strict = strict_text == "true"

    def warn(message: str) -> None:
        out.write(command("warning", message, title="redlines: event file") + "\n")

    options = RenderOptions(
        repo_root=str(find_repo_root()),
        link_base=link_base(env, warn),
        fail_on=fail_on,
        strict=strict,
        # The bundled rules link to their published pages; a repository's own rules to none.
        rule_pages=rule_page_urls(
            ((rule.id, rule.ruleset) for rule in book.rules), pages_base(rules_dir, None)
        ),
    )
    sarif_file = get_input(env, "sarif-file")
    sarif = _sarif_output(sarif_file) if sarif_file else None
    log = Output.stream(out, "the log")
    outputs = [_Destination(GithubWriter(log, options), log)]
    reasons: list[str] = []
    findings = 0
    try:
        summary = files.output("GITHUB_STEP_SUMMARY")
        if summary is not None:
            outputs += _destination(MarkdownWriter, summary, options, files)
        if sarif is not None:
            outputs += _destination(SarifWriter, sarif, options, files)
        warned: set[InputWarning] = set()
        for report in checks.reports(as_of=as_of):
            # The rules' warnings come with every report: each is annotated once, before the
            # first report that has it.
            new = [w for w in report.warnings if w not in warned]
            warned.update(new)
            log.write(warning_commands(new, options))
            for destination in outputs:
                destination.add(report, files)
            findings += len(report_view(report).items)
            reasons += [f"{report.proposal.id}: {why}" for why in failing(report, fail_on, strict)]
        for destination in outputs:
            destination.finish(files)
    except BaseException:
        for destination in outputs:
            destination.output.discard()
        if sarif is not None:
            sarif.discard()
        raise
    finally:
        for destination in outputs:
            destination.writer.close()
    sarif_written = any(d.output is sarif and not d.failed for d in outputs)
    if sarif_written:
        out.write(text_line(f"SARIF written to {sarif_file}") + "\n")

    overall = outputs[0].writer.tally.overall.value
    verdict = {"verdict": overall, "findings": str(findings), "failures": str(len(reasons))}
    files.set_outputs(verdict)
    if reasons:
        shown = "; ".join(reasons[:10]) + ("; …" if len(reasons) > 10 else "")
        out.write(text_line(f"redlines: failing at fail-on {fail_on}: {shown}") + "\n")
    _could_not_write(out, files, verdict)
    if sarif is not None and not sarif_written:  # the report the workflow asked for is missing
        return EXIT_BAD_INPUT
    return EXIT_FAIL if reasons else EXIT_OK


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


def _sarif_output(path: str) -> Output:
    """The SARIF file, its folders made; a path that cannot be written is bad input."""
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
        except (ActionError, TooManyProposals) as err:
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
