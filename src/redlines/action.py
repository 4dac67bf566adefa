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

import glob
import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .loader import expand_proposal_paths, load_proposals, load_rules
from .models import InputError, InputWarning, Problem
from .render import RenderOptions, find_repo_root, render
from .render.gfm import code, md
from .render.github import command, problem_commands
from .render.links import repo_path
from .render.logsafe import text_line
from .render.view import check_view
from .report import FAIL_LEVELS, ReportSet, check_all, failing, run_warnings
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


def run(env: Mapping[str, str], out: TextIO) -> int:
    """Everything but the working directory and the handling of unexpected errors."""
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

    book = load_rules(get_input(env, "rules") or None)
    reports: ReportSet = check_all(load_proposals(paths, book), book, as_of=as_of)
    strict = strict_text == "true"
    options = RenderOptions(
        repo_root=str(find_repo_root()), link_base=link_base(env), fail_on=fail_on, strict=strict
    )

    out.write(warning_commands(run_warnings(reports.reports), options))
    out.write(render(reports, "github", options))
    _append(env.get("GITHUB_STEP_SUMMARY"), render(reports, "markdown", options))
    sarif_file = get_input(env, "sarif-file")
    if sarif_file:
        target = Path(sarif_file)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(reports, "sarif", options), encoding="utf-8")
        out.write(text_line(f"SARIF written to {sarif_file}") + "\n")

    reasons = [
        f"{r.proposal.id}: {why}" for r in reports.reports for why in failing(r, fail_on, strict)
    ]
    set_outputs(
        env,
        {
            "verdict": reports.overall.value,
            "findings": str(len(check_view(reports).items)),
            "failures": str(len(reasons)),
        },
    )
    if reasons:
        shown = "; ".join(reasons[:10]) + ("; …" if len(reasons) > 10 else "")
        out.write(text_line(f"redlines: failing at fail-on {fail_on}: {shown}") + "\n")
        return EXIT_FAIL
    return EXIT_OK


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
        except ActionError as err:
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
