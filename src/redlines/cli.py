"""`redlines` on the command line: a thin shell over the public API.

Exit codes: 0 nothing at or above --fail-on; 1 a rule at or above --fail-on is violated or a
proposal contradicts itself; 2 bad usage or bad input (always as file:line:col: message); 3 a bug
in redlines; 4 out of memory (one line; see `redlines.memory`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from . import memory
from .baseline import baseline_text
from .checkrun import TooManyProposals
from .engine import EngineUnavailable, make_engine
from .flags import (
    UsageError,
    _date,
    _Parser,
    add_actor_option,
    add_check_outputs,
    add_gate_options,
    add_rule_docs_option,
    add_rules_option,
    add_set_option,
    check_arguments,
    output_plan,
    resolve_actors,
    settings_of,
)
from .gate import GateRun, load_book, prepare
from .loader import bundled_dir, load_proposal, load_proposals
from .models import (
    Catalogue,
    InputError,
    InputWarning,
    Problem,
    Proposal,
    RuleBook,
    Severity,
    sorted_warnings,
)
from .outputs import Output, OutputError, write_output
from .render import RenderOptions, check_writer, find_repo_root, formats, render
from .render.logsafe import text_lines
from .report import failing, run_warnings
from .schemas import KINDS, published_schema
from .settings import OutputTarget, SettingError, Settings, describe
from .specs import suggest
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
    found = sorted_warnings(warnings)
    if found:
        _say(*(_as_printed(warning) for warning in found))


def emit(
    result: object,
    args: argparse.Namespace,
    options: RenderOptions | None = None,
    *,
    command: str | None = None,
) -> None:
    """Render the command's result (as `command`'s, if named: `terms --coverage`) in the format
    asked for, to --output (whole or not at all, outputs.py) or stdout."""
    text = render(result, args.format, options, command=command or args.command)
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
    """Check the proposals one at a time, each report written to every output and dropped
    (checkrun.py); each output file is replaced only once it is complete (outputs.py)."""
    settings = settings_of(args)
    targets, _ = output_plan(args, settings)
    run = GateRun(
        settings,
        args.proposals,
        overrides=dict(args.overrides),
        engine=args.engine,
        today=dt.date.today(),
    )
    fail_on, strict = settings.fail_on.value, settings.strict.value
    pages = rule_pages(args, settings, ((rule.id, rule.ruleset) for rule in run.book.rules))
    failed = False
    with contextlib.ExitStack() as stack:
        writers = []
        for target in targets:
            output = stack.enter_context(Output.to(target.path))
            options = RenderOptions(
                color=use_color(args, to_stdout=target.path is None),
                repo_root=str(find_repo_root()),
                fail_on=fail_on,
                strict=strict,
                rule_pages=pages,
            )
            writer = check_writer(target.format)(output, options, spool=output.spool)
            writers.append(stack.enter_context(writer))
        for report in run.reports():
            for writer in writers:
                writer.add(report)
            failed = failed or bool(failing(report, fail_on, strict))
        result = run.finish()
        for writer in writers:
            writer.end_run(result.absent, result.warnings)
            writer.finish()
    if settings.write_baseline.value is not None:
        write_output(settings.write_baseline.value, baseline_text(result.recorded))
    note_warnings(args, (*run.warnings, *result.warnings))
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
    parser = commands.add_parser(
        "terms",
        help="list the term catalogue: each term's type, values and what they mean; with "
        "--coverage, every party's position on every term",
        description="List the catalogue's terms: title, type, allowed values and what each "
        "value means. WORDs narrow the list to the terms whose name or title contains every "
        "one of them (case does not matter): `redlines terms territory`. With --coverage, the "
        "term-by-actor matrix: which rules of each actor test each term, or why it has none.",
    )
    parser.add_argument("words", nargs="*", metavar="WORD", help="only terms matching these")
    add_rules_option(parser)
    parser.add_argument(
        "--coverage",
        action="store_true",
        help="term-by-actor: which rules of each actor test each term, or why it has none",
    )
    choices = list(dict.fromkeys([*formats("terms"), *formats("coverage")]))
    parser.add_argument(
        "--format", "-f", choices=choices, default="text", help="markdown: with --coverage"
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.set_defaults(run=run_terms)


def run_terms(args: argparse.Namespace) -> int:
    book = rules_from(args)
    catalogue = book.catalogue
    if args.words:
        catalogue = _matching_terms(catalogue, args.words)
    if args.coverage:
        from .coverage import coverage

        emit(coverage(book, catalogue.terms), args, command="coverage")
    elif args.format in formats("terms"):
        emit(catalogue, args)
    else:
        raise UsageError(f"--format {args.format} is for --coverage; the catalogue is text or json")
    return EXIT_OK


def _matching_terms(catalogue: Catalogue, words: Sequence[str]) -> Catalogue:
    wanted = [word.lower() for word in words]
    found = {
        name: term
        for name, term in catalogue.terms.items()
        if all(word in f"{name} {term.title}".lower() for word in wanted)
    }
    if not found:
        areas = sorted({name.split(".")[0] for name in catalogue.terms})
        shown = " ".join(words)
        raise UsageError(
            f"no term matches '{shown}'{suggest(shown, [*areas, *catalogue.terms])}; "
            f"term areas: {', '.join(areas)}"
        )
    return catalogue.model_copy(update={"terms": found})


def _add_schema(commands: Any) -> None:
    parser = commands.add_parser(
        "schema",
        help="print the JSON Schema of a file format (for editors and validators)",
        description="Print the JSON Schema (draft-07, which VS Code's YAML extension supports) "
        "of a file format. Term mappings list the catalogue's terms with their types, values "
        "and meanings, so an editor completes them and flags a wrong value.",
    )
    parser.add_argument("kind", choices=KINDS)
    add_rules_option(parser)
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.set_defaults(run=run_schema, format="json")


def run_schema(args: argparse.Namespace) -> int:
    catalogue = None if args.kind in ("terms", "report") else rules_from(args).catalogue
    emit(published_schema(args.kind, catalogue), args)
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
    from .lint import has_errors, lint, only_in
    from .loader import expand_proposal_paths
    from .render.lint import LintResult

    book = rules_from(args)
    bundled = bundled_dir("proposals")
    paths = args.paths or [str(Path("proposals")) if Path("proposals").is_dir() else str(bundled)]
    proposals = proposals_from(args, paths, book)
    problems = lint(book, proposals, today=args.as_of or dt.date.today())
    # Your drafts against the bundled rules: the rules' own problems are not yours to fix.
    own_files_only = args.rules is None and paths != [str(bundled)]
    if own_files_only:
        problems = only_in(problems, expand_proposal_paths(paths))
    result = LintResult(
        problems=tuple(problems),
        proposals=len(proposals),
        rules=len(book.rules),
        terms=len(book.catalogue.terms),
        bundled_rules=own_files_only,
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


def _add_timeline(commands: Any) -> None:
    parser = commands.add_parser(
        "timeline",
        help="how the negotiating space and the drafts' verdicts moved over time",
        description="Follow the rules in force from day to day: every day a rule, "
        "implication or tie enters or leaves force (a change point) between --from and --to, with "
        "what changed, the blank page as `redlines space --as-of` that day sees it (agreement "
        "possible, the deadlocks, the zone) and each PROPOSAL's verdicts as `redlines check "
        "--as-of` that day gives them. Exit 0, or 2 on bad input.",
    )
    parser.add_argument(
        "proposals",
        nargs="*",
        metavar="PROPOSAL",
        help="drafts to follow (a directory: every *.yaml and *.yml under it)",
    )
    parser.add_argument(
        "--from",
        dest="start",
        type=_date,
        metavar="DATE",
        help="the first day (default: the first change point)",
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=_date,
        metavar="DATE",
        help="the last day (default: the last change point)",
    )
    add_rules_option(parser)
    add_actor_option(parser)
    parser.add_argument("--format", "-f", choices=formats("timeline"), default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--max-cores",
        type=_count,
        default=10,
        metavar="N",
        help="list at most N deadlocks per change point, smallest first (default 10)",
    )
    parser.add_argument(
        "--engine",
        choices=["auto", "durable", "python"],
        default="python",
        help="the engine that judges the drafts (default: python, the fast one; "
        "the two give identical verdicts)",
    )
    parser.set_defaults(run=run_timeline)


def run_timeline(args: argparse.Namespace) -> int:
    from .timeline import TimelineError, timeline

    book = rules_from(args)
    actors = resolve_actors(book, args.actor)
    proposals = load_proposals(args.proposals, book) if args.proposals else []
    if args.engine != "python":
        make_engine(book, args.engine)  # fail early and plainly if that engine is unavailable
    try:
        result = timeline(
            book,
            proposals,
            start=args.start,
            end=args.end,
            actors=actors,
            max_cores=args.max_cores,
            engine=args.engine,
        )
    except TimelineError as err:
        raise UsageError(str(err)) from None
    emit(result, args)
    return EXIT_OK


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


# --- rules and docs -----------------------------------------------------------------------------


def rule_pages(
    args: argparse.Namespace,
    settings: Settings | None,
    rules: Iterable[tuple[str, str]],
) -> dict[str, str]:
    """Each rule's page (rule id -> URL), for (rule id, rule set id) pairs: the bundled rules'
    pages for the bundled rules (the configuration's `rules: bundled` included), none for
    others unless --rule-docs says where they are."""
    from .ruledocs import pages_base, rule_page_urls

    folder = args.rules
    if settings is not None and folder is None and settings.rule_book is not None:
        folder = settings.rule_book[0]
    return rule_page_urls(rules, pages_base(folder, getattr(args, "rule_docs", None)))


def _add_rules(commands: Any) -> None:
    parser = commands.add_parser("rules", help="list the rules: id, actor, severity, validity")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    actions.required = True
    listing = actions.add_parser(
        "list",
        help="list the rules, filtered by actor, severity, tag and date",
        description="List the rules: id, rule set, severity, validity and title. Filters "
        "combine: a rule is listed when it belongs to one of the --actor rule sets, has one of "
        "the --severity levels and carries one of the --tag tags (each: any, when not given), "
        "and is in force on --as-of (default: every rule, whatever its dates).",
    )
    add_rules_option(listing)
    add_actor_option(listing)
    listing.add_argument(
        "--severity",
        action="append",
        default=[],
        choices=[s.value for s in Severity],
        help="only rules of this severity (repeatable)",
    )
    listing.add_argument(
        "--tag", action="append", default=[], metavar="T", help="only rules tagged T (repeatable)"
    )
    listing.add_argument(
        "--as-of", type=_date, metavar="DATE", help="only the rules in force on this date"
    )
    listing.add_argument("--format", "-f", choices=formats("rules"), default="text")
    listing.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    add_rule_docs_option(listing)
    parser.set_defaults(run=run_rules)


def run_rules(args: argparse.Namespace) -> int:
    from .ruledocs import all_tags, list_rules

    book = rules_from(args)
    rulesets = resolve_actors(book, args.actor)
    known_tags = all_tags(book.rules)
    for tag in args.tag:
        if tag not in known_tags:
            listed = ", ".join(known_tags) if known_tags else "no rule carries a tag"
            raise UsageError(f"no rule is tagged '{tag}'{suggest(tag, known_tags)}; tags: {listed}")
    listing = list_rules(
        book,
        rulesets=rulesets,
        severities=[Severity(s) for s in args.severity],
        tags=args.tag,
        as_of=args.as_of,
        pages=rule_pages(args, None, ((r.id, r.ruleset) for r in book.rules)),
    )
    emit(listing, args)
    return EXIT_OK


def _add_docs(commands: Any) -> None:
    parser = commands.add_parser(
        "docs",
        help="write a Markdown page per rule set (and an index) from the rule files",
        description="Write DIR/<rule set>.md for each rule set and DIR/README.md, an index with "
        "the implications: each rule under an anchor that is its id in lower case, with its "
        "condition in words, message, rationale, sources, validity and examples. The bundled "
        "rules' pages are docs/rules/ in the project; reports link to them.",
    )
    parser.add_argument(
        "--output", "-o", metavar="DIR", required=True, help="the folder to write the pages to"
    )
    add_rules_option(parser)
    parser.set_defaults(run=run_docs, format="markdown")


def run_docs(args: argparse.Namespace) -> int:
    from .ruledocs import RulePage, page_name

    book = rules_from(args)
    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--output {args.output} is a file; name a folder for the pages")
    prefix = _rules_relative_to(folder, book)
    pages = {"README.md": RulePage(book=book, ruleset=None, source_prefix=prefix)}
    pages.update(
        {
            page_name(rs.id): RulePage(book=book, ruleset=rs.id, source_prefix=prefix)
            for rs in book.rulesets
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    for name, page in pages.items():
        write_output(str(folder / name), render(page, "markdown", command="docs"))
    print(f"{len(pages)} pages written to {args.output}: {', '.join(pages)}")
    return EXIT_OK


def _rules_relative_to(folder: Path, book: RuleBook) -> str | None:
    """How a page in `folder` reaches the rule files, when both are in one repository."""
    first = next((rs.origin.file for rs in book.rulesets if rs.origin), None)
    if first is None or not Path(first).is_file():
        return None  # the bundled rules of an installed wheel: nothing to link to
    rules_dir = Path(first).resolve().parent
    pages_dir = Path(os.path.abspath(folder))
    repo = find_repo_root(pages_dir)
    if not rules_dir.is_relative_to(repo):
        return None
    return Path(os.path.relpath(rules_dir, pages_dir)).as_posix()


# --- test ---------------------------------------------------------------------------------------


def _add_test(commands: Any) -> None:
    parser = commands.add_parser(
        "test",
        help="run test files and the rules' own examples: drafts with the verdicts they must get",
        description="Run test cases (a draft, the day to judge it on, and the rule statuses, "
        "verdicts and red lines it must get) and the examples written in the rules. Examples "
        "run when no PATH is given or --rules names your own rules. Exit 0 when every case "
        "passes, 1 when one fails, 2 on bad input.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="test files (a directory: every *.yaml and *.yml under it)",
    )
    add_rules_option(parser)
    parser.add_argument("--format", "-f", choices=formats("test"), default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="list the cases that passed too"
    )
    examples = parser.add_mutually_exclusive_group()
    examples.add_argument(
        "--examples",
        dest="examples",
        action="store_const",
        const=True,
        help="run the rules' examples too (the default without PATH or with --rules)",
    )
    examples.add_argument(
        "--no-examples",
        dest="examples",
        action="store_const",
        const=False,
        help="run only the test files",
    )
    parser.set_defaults(run=run_test, examples=None)


def run_test(args: argparse.Namespace) -> int:
    from .loader.testfiles import load_test_files
    from .ruletest import example_cases, run_tests

    book = rules_from(args)
    if args.engine != "auto":
        make_engine(book, args.engine)  # fail early and plainly if that engine is unavailable
    cases = load_test_files(args.paths, book) if args.paths else []
    examples = args.examples
    if examples is None:  # the bundled rules' examples are the project's, not a user's, to run
        examples = not args.paths or args.rules is not None
    if examples:
        cases += example_cases(book)
    if not cases:
        raise UsageError(
            "nothing to test: name test files, or write examples: in the rules "
            "(see docs/testing.md)"
        )
    result = run_tests(cases, book, engine=args.engine)
    emit(result, args, RenderOptions(repo_root=str(find_repo_root()), verbose=args.verbose))
    return EXIT_FAIL if result.failed else EXIT_OK


# --- new ----------------------------------------------------------------------------------------


def _add_new(commands: Any) -> None:
    parser = commands.add_parser(
        "new",
        help="start a draft or a variant from a skeleton that loads as written",
        description="Write the skeleton of a new proposal file: a header with every required "
        "field (the id is the file name), a source to cite, and a first clause listing the "
        "catalogue's terms as comments to uncomment; or a variant of a local or bundled draft. "
        "The first line gives the editor the proposal schema, which is written too if missing.",
    )
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", parser_class=_Parser)
    kinds.required = True
    draft = kinds.add_parser("proposal", help="a new draft")
    _add_new_options(draft)
    variant = kinds.add_parser("variant", help="a variant of a draft (base: …)")
    variant.add_argument(
        "--of",
        required=True,
        metavar="DRAFT",
        help="its base: a proposal file inside the repository, or a bundled draft "
        "(bundled:ID or ID, e.g. us-28-point-2025-11)",
    )
    _add_new_options(variant)
    parser.set_defaults(run=run_new)


def _add_new_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="the new file (its name is the id)")
    add_rules_option(parser)
    parser.add_argument("--title", help="the proposal's title (default: a placeholder)")
    parser.add_argument(
        "--date", type=_date, metavar="DATE", help="the proposal's date (default: today)"
    )
    parser.add_argument(
        "--schema",
        metavar="FILE",
        help="the schema file the modeline names (default: schemas/proposal.schema.json in "
        "the repository)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite PATH if it exists")


def run_new(args: argparse.Namespace) -> int:
    from . import scaffold

    path = Path(args.path)
    try:
        draft_id = scaffold.proposal_id(path)
    except ValueError as err:
        raise UsageError(str(err)) from None
    if path.exists() and not args.force:
        raise UsageError(f"{args.path} exists; choose another name, or --force to overwrite it")
    book = rules_from(args)
    folder = Path(os.path.abspath(path.parent))
    schema = Path(args.schema) if args.schema else find_repo_root(folder) / scaffold.DEFAULT_SCHEMA
    schema_ref = Path(os.path.relpath(os.path.abspath(schema), folder)).as_posix()
    date = args.date or dt.date.today()
    if args.kind == "proposal":
        text = scaffold.proposal_skeleton(
            draft_id, book.catalogue, date=date, title=args.title, schema=schema_ref, path=args.path
        )
    else:
        base_ref, base = _variant_base(args.of, path, book)
        text = scaffold.variant_skeleton(
            draft_id,
            base_ref,
            base,
            date=date,
            title=args.title,
            schema=schema_ref,
            path=args.path,
        )
    folder.mkdir(parents=True, exist_ok=True)
    write_output(str(path), text)
    print(
        f"{args.path}: a new {args.kind} ({draft_id}); fill it in, then: redlines check {args.path}"
    )
    if not schema.exists():
        schema.parent.mkdir(parents=True, exist_ok=True)
        write_output(
            str(schema),
            render(published_schema("proposal", book.catalogue), "json", command="schema"),
        )
        shown = os.path.relpath(schema)
        rules = f" --rules {args.rules}" if args.rules else ""
        print(
            f"{shown}: the proposal schema its first line names, for the editor "
            f"(refresh it with: redlines schema proposal{rules} --output {shown})"
        )
    return EXIT_OK


def _variant_base(of: str, path: Path, book: RuleBook) -> tuple[str, Proposal]:
    """The `base:` a new variant names, and the base itself (to list its clauses)."""
    from .loader.fence import BUNDLED_PREFIX, bundled_proposals, repository_root

    given = Path(of)
    if not of.startswith(BUNDLED_PREFIX) and given.is_file():
        base = load_proposal(given, book)
        here = Path(os.path.abspath(path))
        root = repository_root(here)
        if not given.resolve().is_relative_to(root.resolve()):
            raise UsageError(
                f"{of} lies outside the repository of {path} ('{root}'); a variant may only "
                "build on files inside it, or on a bundled draft (--of bundled:ID)"
            )
        return Path(os.path.relpath(given.resolve(), here.parent.resolve())).as_posix(), base
    drafts = bundled_proposals()
    draft_id = of.removeprefix(BUNDLED_PREFIX)
    if draft_id not in drafts:
        hint = suggest(draft_id, drafts) or f"; bundled drafts: {', '.join(sorted(drafts))}"
        raise UsageError(f"--of {of}: no such proposal file, nor a bundled draft{hint}")
    return f"{BUNDLED_PREFIX}{draft_id}", load_proposal(drafts[draft_id], book)


# --- entry point --------------------------------------------------------------------------------

# Each subcommand registers itself here: (function adding its parser).
COMMANDS: list[Callable[[Any], None]] = [
    _add_check,
    _add_config,
    _add_terms,
    _add_schema,
    _add_lint,
    _add_space,
    _add_timeline,
    _add_diff,
    _add_explain,
    _add_new,
    _add_test,
    _add_rules,
    _add_docs,
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
    except (UsageError, EngineUnavailable, SettingError, OutputError, TooManyProposals) as err:
        _say(f"redlines: error: {err}")
        return EXIT_BAD_INPUT
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else EXIT_OK
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except MemoryError as err:  # before `Exception`: not a bug, and not "durable-rules missing"
        return memory.report(err)
    except OSError as err:  # a file the loader does not read itself (outputs: OutputError)
        if memory.is_out_of_memory(err):
            return memory.report(err)
        where = f"{err.filename}: " if err.filename else ""
        _say(f"redlines: error: {where}{err.strerror or err}")
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
