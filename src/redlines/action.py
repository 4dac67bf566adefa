"""The GitHub Action (`action.yml`): a thin shell over the public API, like the CLI.

`action.yml` installs the package and runs `python -m redlines.action` with the Action's inputs
in the environment. This module then, in the workspace:

1. expands the `proposals` globs and loads the rules (`rules`, default: the bundled rules);
2. checks every proposal (`as-of`), as `redlines check` would;
3. prints one annotation per finding (`--format github`) to the log, after a `::warning` for
   each non-fatal problem with the inputs (a deprecated term name at its line);
4. appends the Markdown report to `$GITHUB_STEP_SUMMARY`;
5. writes SARIF to `sarif-file` when asked;
6. sets the outputs `verdict`, `findings` and `failures` through `$GITHUB_OUTPUT`;
7. exits 1 when a rule at or above `fail-on` is violated (or a proposal contradicts itself,
   or, with `strict`, a red line is left open), 2 on bad input, as the CLI does.

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
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .baseline import baseline_text
from .changed import change_lines, changed_proposals
from .flags import UsageError, check_parser, settings_of, write_output
from .gate import gated_check, load_book
from .loader import expand_proposal_paths
from .models import InputError, InputWarning, Problem
from .render import RenderOptions, find_repo_root, formats, render
from .render.gfm import code, md
from .render.github import command, problem_commands
from .render.links import repo_path
from .render.logsafe import text_line, text_lines
from .render.summary import changes_markdown, summary
from .render.view import check_view
from .report import FAIL_LEVELS, failing
from .settings import OutputTarget, SettingError, split_output
from .specs import iso_date

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
    """Files for whitespace- or newline-separated globs (`**` spans folders), in order, unique.

    A pattern without glob characters is kept as given (a missing file is then reported by the
    loader, at its name); a folder stands for every *.yaml and *.yml file under it.
    """
    found: list[str] = []
    for pattern in patterns.split():
        if glob.has_magic(pattern):
            found.extend(sorted(p for p in glob.glob(pattern, recursive=True) if Path(p).is_file()))
        else:
            found.append(pattern)
    return expand_proposal_paths(found)


@contextmanager
def _inside(folder: str | None) -> Iterator[None]:
    """Work in GITHUB_WORKSPACE so paths in annotations are relative to the repository."""
    before = os.getcwd()
    if folder:
        os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def link_base(env: Mapping[str, str]) -> str | None:
    """https://github.com/<owner>/<repo>/blob/<sha>/ for links in the job summary.

    On a pull request GITHUB_SHA is the merge commit GitHub made; the head commit is what the
    author pushed and what a reviewer expects to open, so it comes from the event when present.
    """
    server, repository = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
    sha = env.get("GITHUB_SHA")
    event_path = env.get("GITHUB_EVENT_PATH")
    if event_path:
        try:
            event = json.loads(Path(event_path).read_text(encoding="utf-8"))
            sha = event["pull_request"]["head"]["sha"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
    if not (server and repository and sha):
        return None
    return f"{server.rstrip('/')}/{repository}/blob/{sha}/"


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def set_outputs(env: Mapping[str, str], outputs: Mapping[str, str]) -> None:
    _append(env.get("GITHUB_OUTPUT"), "".join(f"{k}={v}\n" for k, v in outputs.items()))


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


def run(env: Mapping[str, str], out: TextIO) -> int:
    """Everything but the working directory and the handling of unexpected errors."""
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
    book, _ = load_book(settings)
    change = (
        changed_proposals(env, args.proposals, book, settings) if changed_only == "true" else None
    )
    if change is not None:
        out.write(text_line(f"redlines: {change.note}") + "\n")
    checked = change.paths if change is not None else args.proposals
    gated = gated_check(
        settings, checked, overrides=dict(args.overrides), engine=args.engine, today=_today(env)
    )
    fail_on, strict = settings.fail_on.value, settings.strict.value
    options = RenderOptions(
        repo_root=str(find_repo_root()),
        link_base=link_base(env),
        fail_on=fail_on,
        strict=strict,
        report_url=run_url(env),
    )
    diffs = change.diffs(gated, settings) if change is not None else []
    out.write(warning_commands(gated.warnings, options))
    out.write(render(gated.reports, "github", options))
    for diff in diffs:
        out.write(text_lines(change_lines(diff, options)))
    _append(
        env.get("GITHUB_STEP_SUMMARY"),
        render(gated.reports, "markdown", options) + changes_markdown(diffs, options),
    )
    outputs: dict[str, str] = {}
    comment = _comment_path(env)
    if comment is not None:
        write_output(comment, summary(gated.reports, options, diffs))
        outputs["comment-file"] = comment
    sarif_file = get_input(env, "sarif-file")
    if sarif_file:
        extra.insert(0, OutputTarget("sarif", sarif_file))
    for target in extra:
        assert target.path is not None
        Path(target.path).parent.mkdir(parents=True, exist_ok=True)  # as sarif-file always did
        write_output(target.path, render(gated.reports, target.format, options))
        out.write(text_line(f"{target.format.upper()} written to {target.path}") + "\n")
    if settings.write_baseline.value is not None:
        write_output(settings.write_baseline.value, baseline_text(gated.result.recorded))

    reasons = [
        f"{r.proposal.id}: {why}"
        for r in gated.reports.reports
        for why in failing(r, fail_on, strict)
    ]
    set_outputs(
        env,
        {
            "verdict": gated.reports.overall.value,
            "findings": str(len(check_view(gated.reports).items)),
            "failures": str(len(reasons)),
            **outputs,
        },
    )
    if reasons:
        shown = "; ".join(reasons[:10]) + ("; …" if len(reasons) > 10 else "")
        out.write(text_line(f"redlines: failing at fail-on {fail_on}: {shown}") + "\n")
        return EXIT_FAIL
    return EXIT_OK


def _today(env: Mapping[str, str]) -> dt.date:
    return dt.date.today()


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
    with _inside(env.get("GITHUB_WORKSPACE")):
        options = RenderOptions(repo_root=str(find_repo_root()))
        try:
            return run(env, out)
        except InputError as err:
            out.write(problem_commands(err.problems, options))
            _bad_input_summary(env, err.problems, options)
        except (ActionError, UsageError, SettingError) as err:
            out.write(command("error", str(err), title="redlines: bad input") + "\n")
            _bad_input_summary(env, [], options, str(err))
        except OSError as err:  # e.g. a sarif-file in a folder that cannot be made
            message = f"{err.filename or ''}: {err.strerror or err}"
            out.write(command("error", message, title="redlines: cannot write") + "\n")
            _bad_input_summary(env, [], options, message)
    set_outputs(env, {"verdict": "error", "findings": "0", "failures": "0"})
    return EXIT_BAD_INPUT


def _bad_input_summary(
    env: Mapping[str, str], problems: list[Problem], options: RenderOptions, message: str = ""
) -> None:
    lines = ["## redlines: bad input", ""]
    if message:
        lines.append(md(message))
    lines += [
        f"- {code(f'{repo_path(p.file, options)}:{p.line}:{p.col}')} {md(p.message)}"
        for p in problems
    ]
    _append(env.get("GITHUB_STEP_SUMMARY"), "\n".join(lines) + "\n")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as err:  # a bug: one readable annotation instead of a traceback
        print(
            command(
                "error",
                f"redlines internal error: {type(err).__name__}: {err} "
                "(please report this with the input that caused it)",
            )
        )
        sys.exit(EXIT_INTERNAL)
