"""A rules directory: `terms.yaml`, one rule set per actor, implications and ties.

Every other `*.yaml` or `*.yml` file under the directory is a rule set (`ruleset` + `rules`), a
list of implications or a list of ties; each is checked against the catalogue, and ids across
all of them.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import NamedTuple

from ..models import (
    Catalogue,
    Implication,
    InputError,
    InputWarning,
    NoPosition,
    Origin,
    Problem,
    Rule,
    RuleBook,
    RuleExample,
    RuleSet,
    TermValue,
    Tie,
    fail,
)
from ..specs import ImplicationsFile, RuleSetSpec, RulesFile, RuleSpec, TiesFile, suggest
from ..yamlfile import Document, Path_, clip, read_yaml
from .conditions import parse_condition
from .fence import bundled_dir, check_inside, check_name, fence_of, yaml_files
from .terms import load_terms
from .validate import (
    capped,
    enough,
    one_line_problems,
    same_ids,
    to_sources,
    validate_spec,
)
from .values import lookup_term, renamed, shown, type_value, typed_settings

# Rules, implications and ties in one rules directory, all files together: the durable engine
# needs about 100 MB and 0.4 s per check for 1,000 rules, and a pull request could add files.
MAX_RULES = 1_000


@one_line_problems
def load_rules(directory: str | Path | None = None) -> RuleBook:
    """Load `DIR/terms.yaml` and every other YAML file under DIR; default: the bundled rules."""
    if directory is None:
        root, label = bundled_dir("rules"), "rules"
    else:
        root, label = Path(directory), os.path.normpath(str(directory))
    check_name(label)
    try:
        info = os.stat(root)
    except OSError as err:
        if err.errno in (errno.ENOENT, errno.ENOTDIR):
            fail(label, "no such rules directory")
        fail(label, f"cannot open this rules directory: {err.strerror or err}")
    except ValueError:  # a NUL in the name
        fail(label, "no such rules directory")
    if not stat.S_ISDIR(info.st_mode):
        fail(label, "is a file, not a rules directory (a folder holding terms.yaml)")
    terms_path = root / "terms.yaml"
    if not os.path.lexists(terms_path):  # anything else by that name is refused by read_yaml
        fail(label, "a rules directory needs a terms.yaml (the term catalogue); none is here")
    # Inside a repository, rule files may be symbolic links within it, never out of it.
    fence = fence_of(terms_path)
    check_inside(terms_path, os.path.join(label, "terms.yaml"), fence)
    catalogue = load_terms(terms_path, os.path.join(label, "terms.yaml"))
    files = load_rule_files(root, label, catalogue, fence)
    book = RuleBook(
        catalogue=catalogue,
        rulesets=tuple(files.rulesets),
        implications=tuple(files.implications),
        ties=tuple(files.ties),
        root=label,
        warnings=tuple(files.warnings),
    )
    check_cross_references(book)
    return book


class RuleFiles(NamedTuple):
    """What the files of a rules folder hold besides its catalogue."""

    rulesets: list[RuleSet]
    implications: list[Implication]
    ties: list[Tie]
    warnings: list[InputWarning]


def load_rule_files(
    root: Path, label: str, catalogue: Catalogue, fence: Path | None, already: int = 0
) -> RuleFiles:
    """The rule sets, implications and ties of every YAML file under `root` but its
    `terms.yaml`, checked against `catalogue`; `already` rules, implications and ties count
    towards the limit."""
    terms_path = root / "terms.yaml"
    rulesets: list[RuleSet] = []
    implications: list[Implication] = []
    ties: list[Tie] = []
    problems: list[Problem] = []
    warnings: list[InputWarning] = []
    for path in yaml_files(root):
        if path == terms_path:
            continue
        display = os.path.join(label, path.relative_to(root).as_posix())
        try:
            check_name(display)
            check_inside(path, display, fence)
            doc = read_yaml(path, display)
            kind = _kind_of(doc)
            if kind == "rules":
                rulesets.append(_ruleset(doc, validate_spec(doc, RulesFile), catalogue, warnings))
            elif kind == "implications":
                implications.extend(
                    _implications(doc, validate_spec(doc, ImplicationsFile), catalogue, warnings)
                )
            elif kind == "ties":
                ties.extend(_ties(doc, validate_spec(doc, TiesFile), catalogue, warnings))
            else:
                fail(
                    doc.key_at((kind,)),
                    f"only {label}/terms.yaml may hold the term catalogue; move these terms there",
                )
        except InputError as err:
            problems.extend(err.problems)
        count = already + sum(len(rs.rules) for rs in rulesets) + len(implications) + len(ties)
        if count > MAX_RULES:
            held = (
                f"with this file the rules directory holds {count:,} rules, implications and ties"
            )
            problems.append(
                Problem(
                    file=display,
                    line=1,
                    col=1,
                    message=f"{held}, over the limit of {MAX_RULES:,}",
                )
            )
            break
    if problems:
        raise InputError(capped(problems))
    return RuleFiles(rulesets, implications, ties, warnings)


def _kind_of(doc: Document) -> str:
    """What a file under the rules directory holds, from its top-level keys."""
    if not isinstance(doc.data, dict) or not doc.data:
        fail(
            doc.at(()),
            "a rules file must be a mapping with 'ruleset' and 'rules', 'implications' or "
            f"'ties' at the top, but this file holds {shown(doc.data)}",
        )
    keys = set(doc.data)
    if "terms" in keys:
        return "terms"
    if "implications" in keys:
        return "implications"
    if "ties" in keys:
        return "ties"
    if "ruleset" in keys or "rules" in keys:
        return "rules"
    first = str(next(iter(doc.data)))
    known = ("ruleset", "rules", "implications", "ties", "terms")
    fail(
        doc.key_at((first,)),
        f"unknown top-level key '{clip(first)}'{suggest(first, known)}: "
        "a rules file holds 'ruleset' and 'rules', 'implications' or 'ties'",
    )


def _ruleset(
    doc: Document, spec: RulesFile, catalogue: Catalogue, warnings: list[InputWarning]
) -> RuleSet:
    if len(spec.rules) > MAX_RULES:
        fail(
            doc.key_at(("rules",)),
            f"{len(spec.rules):,} rules, over the limit of {MAX_RULES:,} for a rules directory",
        )
    meta = spec.ruleset
    rules: list[Rule] = []
    problems: list[Problem] = []
    for i, rule_spec in enumerate(spec.rules):
        if enough(problems):
            break
        try:
            condition = parse_condition(doc, ("rules", i, "requires"), catalogue, warnings)
        except InputError as err:
            problems.extend(err.problems)
            continue
        examples = _examples(
            doc, ("rules", i, "examples"), rule_spec, catalogue, problems, warnings
        )
        rules.append(
            Rule(
                id=rule_spec.id,
                title=rule_spec.title,
                severity=rule_spec.severity,
                weight=rule_spec.weight,
                tags=tuple(rule_spec.tags),
                requires=condition,
                when_silent=rule_spec.when_silent,
                message=rule_spec.message,
                rationale=rule_spec.rationale,
                sources=to_sources(rule_spec.sources),
                valid_from=rule_spec.valid_from,
                valid_until=rule_spec.valid_until,
                superseded_by=rule_spec.superseded_by,
                examples=examples,
                ruleset=meta.id,
                actor=meta.actor,
                origin=doc.at(("rules", i)),
            )
        )
    if problems:
        raise InputError(capped(problems))
    return RuleSet(
        id=meta.id,
        actor=meta.actor,
        title=meta.title,
        version=meta.version,
        description=meta.description,
        sources=to_sources(meta.sources),
        rules=tuple(rules),
        origin=doc.at(("ruleset",)),
        reviewed=meta.reviewed,
        no_position=_no_position(doc, meta, catalogue, warnings),
    )


def _no_position(
    doc: Document, meta: RuleSetSpec, catalogue: Catalogue, warnings: list[InputWarning]
) -> tuple[NoPosition, ...]:
    """The header's terms without a rule, each a catalogue term (old names warn), by term."""
    found: dict[str, NoPosition] = {}
    problems: list[Problem] = []
    for name, entry in meta.no_position.items():
        where: Path_ = ("ruleset", "no_position", name)
        try:
            term = lookup_term(catalogue, name)
        except ValueError as err:
            problems.append(doc.problem(where, str(err), key=True))
            continue
        if term.name in found:
            problems.append(
                doc.problem(where, f"'no_position' names '{term.name}' twice; keep one", key=True)
            )
            continue
        deprecated = renamed(name, term)
        if deprecated:
            warnings.append(InputWarning.at(doc.key_at(where), deprecated))
        found[term.name] = NoPosition(
            term=term.name, reason=entry.reason, note=entry.note, origin=doc.key_at(where)
        )
    if problems:
        raise InputError(capped(problems))
    return tuple(found[name] for name in sorted(found))


def _examples(
    doc: Document,
    where: Path_,
    spec: RuleSpec,
    catalogue: Catalogue,
    problems: list[Problem],
    warnings: list[InputWarning],
) -> tuple[RuleExample, ...]:
    """A rule's examples, their terms typed against the catalogue like a clause's."""
    examples: list[RuleExample] = []
    for j, example in enumerate(spec.examples):
        at: Path_ = (*where, j)
        key = {"met": "meets", "violated": "violates", "open": "open"}[example.expected]
        settings = typed_settings(doc, (*at, key), example.terms, catalogue, problems, warnings)
        examples.append(
            RuleExample(
                expect=example.expected,
                settings=settings,
                as_of=example.as_of,
                note=example.note,
                origin=doc.at(at),
            )
        )
    return tuple(examples)


def _implications(
    doc: Document, spec: ImplicationsFile, catalogue: Catalogue, warnings: list[InputWarning]
) -> list[Implication]:
    built: list[Implication] = []
    problems: list[Problem] = []
    for i, imp in enumerate(spec.implications):
        if enough(problems):
            break
        try:
            when = parse_condition(doc, ("implications", i, "when"), catalogue, warnings)
        except InputError as err:
            problems.extend(err.problems)
            continue
        then: dict[str, TermValue] = {}
        then_origins: dict[str, Origin] = {}
        for term_name, raw in imp.then.items():
            where: Path_ = ("implications", i, "then", term_name)
            try:
                term = lookup_term(catalogue, term_name)
                value = type_value(term, raw)
            except ValueError as err:
                problems.append(doc.problem(where, str(err), key=True))
                continue
            if term.name in then:
                problems.append(
                    doc.problem(
                        where,
                        f"'then' sets '{term.name}' twice (once under its old name); keep one",
                        key=True,
                    )
                )
                continue
            deprecated = renamed(term_name, term)
            if deprecated:
                warnings.append(InputWarning.at(doc.key_at(where), deprecated))
            then[term.name] = value
            then_origins[term.name] = doc.key_at(where)
        built.append(
            Implication(
                id=imp.id,
                title=imp.title,
                when=when,
                then=then,
                rationale=imp.rationale,
                sources=to_sources(imp.sources),
                valid_from=imp.valid_from,
                valid_until=imp.valid_until,
                superseded_by=imp.superseded_by,
                origin=doc.at(("implications", i)),
                then_origins=then_origins,
            )
        )
    if problems:
        raise InputError(capped(problems))
    return built


def _ties(
    doc: Document, spec: TiesFile, catalogue: Catalogue, warnings: list[InputWarning]
) -> list[Tie]:
    built: list[Tie] = []
    problems: list[Problem] = []
    for i, tie in enumerate(spec.ties):
        if enough(problems):
            break
        try:
            requires = parse_condition(doc, ("ties", i, "requires"), catalogue, warnings)
        except InputError as err:
            problems.extend(err.problems)
            continue
        built.append(
            Tie(
                id=tie.id,
                title=tie.title,
                requires=requires,
                level=tie.level,
                rationale=tie.rationale,
                sources=to_sources(tie.sources),
                valid_from=tie.valid_from,
                valid_until=tie.valid_until,
                superseded_by=tie.superseded_by,
                origin=doc.at(("ties", i)),
            )
        )
    if problems:
        raise InputError(capped(problems))
    return built


def check_cross_references(book: RuleBook) -> None:
    """Ids unique across every file; every `superseded_by` names a rule, implication or tie."""
    everything: list[tuple[str, Origin | None, str | None]] = [
        (r.id, r.origin, r.superseded_by) for r in book.rules
    ]
    everything += [(i.id, i.origin, i.superseded_by) for i in book.implications]
    everything += [(t.id, t.origin, t.superseded_by) for t in book.ties]
    problems = same_ids(((item_id, origin) for item_id, origin, _ in everything), "rule")
    seen = {item_id for item_id, _, _ in everything}
    for item_id, origin, successor in everything:
        if enough(problems):
            break
        if successor is not None and successor not in seen:
            problems.append(
                Problem.at(
                    origin,
                    f"'{item_id}' is superseded_by '{successor}', which no rule defines"
                    f"{suggest(successor, seen)}",
                )
            )
    problems += same_ids(((rs.id, rs.origin) for rs in book.rulesets), "ruleset")
    if problems:
        raise InputError(capped(problems))
