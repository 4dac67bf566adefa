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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from .baseline import baseline_text
from .config import Config, find_config, read_config
from .engine import EngineName, EngineUnavailable, make_engine
from .gate import GateResult, load_book, prepare
from .loader import bundled_dir, load_proposal, load_proposals
from .models import InputError, InputWarning, Problem, Proposal, RuleBook, sorted_warnings
from .render import RenderOptions, find_repo_root, formats, render
from .render.logsafe import text_lines
from .report import FailOn, ReportSet, check_all, failing, run_warnings
from .settings import (
    AUTO,
    OutputTarget,
    SettingError,
    Settings,
    Sourced,
    decide_auto,
    describe,
    plan_outputs,
    resolve,
    setting_error,
    split_names,
)
from .specs import SPEC_FOR_KIND, iso_date, json_schema, suggest
from .version import __version__

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """Bad command-line usage: printed as 'redlines: error: …', exit 2."""


@dataclass(frozen=True)
class GatedRun:
    reports: ReportSet  # every report, gated
    result: GateResult  # warnings, absent findings, what a baseline would record
    book: RuleBook  # the rule book as checked
    warnings: tuple[InputWarning, ...]  # every warning of the run, each once, by place


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError(message)


# --- shared options -----------------------------------------------------------------------------


def _date(text: str) -> dt.date:
    try:
        return iso_date(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _assignment(text: str) -> tuple[str, str]:
    term, sep, value = text.partition("=")
    if not sep or not term:
        raise argparse.ArgumentTypeError(f"'{text}' is not TERM=VALUE")
    if not text.isprintable():
        raise argparse.ArgumentTypeError(f"'{text}' holds a line break or control character")
    return term.strip(), value.strip()


def _name(text: str) -> str:
    """An --actor value: one line of printable text (it is quoted back in messages)."""
    if not text.isprintable():
        raise argparse.ArgumentTypeError(f"'{text}' holds a line break or control character")
    return text


def add_rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules",
        metavar="DIR",
        help="rules directory (terms.yaml + rule sets), a complete rule book; default: the "
        "configuration's 'rules', else the bundled rules",
    )
    config = parser.add_mutually_exclusive_group()
    config.add_argument(
        "--config",
        metavar="PATH",
        help="read this configuration (.redlines.yaml or a pyproject.toml with "
        "[tool.redlines]); default: the nearest one from here up to the repository root",
    )
    config.add_argument(
        "--no-config", action="store_true", help="read no configuration file, only the flags"
    )


def add_actor_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--actor",
        metavar="ID",
        type=_name,
        action="append",
        default=[],
        help="only this actor's rule set (repeatable)",
    )


def add_output_options(parser: argparse.ArgumentParser, choices: Sequence[str]) -> None:
    parser.add_argument("--format", "-f", choices=list(choices), default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour in text output (auto: only on a terminal)",
    )


def add_set_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        type=_assignment,
        action="append",
        default=[],
        dest="overrides",
        metavar="TERM=VALUE",
        help="override a term for a what-if check",
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


def config_of(args: argparse.Namespace) -> Config | None:
    """The configuration a command reads: --config, none with --no-config, else the nearest."""
    if getattr(args, "no_config", False):
        return None
    if getattr(args, "config", None):
        return read_config(args.config)
    found = find_config()
    return read_config(found, os.path.relpath(found)) if found is not None else None


def settings_of(args: argparse.Namespace) -> Settings:
    """The configuration's settings, each replaced by the flag that sets it, where one does."""
    given: dict[str, Sourced[Any]] = {}
    if args.rules:
        given["rules"] = Sourced((args.rules,), "--rules")
    for name, flag in (("actor", "actors"), ("select", "select"), ("ignore", "ignore")):
        values = getattr(args, name, None)
        if values:
            given[flag] = Sourced(tuple(split_names(values)), f"--{name}")
    for name in ("fail_on", "strict", "as_of", "baseline", "write_baseline"):
        value = getattr(args, name, None)
        if value is not None:
            given[name] = Sourced(value, "--" + name.replace("_", "-"))
    return resolve(config_of(args), given, formats("check"))


def resolve_actors(book: RuleBook, wanted: Sequence[str] | Sourced[tuple[str, ...]]) -> list[str]:
    """Rule set ids for --actor values, which may name a rule set id or an actor."""
    setting = wanted if isinstance(wanted, Sourced) else Sourced(tuple(wanted), "--actor")
    ids: list[str] = []
    by_actor = {rs.actor.lower(): rs.id for rs in book.rulesets}
    known = [rs.id for rs in book.rulesets]
    for name in setting.value:
        if name in known:
            ids.append(name)
        elif name.lower() in by_actor:
            ids.append(by_actor[name.lower()])
        else:
            message = f"unknown actor '{name}'{suggest(name, known)}; rule sets: {', '.join(known)}"
            if setting.origin is not None:
                raise setting_error(setting, message)
            raise UsageError(message)
    return ids


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


def add_gate_options(parser: argparse.ArgumentParser) -> None:
    """The settings of a check run a configuration can hold too (the flags win)."""
    add_actor_option(parser)
    parser.add_argument(
        "--fail-on",
        choices=["red_line", "priority", "preference", "never"],
        help="lowest severity whose violation fails (exit 1); default: red_line",
    )
    parser.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        help="also fail on red lines left open",
    )
    parser.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="apply the rules in force on this date (default: each proposal's date)",
    )
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="NAME",
        help="check only the rules this names: a rule id or glob, a tag, an actor or a "
        "severity (repeatable, or comma-separated)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="NAME",
        help="leave out the rules this names (as --select)",
    )
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        help="fail only on findings not in this baseline; the rest are reported as unchanged",
    )
    parser.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record this run's findings in FILE, to pass as --baseline later",
    )


def add_check_outputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        "-f",
        action="append",
        choices=[*formats("check"), AUTO],
        help="format of the report on stdout (auto: github inside GitHub Actions, else "
        "text); default: the configuration's, else text",
    )
    parser.add_argument(
        "--output",
        "-o",
        action="append",
        metavar="FILE|FORMAT:PATH",
        help="write the report to FILE instead of stdout; FORMAT:PATH writes one more report "
        "in that format (repeatable: -o sarif:a.sarif -o markdown:b.md)",
    )
    parser.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour in text output (auto: only on a terminal)",
    )


def _add_check(commands: Any) -> None:
    parser = commands.add_parser("check", help="check proposals against the rule sets")
    parser.add_argument(
        "proposals",
        nargs="+",
        metavar="PROPOSAL",
        help="proposal files (a directory: every *.yaml and *.yml under it)",
    )
    add_rules_option(parser)
    add_gate_options(parser)
    add_check_outputs(parser)
    add_set_option(parser)
    parser.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")
    parser.set_defaults(run=run_check)


def output_plan(args: argparse.Namespace, settings: Settings) -> list[OutputTarget]:
    """Where each report of a check goes, from -f/-o and the configuration."""
    try:
        targets, _ = plan_outputs(
            args.format or [],
            args.output or [],
            formats("check"),
            settings.format,
            settings.outputs,
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    return [OutputTarget(decide_auto(t.format, os.environ), t.path) for t in targets]


def run_check(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    targets = output_plan(args, settings)
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
        write_output(target.path, render(run.reports, target.format, options))
    if settings.write_baseline.value is not None:
        write_output(settings.write_baseline.value, baseline_text(run.result.recorded, __version__))
    note_warnings(args, run.warnings)
    return exit_code(run.reports, settings.fail_on.value, settings.strict.value)


def gated_check(
    settings: Settings,
    paths: Sequence[str],
    *,
    overrides: dict[str, str],
    engine: EngineName,
    today: dt.date,
) -> GatedRun:
    """A check run as the CLI and the Action make it: the settings' rule book, actors,
    selection, waivers and baseline, then every proposal checked and gated."""
    full, modified = load_book(settings)
    actors = resolve_actors(full, settings.actors)
    prepared = prepare(
        settings,
        actors,
        book=full,
        modified=modified,
        today=today,
        repo_root=find_repo_root(),
    )
    proposals = load_proposals(paths, full)
    if engine != "auto":
        make_engine(prepared.book, engine)  # fail early and plainly if that engine is unavailable
    checked = check_all(
        proposals, prepared.book, as_of=settings.as_of.value, overrides=overrides, engine=engine
    )
    reports = prepared.gate.apply_all(checked)
    result = prepared.gate.finish()
    warnings = sorted_warnings((*full.warnings, *run_warnings(reports.reports), *result.warnings))
    reports = reports.model_copy(update={"warnings": result.warnings})
    return GatedRun(reports=reports, result=result, book=prepared.book, warnings=warnings)


def exit_code(reports: ReportSet, fail_on: FailOn, strict: bool) -> int:
    failed = any(failing(report, fail_on, strict) for report in reports.reports)
    return EXIT_FAIL if failed else EXIT_OK


def write_output(path: str | None, text: str) -> None:
    """One output: a file, or stdout for None."""
    if path is None:
        sys.stdout.write(text)
    else:
        Path(path).write_text(text, encoding="utf-8")


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
    targets = output_plan(args, settings)
    full, modified = load_book(settings)
    prepare(
        settings,
        resolve_actors(full, settings.actors),
        book=full,
        modified=modified,
        today=dt.date.today(),
        repo_root=find_repo_root(),
    )
    sys.stdout.write(render_settings(settings, targets))
    return EXIT_OK


def render_settings(settings: Settings, targets: Sequence[OutputTarget]) -> str:
    rows = describe(settings)
    rows = [r for r in rows if r[0] not in ("format", "outputs")]
    rows += [(f"output {t.format}", t.path or "stdout", "") for t in targets]
    head = f"configuration: {settings.config or '(none)'}"
    width = max(len(name) for name, _, _ in rows)
    lines = [head, ""]
    for name, value, source in rows:
        lines.append(f"  {name.ljust(width)}  {value}" + (f"  [{source}]" if source else ""))
    return "\n".join(lines) + "\n"


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
