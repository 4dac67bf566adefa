"""The flags of a check run, shared by the CLI (`redlines check`, `redlines config`) and the
Action (its inputs become these flags; its `args` input is parsed by the same parser).

`settings_of` reads the configuration a command names (or the nearest one) and lays the flags
given over it (settings.py); `check_arguments` adds every flag of `check` to a parser.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .config import Config, find_config, read_config
from .models import RuleBook
from .render import formats
from .settings import (
    AUTO,
    OutputTarget,
    Settings,
    Sourced,
    decide_auto,
    plan_outputs,
    resolve,
    setting_error,
    split_names,
)
from .specs import iso_date, suggest


class UsageError(Exception):
    """Bad command-line usage: printed as 'redlines: error: …', exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError(message)


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


def output_plan(
    args: argparse.Namespace, settings: Settings
) -> tuple[list[OutputTarget], dict[str, str]]:
    """Where each report of a check goes, from -f/-o and the configuration, and where each of
    those settings came from."""
    try:
        targets, sources = plan_outputs(
            args.format or [],
            args.output or [],
            formats("check"),
            settings.format,
            settings.outputs,
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    decided = [OutputTarget(decide_auto(t.format, os.environ), t.path) for t in targets]
    return decided, {str(d): sources[str(t)] for d, t in zip(decided, targets, strict=True)}


def add_rule_docs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rule-docs",
        metavar="URL",
        help="where your rules' pages (`redlines docs`) are published; reports link each rule "
        "to URL/<rule set>.md#<rule id> (default: the bundled rules' pages for the bundled "
        "rules, no link for others)",
    )


def check_arguments(parser: argparse.ArgumentParser) -> None:
    """Every flag of `redlines check` (and its PROPOSAL arguments)."""
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
    add_rule_docs_option(parser)


def check_parser() -> argparse.ArgumentParser:
    """A parser of `redlines check`'s flags alone (the Action's inputs and `args`)."""
    parser = _Parser(prog="redlines check", add_help=False)
    check_arguments(parser)
    return parser
