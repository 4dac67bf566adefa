"""`redlines` on the command line: a thin shell over the public API.

Exit codes: 0 nothing at or above --fail-on; 1 a rule at or above --fail-on is violated or a
proposal contradicts itself; 2 bad usage or bad input (always as file:line:col: message).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from .baseline import baseline_text
from .engine import EngineUnavailable
from .flags import (
    UsageError,
    _date,
    _Parser,
    add_actor_option,
    add_check_outputs,
    add_gate_options,
    add_rules_option,
    add_set_option,
    check_arguments,
    output_plan,
    resolve_actors,
    settings_of,
    write_output,
)
from .gate import gated_check, load_book, prepare
from .loader import bundled_dir, load_proposal, load_proposals
from .models import InputError, InputWarning, Problem, Proposal, RuleBook, sorted_warnings
from .render import RenderOptions, find_repo_root, formats, render
from .render.logsafe import text_lines
from .report import FailOn, ReportSet, failing, run_warnings
from .settings import (
    OutputTarget,
    SettingError,
    Settings,
    describe,
)
from .specs import SPEC_FOR_KIND, json_schema
from .version import __version__

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


# --- shared options -----------------------------------------------------------------------------


def add_output_options(parser: argparse.ArgumentParser, choices: Sequence[str]) -> None:
    parser.add_argument("--format", "-f", choices=list(choices), default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour in text output (auto: only on a terminal)",
    )


def rules_from(args: argparse.Namespace) -> RuleBook:
    """The rule book of a command: --rules, else the configuration's (composed, overridden)."""
    book, _ = load_book(settings_of(args))
    note_warnings(args, book.warnings)
    return book


def proposals_from(
    args: argparse.Namespace, paths: Sequence[str], book: RuleBook
) -> list[Proposal]:
    proposals = load_proposals(paths, book)
    note_warnings(args, (w for p in proposals for w in p.warnings))
    return proposals


def proposal_from(args: argparse.Namespace, path: str, book: RuleBook) -> Proposal:
    proposal = load_proposal(path, book)
    note_warnings(args, proposal.warnings)
    return proposal


def note_warnings(args: argparse.Namespace, warnings: Iterable[InputWarning]) -> None:
    """Keep the run's warnings; `main` prints each once when the command is done."""
    args.warnings.extend(warnings)


def print_warnings(warnings: Iterable[InputWarning]) -> None:
    """`file:line:col: warning: message` on stderr, each once, by place; never an exit code."""
    _say(*(_as_printed(warning) for warning in sorted_warnings(warnings)))


def emit(result: object, args: argparse.Namespace, options: RenderOptions | None = None) -> None:
    """Render the command's result in the format asked for, to --output or stdout."""
    text = render(result, args.format, options, command=args.command)
    write_output(getattr(args, "output", None) or None, text)


def use_color(args: argparse.Namespace, to_stdout: bool | None = None) -> bool:
    if args.color != "auto":
        return bool(args.color == "always")
    return (
        (not args.output if to_stdout is None else to_stdout)
        and sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM") != "dumb"
    )


# --- check --------------------------------------------------------------------------------------


def _add_check(commands: Any) -> None:
    parser = commands.add_parser("check", help="check proposals against the rule sets")
    check_arguments(parser)
    parser.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    targets, _ = output_plan(args, settings)
    run = gated_check(
        settings,
        args.proposals,
        overrides=dict(args.overrides),
        engine=args.engine,
        today=dt.date.today(),
    )
    for target in targets:
        options = RenderOptions(
            color=use_color(args, to_stdout=target.path is None),
            repo_root=str(find_repo_root()),
            fail_on=settings.fail_on.value,
            strict=settings.strict.value,
        )
        one = argparse.Namespace(**{**vars(args), "format": target.format, "output": target.path})
        emit(run.reports, one, options)
    if settings.write_baseline.value is not None:
        write_output(settings.write_baseline.value, baseline_text(run.result.recorded))
    note_warnings(args, run.warnings)
    return exit_code(run.reports, settings.fail_on.value, settings.strict.value)


def exit_code(reports: ReportSet, fail_on: FailOn, strict: bool) -> int:
    failed = any(failing(report, fail_on, strict) for report in reports.reports)
    return EXIT_FAIL if failed else EXIT_OK


# --- config -------------------------------------------------------------------------------------


def _add_config(commands: Any) -> None:
    parser = commands.add_parser(
        "config",
        help="print the effective settings of a check and where each came from",
        description="Read the configuration (.redlines.yaml, or [tool.redlines] in "
        "pyproject.toml, from here up to the repository root) and the flags given, check "
        "them against the rule book they name, and print each setting with its source: "
        "default, file:line:col, or the flag. Exit 2 if any is wrong.",
    )
    add_rules_option(parser)
    add_gate_options(parser)
    add_check_outputs(parser)
    parser.set_defaults(run=run_config, command_format="text")


def run_config(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    targets, sources = output_plan(args, settings)
    full, modified = load_book(settings)
    prepare(
        settings,
        resolve_actors(full, settings.actors),
        book=full,
        modified=modified,
        today=dt.date.today(),
        repo_root=find_repo_root(),
    )
    sys.stdout.write(render_settings(settings, targets, sources))
    return EXIT_OK


def render_settings(
    settings: Settings, targets: Sequence[OutputTarget], sources: dict[str, str]
) -> str:
    rows = describe(settings)
    rows = [r for r in rows if r[0] not in ("format", "outputs")]
    rows += [(f"output {t.format}", t.path or "stdout", sources[str(t)]) for t in targets]
    head = f"configuration: {settings.config or '(none)'}"
    width = max(len(name) for name, _, _ in rows)
    lines = [head, ""]
    for name, value, source in rows:
        lines.append(f"  {name.ljust(width)}  {value}" + (f"  [{source}]" if source else ""))
    return text_lines(lines)


# --- terms and schema ---------------------------------------------------------------------------


def _add_terms(commands: Any) -> None:
    parser = commands.add_parser("terms", help="list the term catalogue")
    add_rules_option(parser)
    parser.add_argument("--format", "-f", choices=formats("terms"), default="text")
    parser.set_defaults(run=run_terms, output=None)


def run_terms(args: argparse.Namespace) -> int:
    emit(rules_from(args).catalogue, args)
    return EXIT_OK


SCHEMA_KINDS = ("proposal", "rules", "implications", "terms", "report")


def _add_schema(commands: Any) -> None:
    parser = commands.add_parser("schema", help="print the JSON Schema of a file format")
    parser.add_argument("kind", choices=SCHEMA_KINDS)
    parser.set_defaults(run=run_schema, output=None, format="json")


def run_schema(args: argparse.Namespace) -> int:
    if args.kind == "report":
        schema = ReportSet.model_json_schema()
    else:
        assert args.kind in SPEC_FOR_KIND
        schema = json_schema(args.kind)
    emit({"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}, args)
    return EXIT_OK


# --- lint ---------------------------------------------------------------------------------------


def _add_lint(commands: Any) -> None:
    parser = commands.add_parser(
        "lint", help="check rule and proposal files for sources, coverage and dates"
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help=(
            "proposal files or directories (default: ./proposals if it exists, "
            "else the bundled proposals)"
        ),
    )
    add_rules_option(parser)
    parser.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="the date 'in the past' is measured from (default: today)",
    )
    parser.add_argument("--format", "-f", choices=formats("lint"), default="text")
    parser.set_defaults(run=run_lint, output=None)


def run_lint(args: argparse.Namespace) -> int:
    from .lint import has_errors, lint
    from .render.lint import LintResult

    book = rules_from(args)
    paths = args.paths or [
        str(Path("proposals")) if Path("proposals").is_dir() else str(bundled_dir("proposals"))
    ]
    proposals = proposals_from(args, paths, book)
    problems = lint(book, proposals, today=args.as_of or dt.date.today())
    result = LintResult(
        problems=tuple(problems),
        proposals=len(proposals),
        rules=len(book.rules),
        terms=len(book.catalogue.terms),
    )
    emit(result, args)
    return EXIT_FAIL if has_errors(problems) else EXIT_OK


# --- space, diff, explain -----------------------------------------------------------------------
# Their modules are imported when the command runs, so `redlines check` never loads the solver.


def _add_analysis_output(parser: argparse.ArgumentParser, command: str) -> None:
    parser.add_argument("--format", "-f", choices=formats(command), default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must not be negative")
    return value


def _add_space(commands: Any) -> None:
    parser = commands.add_parser(
        "space",
        help="is any deal left? feasibility, deadlocks, zone of agreement, concessions",
        description="Analyse the negotiating space of the blank page (no PROPOSAL) or of drafts "
        "(their set terms fixed, their open terms free). Exit 0 when a package "
        "acceptable to every selected actor exists, 1 when none does.",
    )
    parser.add_argument(
        "proposals",
        nargs="*",
        metavar="PROPOSAL",
        help="draft files (a directory: every *.yaml and *.yml under it); none: the blank page",
    )
    add_rules_option(parser)
    add_actor_option(parser)
    _add_analysis_output(parser, "space")
    parser.add_argument(
        "--max-cores",
        type=_count,
        default=10,
        metavar="N",
        help="list at most N deadlocks, smallest first (default 10)",
    )
    parser.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="apply the rules in force on this date (default: a draft's date; for the blank "
        "page, the first day the newest positions hold: the latest valid_from, or the day after "
        "the latest valid_until if later)",
    )
    parser.add_argument(
        "--red-line-weight",
        type=_count,
        metavar="W",
        help="what giving up one red line costs in the concessions "
        "(default: more than all priorities together)",
    )
    parser.add_argument(
        "--complete",
        action="store_true",
        help="packages must set every open term (none left unaddressed)",
    )
    parser.set_defaults(run=run_space)


def run_space(args: argparse.Namespace) -> int:
    from .space import analyze_all

    if args.red_line_weight == 0:
        raise UsageError("--red-line-weight must be at least 1")
    book = rules_from(args)
    actors = resolve_actors(book, args.actor)
    # An empty folder is an error (load_proposals), never the blank page.
    proposals = proposals_from(args, args.proposals, book) if args.proposals else []
    result = analyze_all(
        book,
        proposals,
        actors=actors,
        max_cores=args.max_cores,
        as_of=args.as_of,
        red_line_weight=args.red_line_weight,
        complete=args.complete,
        engine=args.engine,
    )
    emit(result, args)
    return EXIT_OK if result.agreement else EXIT_FAIL


def _add_diff(commands: Any) -> None:
    parser = commands.add_parser(
        "diff",
        help="what changed between two drafts, and which red lines it moves",
        description="Compare two drafts: clauses added, removed and changed, and the rules "
        "whose verdict changes, per actor. Both are judged against the same rules "
        "(as of NEW's date unless --as-of). Exit 1 if NEW crosses a red line OLD "
        "did not.",
    )
    parser.add_argument("old", metavar="OLD")
    parser.add_argument("new", metavar="NEW")
    add_rules_option(parser)
    add_actor_option(parser)
    _add_analysis_output(parser, "diff")
    parser.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="judge both against the rules in force on this date (default: NEW's date)",
    )
    parser.set_defaults(run=run_diff)


def run_diff(args: argparse.Namespace) -> int:
    from .diff import diff_reports
    from .report import check

    book = rules_from(args)
    actors = resolve_actors(book, args.actor)
    old, new = proposal_from(args, args.old, book), proposal_from(args, args.new, book)
    as_of = args.as_of or new.date
    old_report = check(old, book, as_of=as_of, actors=actors, engine=args.engine)
    new_report = check(new, book, as_of=as_of, actors=actors, engine=args.engine)
    note_warnings(args, run_warnings([old_report, new_report]))
    result = diff_reports(old_report, new_report, old, new)
    emit(result, args)
    return EXIT_FAIL if result.crossed else EXIT_OK


def _add_explain(commands: Any) -> None:
    parser = commands.add_parser(
        "explain",
        help="a rule, its condition and sources; on a proposal, how it comes out",
        description="Show a rule in readable form with its rationale and sources; with a "
        "proposal, its evaluation tree: each leaf's value and the clause (file:line) "
        "or implication that set it, or that it is unaddressed.",
    )
    parser.add_argument("rule", metavar="RULE_ID")
    parser.add_argument("proposal", nargs="?", metavar="PROPOSAL")
    add_rules_option(parser)
    _add_analysis_output(parser, "explain")
    parser.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="apply the rules in force on this date (default: the proposal's)",
    )
    add_set_option(parser)
    parser.set_defaults(run=run_explain)


def run_explain(args: argparse.Namespace) -> int:
    from .explain import UnknownRule, explain_rule

    if args.overrides and not args.proposal:
        raise UsageError("--set needs a PROPOSAL to lay the values over")
    book = rules_from(args)
    proposal = proposal_from(args, args.proposal, book) if args.proposal else None
    try:
        result = explain_rule(
            book,
            args.rule,
            proposal,
            as_of=args.as_of,
            overrides=dict(args.overrides),
            engine=args.engine,
        )
    except UnknownRule as err:
        raise UsageError(str(err)) from None
    emit(result, args)
    return EXIT_OK


# --- entry point --------------------------------------------------------------------------------

# Each subcommand registers itself here: (function adding its parser).
COMMANDS: list[Callable[[Any], None]] = [
    _add_check,
    _add_config,
    _add_terms,
    _add_schema,
    _add_lint,
    _add_space,
    _add_diff,
    _add_explain,
]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="redlines",
        description=("Check draft peace proposals against the parties' declared red lines."),
    )
    parser.add_argument("--version", action="version", version=f"redlines {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for add in COMMANDS:
        add(commands)
    return parser


# The library names the argument a problem is in; the CLI names the option that fed it, and
# always prints file:line:col.
_OPTION_FOR_ARGUMENT = {"overrides": "--set"}


def _as_printed(problem: Problem) -> str:
    option = _OPTION_FOR_ARGUMENT.get(problem.file)
    if problem.line == 0 and option is not None:
        kind = "warning: " if isinstance(problem, InputWarning) else ""
        return f"{option}:1:1: {kind}{problem.message}"
    return str(problem)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to sys.exit)."""
    warnings: list[InputWarning] = []
    try:
        args = build_parser().parse_args(argv)
        args.warnings = warnings
        code: int = args.run(args)
        return code
    except InputError as err:
        _say(*(_as_printed(problem) for problem in err.problems))
        return EXIT_BAD_INPUT
    except (UsageError, EngineUnavailable, SettingError) as err:
        _say(f"redlines: error: {err}")
        return EXIT_BAD_INPUT
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else EXIT_OK
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as err:  # e.g. --output into a missing folder
        _say(f"redlines: error: {err.filename or ''}: {err.strerror or err}")
        return EXIT_BAD_INPUT
    except Exception as err:  # a bug: say so plainly instead of a traceback
        _say(
            f"redlines: internal error: {type(err).__name__}: {err} "
            "(please report this with the input that caused it)"
        )
        return EXIT_INTERNAL
    finally:
        print_warnings(warnings)


def _say(*lines: str) -> None:
    """Messages on stderr, each on one line whatever it quotes (a CI log shows them too)."""
    sys.stderr.write(text_lines(lines))


if __name__ == "__main__":
    sys.exit(main())
