"""The settings of one run: the defaults, then the configuration file, then the command line.

Each setting remembers where its value came from (`Sourced.source`: `default`, the file and line
of the configuration, the flag, or the Action's input), which `redlines config` prints and
messages cite. Paths in a configuration file are relative to the file's folder; paths on the
command line to the working directory.

Outputs (`plan_outputs`): `-f FORMAT` is what goes to stdout, `-o FILE` sends it to a file
instead, and `--output FORMAT:PATH` adds a file in another format, as many as wanted. Several
`-f` are paired with as many plain `-o`, in order (Spectral's convention); any other mix is an
error that says what to write, never a silent loss of one output.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from .config import Config, read_waivers_file
from .models import InputError, Origin, Problem, Severity
from .report import FailOn
from .specs import suggest

T = TypeVar("T")

BUNDLED = "bundled"
STDOUT = "-"
AUTO = "auto"
DEFAULT = "default"


class Sourced(NamedTuple, Generic[T]):
    """A setting's value and where it came from: `source` says it (`default`, `--fail-on`,
    `input fail-on`, or the file:line:col of the configuration), `origin` is that place in a
    configuration file, where messages about the value point."""

    value: T
    source: str = DEFAULT
    origin: Origin | None = None


class SettingError(Exception):
    """A bad value given on the command line or as an Action input: `<source>: <message>`."""


def setting_error(setting: Sourced[Any], message: str) -> Exception:
    """An error about a setting's value, where the user wrote it: at its line in the
    configuration (an InputError), or naming the flag or input that gave it."""
    if setting.origin is not None:
        return InputError([Problem.at(setting.origin, message)])
    return SettingError(f"{setting.source}: {message}")


class RuleOverride(NamedTuple):
    """One rule changed by the configuration (`rule-overrides`)."""

    rule: str
    severity: Severity | None
    weight: int | None
    disabled: bool
    reason: str
    origin: Origin


class Waiver(NamedTuple):
    """One accepted crossing (`waivers`), and where it is written."""

    rule: str  # a rule id, a tag, or a glob of rule ids
    proposals: tuple[str, ...]  # proposal ids, paths or globs
    clause: str | None
    reason: str
    expires: dt.date | None  # None: never
    origin: Origin


class OutputTarget(NamedTuple):
    """One output of a run: a format, and a file (None: stdout)."""

    format: str
    path: str | None = None

    def __str__(self) -> str:
        return f"{self.format}:{self.path or STDOUT}"


class Settings(NamedTuple):
    """Everything that decides a check run besides the proposals themselves."""

    config: str | None = None  # the configuration file read, if any
    rules: Sourced[tuple[str, ...]] = Sourced((BUNDLED,))
    rule_overrides: Sourced[tuple[RuleOverride, ...]] = Sourced(())
    actors: Sourced[tuple[str, ...]] = Sourced(())
    fail_on: Sourced[FailOn] = Sourced("red_line")
    strict: Sourced[bool] = Sourced(False)
    as_of: Sourced[dt.date | None] = Sourced(None)
    format: Sourced[str] = Sourced("text")  # what stdout gets (before `auto` is decided)
    outputs: Sourced[tuple[OutputTarget, ...]] = Sourced(())  # what files get
    select: Sourced[tuple[str, ...]] = Sourced(())
    ignore: Sourced[tuple[str, ...]] = Sourced(())
    waivers: Sourced[tuple[Waiver, ...]] = Sourced(())
    baseline: Sourced[str | None] = Sourced(None)
    # Only on the command line: a run writes a baseline, it does not configure one.
    write_baseline: Sourced[str | None] = Sourced(None)

    @property
    def rule_book(self) -> tuple[str, ...] | None:
        """The rules folders to load, or None for the bundled rules alone."""
        return None if self.rules.value == (BUNDLED,) else self.rules.value


# What the command line (or the Action) sets: the setting's name -> (value, where it came from).
Given = Mapping[str, Sourced[Any]]


def resolve(config: Config | None, given: Given, formats: Sequence[str]) -> Settings:
    """The settings of a run: the configuration's, each replaced by what `given` sets."""
    from_file = _from_config(config, formats) if config is not None else {}
    merged: dict[str, Sourced[Any]] = {**from_file, **given}
    known = set(Settings._fields) - {"config"}
    unknown = set(merged) - known
    assert not unknown, f"settings that do not exist: {unknown}"
    return Settings(config=config.path if config else None, **merged)


def _from_config(config: Config, formats: Sequence[str]) -> dict[str, Sourced[Any]]:
    spec = config.spec
    found: dict[str, Sourced[Any]] = {}
    problems: list[Problem] = []

    def sourced(value: Any, key: str) -> Sourced[Any]:
        origin = config.at(key)
        return Sourced(value, str(origin), origin)

    if spec.rules is not None:
        found["rules"] = sourced(
            tuple(r if r == BUNDLED else config.resolve(r) for r in spec.rules), "rules"
        )
        for i, folder in enumerate(found["rules"].value):
            if folder != BUNDLED and not os.path.isdir(folder):
                problems.append(
                    Problem.at(
                        config.at("rules", i),
                        f"'rules' names {folder}, which is no rules folder"
                        + ("" if os.path.exists(folder) else " (there is no such folder)"),
                    )
                )
    if spec.rule_overrides is not None:
        found["rule_overrides"] = sourced(
            tuple(
                RuleOverride(
                    rule=rule,
                    severity=o.severity,
                    weight=o.weight,
                    disabled=o.disabled,
                    reason=o.reason.strip(),
                    origin=config.key_at("rule-overrides", rule),
                )
                for rule, o in spec.rule_overrides.items()
            ),
            "rule-overrides",
        )
    for name, key in (
        ("actors", "actors"),
        ("select", "select"),
        ("ignore", "ignore"),
    ):
        value = getattr(spec, name)
        if value is not None:
            found[name] = sourced(tuple(split_names(value)), key)
    for name, key in (("fail_on", "fail-on"), ("strict", "strict"), ("as_of", "as-of")):
        value = getattr(spec, name)
        if value is not None:
            found[name] = sourced(value, key)
    if spec.format is not None:
        if spec.format not in (*formats, AUTO):
            problems.append(
                Problem.at(
                    config.at("format"),
                    f"'format' must be one of {', '.join((*formats, AUTO))}; "
                    f"got '{spec.format}'{suggest(spec.format, (*formats, AUTO))}",
                )
            )
        found["format"] = sourced(spec.format, "format")
    if spec.outputs is not None:
        targets: list[OutputTarget] = []
        for i, text in enumerate(spec.outputs):
            try:
                fmt, path = split_output(text, formats)
            except ValueError as err:
                problems.append(Problem.at(config.at("outputs", i), str(err)))
                continue
            if fmt is None:
                problems.append(
                    Problem.at(
                        config.at("outputs", i),
                        f"an output is FORMAT:PATH (e.g. sarif:redlines.sarif), not '{text}'",
                    )
                )
                continue
            targets.append(OutputTarget(fmt, None if path == STDOUT else config.resolve(path)))
        found["outputs"] = sourced(tuple(targets), "outputs")
    waivers = list(_waivers(config, spec.waivers or []))
    if spec.waivers_file is not None:
        path = config.resolve(spec.waivers_file)
        if not os.path.isfile(path):
            raise InputError(
                [
                    *problems,
                    Problem.at(
                        config.at("waivers-file"),
                        f"'waivers-file' names {path}, and there is no such file",
                    ),
                ]
            )
        waivers += _waivers_file(path)
    if spec.waivers is not None or spec.waivers_file is not None:
        key = "waivers" if spec.waivers is not None else "waivers-file"
        found["waivers"] = sourced(tuple(waivers), key)
    if spec.baseline is not None:
        found["baseline"] = sourced(config.resolve(spec.baseline), "baseline")
    if problems:
        raise InputError(problems)
    return found


def _waivers(config: Config, specs: Sequence[Any]) -> list[Waiver]:
    return [
        Waiver(
            rule=w.rule.strip(),
            proposals=tuple(p.strip() for p in w.proposals),
            clause=w.clause,
            reason=w.reason.strip(),
            expires=w.expires,
            origin=config.at("waivers", i),
        )
        for i, w in enumerate(specs)
    ]


def _waivers_file(path: str) -> list[Waiver]:
    doc, spec = read_waivers_file(path, path)
    return [
        Waiver(
            rule=w.rule.strip(),
            proposals=tuple(p.strip() for p in w.proposals),
            clause=w.clause,
            reason=w.reason.strip(),
            expires=w.expires,
            origin=doc.at(("waivers", i)),
        )
        for i, w in enumerate(spec.waivers)
    ]


def split_names(values: Sequence[str]) -> list[str]:
    """`--select a,b --select c` and `select: [a, b, c]` alike: names, commas split, blanks out."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


# --- outputs ------------------------------------------------------------------------------------


def split_output(text: str, formats: Sequence[str]) -> tuple[str | None, str]:
    """`sarif:out.sarif` -> ("sarif", "out.sarif"); a plain path -> (None, path).

    Only a known format before the first ':' makes a FORMAT:PATH, so `C:\\report.txt` and
    `./a:b.txt` stay paths.
    """
    head, sep, tail = text.partition(":")
    if sep and head in (*formats, AUTO):
        if not tail:
            raise ValueError(f"'{text}' names no file after '{head}:' (use {head}:- for stdout)")
        return head, tail
    return None, text


def plan_outputs(
    formats_given: Sequence[str],
    outputs_given: Sequence[str],
    formats: Sequence[str],
    default: Sourced[str],
    configured: Sourced[tuple[OutputTarget, ...]],
) -> tuple[list[OutputTarget], dict[str, str]]:
    """What a run writes where, from `-f` and `-o`/`--output` as given (and the configuration's
    when the command line names none); with where each output's setting came from.

    Raises ValueError with a message for an ambiguous or conflicting combination.
    """
    explicit: list[OutputTarget] = []
    plain: list[str] = []
    for text in outputs_given:
        fmt, path = split_output(text, formats)
        if fmt is None:
            plain.append(path)
        else:
            explicit.append(OutputTarget(fmt, None if path == STDOUT else path))
    sources: dict[str, str] = {}
    targets: list[OutputTarget] = []
    if len(formats_given) > 1 or len(plain) > 1:
        if len(formats_given) != len(plain):
            raise ValueError(
                f"{len(formats_given)} --format and {len(plain)} --output FILE: pair each "
                "--format with one --output, in order, or write --output FORMAT:PATH for each file"
            )
        targets += [
            OutputTarget(f, None if p == STDOUT else p)
            for f, p in zip(formats_given, plain, strict=True)
        ]
        source = "--format/--output"
    else:
        fmt = formats_given[0] if formats_given else default.value
        source = "--format" if formats_given else default.source
        to = plain[0] if plain else None
        targets.append(OutputTarget(fmt, None if to == STDOUT else to))
    sources.update({str(t): source for t in targets})
    targets += explicit
    sources.update({str(t): "--output" for t in explicit})
    if not outputs_given:
        targets += configured.value
        sources.update({str(t): configured.source for t in configured.value})
    _no_clashes(targets)
    return targets, sources


def _no_clashes(targets: Sequence[OutputTarget]) -> None:
    to_stdout = [t for t in targets if t.path is None]
    if len(to_stdout) > 1:
        listed = ", ".join(t.format for t in to_stdout)
        raise ValueError(
            f"{len(to_stdout)} outputs to stdout ({listed}); send all but one to a file "
            "with --output FORMAT:PATH"
        )
    seen: dict[str, str] = {}
    for t in targets:
        if t.path is None:
            continue
        key = os.path.normcase(os.path.abspath(t.path))
        if key in seen:
            raise ValueError(
                f"two outputs to {t.path} ({seen[key]} and {t.format}); give each its own file"
            )
        seen[key] = t.format


def decide_auto(fmt: str, env: Mapping[str, str]) -> str:
    """`--format auto`: GitHub's workflow commands inside GitHub Actions, else text."""
    if fmt != AUTO:
        return fmt
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"


# --- showing the settings ----------------------------------------------------------------------


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(setting, value, source) rows for `redlines config`, in the configuration's key names."""
    rows: list[tuple[str, str, str]] = []

    def row(name: str, setting: Sourced[Any], shown: Callable[[Any], str]) -> None:
        rows.append((name, shown(setting.value), setting.source))

    row("rules", settings.rules, lambda v: " + ".join(v))
    for override in settings.rule_overrides.value:
        if override.disabled:
            change = "disabled"
        else:
            parts = []
            if override.severity is not None:
                parts.append(f"severity {override.severity.value}")
            if override.weight is not None:
                parts.append(f"weight {override.weight}")
            change = ", ".join(parts)
        rows.append(
            (
                f"rule-overrides {override.rule}",
                f"{change} ({override.reason})",
                str(override.origin),
            )
        )
    if not settings.rule_overrides.value:
        row("rule-overrides", settings.rule_overrides, lambda v: "(none)")
    row("actors", settings.actors, lambda v: ", ".join(v) or "(all)")
    row("fail-on", settings.fail_on, str)
    row("strict", settings.strict, lambda v: "true" if v else "false")
    row("as-of", settings.as_of, lambda v: v.isoformat() if v else "(each proposal's own date)")
    row("format", settings.format, str)
    row("outputs", settings.outputs, lambda v: ", ".join(map(str, v)) or "(none)")
    row("select", settings.select, lambda v: ", ".join(v) or "(every rule)")
    row("ignore", settings.ignore, lambda v: ", ".join(v) or "(none)")
    for waiver in settings.waivers.value:
        expires = waiver.expires.isoformat() if waiver.expires else "never"
        clause = f" clause {waiver.clause}" if waiver.clause else ""
        rows.append(
            (
                f"waiver {waiver.rule}",
                f"{', '.join(waiver.proposals)}{clause} until {expires} ({waiver.reason})",
                str(waiver.origin),
            )
        )
    if not settings.waivers.value:
        row("waivers", settings.waivers, lambda v: "(none)")
    row("baseline", settings.baseline, lambda v: v or "(none)")
    return rows
