"""Load term catalogues, rule directories and proposals into checked domain objects.

Each file goes YAML -> `Document` (data + positions) -> spec model (shape) -> domain model
(types against the catalogue, cross-references, positions). Every problem found on the way is
collected with its file:line:col and raised together as one `InputError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from .conditions import ConditionError, lookup_term, parse_condition, type_value
from .models import (
    Catalogue,
    Clause,
    Implication,
    InputError,
    Origin,
    Problem,
    Proposal,
    Rule,
    RuleBook,
    RuleSet,
    Setting,
    Source,
    Term,
    TermType,
    TermValue,
)
from .specs import (
    ClauseSpec,
    ImplicationsFile,
    ProposalFile,
    RulesFile,
    SourceSpec,
    Spec,
    TermsFile,
    suggest,
)
from .yamlfile import Document, Path_, read_yaml

MAX_TERMS = 2_000
MAX_RULES = 5_000
MAX_CLAUSES = 1_000
MAX_BASE_DEPTH = 16

TERM_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
SpecT = TypeVar("SpecT", bound=Spec)


# --- where the bundled content lives ------------------------------------------------------------


def bundled_dir(name: str) -> Path:
    """The bundled `rules` or `proposals` folder: inside the wheel, else the source checkout."""
    packaged = Path(str(resources.files("redlines"))) / "_bundled" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


# --- spec validation with positions -------------------------------------------------------------


def validate_spec(doc: Document, spec: type[SpecT]) -> SpecT:
    """Validate a document's data against a spec model; problems point at the offending line."""
    expected = ", ".join(f"'{name}'" for name in spec.model_fields)
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), f"expected a mapping with {expected} at the top")])
    try:
        return spec.model_validate(doc.data)
    except ValidationError as err:
        raise InputError(_problems_from(doc, err)) from None


def _problems_from(doc: Document, err: ValidationError) -> list[Problem]:
    problems: dict[tuple[Path_, str], Problem] = {}
    errors = err.errors(include_url=False)
    for error in errors:
        path, branch_tag = _data_path(doc.data, error["loc"])
        kind = error["type"]
        if branch_tag and kind in {"string_type", "model_type", "dict_type"}:
            # One branch of a union (e.g. a source given as id or as mapping) failed only on its
            # shape while another branch has the real complaint; keep the real one.
            if any(e is not error and _data_path(doc.data, e["loc"])[0][: len(path)] == path
                   for e in errors):
                continue
        if kind == "unknown_key":
            key = error["ctx"]["key"]
            problem = doc.problem((*path, key), error["msg"], key=True)
        elif kind == "missing":
            field = error["loc"][-1]
            problem = doc.problem(path, f"missing required key '{field}'")
        elif kind == "extra_forbidden":
            problem = doc.problem(path, f"unknown key '{path[-1]}'", key=True)
        else:
            field = next((str(s) for s in reversed(path) if isinstance(s, str)), "")
            message = error["msg"]
            problem = doc.problem(path, f"'{field}': {message}" if field else message)
        problems.setdefault((path, problem.message), problem)
    return list(problems.values())


def _data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[Path_, bool]:
    """The part of a pydantic error location that names real keys and indexes in the data."""
    path: list[str | int] = []
    skipped = False
    for step in loc:
        if isinstance(data, dict) and step in data:
            data = data[step]
            path.append(step)
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
            path.append(step)
        else:
            skipped = True  # a union branch tag or a missing key
    return tuple(path), skipped


def _read(path: str | Path, display: str, spec: type[SpecT]) -> tuple[Document, SpecT]:
    doc = read_yaml(path, display)
    return doc, validate_spec(doc, spec)


def _sources(specs: Iterable[SourceSpec]) -> tuple[Source, ...]:
    return tuple(s.to_source() for s in specs)


# --- the term catalogue -------------------------------------------------------------------------


def load_terms(path: str | Path, display: str | None = None) -> Catalogue:
    """Load a term catalogue (`terms.yaml`)."""
    name = display or str(path)
    doc, spec = _read(path, name, TermsFile)
    problems: list[Problem] = []
    if len(spec.terms) > MAX_TERMS:
        raise InputError([doc.problem(("terms",), f"more than {MAX_TERMS:,} terms")])
    terms: dict[str, Term] = {}
    for term_name, term_spec in spec.terms.items():
        where: Path_ = ("terms", term_name)
        if not TERM_NAME.match(term_name):
            problems.append(doc.problem(where, (
                f"term name '{term_name}' must be area.subject in lower snake case"), key=True))
            continue
        message = _term_shape_problem(term_spec.type, term_spec.values, term_spec.min,
                                      term_spec.max, term_spec.unit)
        if message:
            problems.append(doc.problem(where, f"term '{term_name}': {message}", key=True))
            continue
        terms[term_name] = Term(
            name=term_name,
            title=term_spec.title,
            type=term_spec.type,
            values=tuple(term_spec.values or ()),
            unit=term_spec.unit,
            min=term_spec.min,
            max=term_spec.max,
            description=term_spec.description,
            sources=_sources(term_spec.sources),
            origin=doc.key_at(where),
        )
    if problems:
        raise InputError(problems)
    return Catalogue(terms=dict(sorted(terms.items())), origin=doc.at(()))


def _term_shape_problem(
    kind: TermType, values: list[str] | None, low: int | None, high: int | None, unit: str | None
) -> str | None:
    if kind is TermType.ENUM:
        if not values:
            return "an enum term needs a non-empty 'values' list"
        if len(set(values)) != len(values):
            return "'values' lists a value twice"
    elif values is not None:
        return f"'values' belongs to enum terms, not to a {kind.value} term"
    if kind is not TermType.INTEGER and (low is not None or high is not None or unit is not None):
        return f"'min', 'max' and 'unit' belong to integer terms, not to a {kind.value} term"
    if low is not None and high is not None and high < low:
        return f"'max' {high} is below 'min' {low}"
    return None


# --- rule directories ---------------------------------------------------------------------------


def load_rules(directory: str | Path | None = None) -> RuleBook:
    """Load `DIR/terms.yaml` and every other `*.yaml` under DIR; default: the bundled rules."""
    if directory is None:
        root, label = bundled_dir("rules"), "rules"
    else:
        root, label = Path(directory), os.path.normpath(str(directory))
    if not root.is_dir():
        raise InputError([Problem(file=label, line=1, col=1, message="no such rules directory")])
    terms_path = root / "terms.yaml"
    if not terms_path.is_file():
        raise InputError([Problem(file=label, line=1, col=1,
                                  message="a rules directory needs a terms.yaml")])
    catalogue = load_terms(terms_path, os.path.join(label, "terms.yaml"))
    files = sorted(
        p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
        and p.resolve() != terms_path.resolve()
    )
    rulesets: list[RuleSet] = []
    implications: list[Implication] = []
    problems: list[Problem] = []
    for path in files:
        display = os.path.join(label, path.relative_to(root).as_posix())
        try:
            doc = read_yaml(path, display)
            kind = _kind_of(doc)
            if kind == "rules":
                rulesets.append(_build_ruleset(doc, validate_spec(doc, RulesFile), catalogue))
            elif kind == "implications":
                implications.extend(
                    _build_implications(doc, validate_spec(doc, ImplicationsFile), catalogue))
            else:
                raise InputError([doc.problem((kind,), (
                    f"only {label}/terms.yaml may hold the term catalogue"), key=True)])
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    book = RuleBook(catalogue=catalogue, rulesets=tuple(rulesets),
                    implications=tuple(implications), root=label)
    _check_cross_references(book)
    return book


def _kind_of(doc: Document) -> str:
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), (
            "expected a mapping with 'ruleset' and 'rules', or 'implications', at the top"))])
    keys = set(doc.data)
    if "terms" in keys:
        return "terms"
    if "implications" in keys:
        return "implications"
    if "ruleset" in keys or "rules" in keys:
        return "rules"
    first = sorted(keys)[0] if keys else ""
    known = ("ruleset", "rules", "implications", "terms")
    raise InputError([doc.problem((first,), (
        f"unknown top-level key '{first}'{suggest(first, known)}: a rules file holds "
        "'ruleset' and 'rules', or 'implications'"), key=True)])


def _build_ruleset(doc: Document, spec: RulesFile, catalogue: Catalogue) -> RuleSet:
    if len(spec.rules) > MAX_RULES:
        raise InputError([doc.problem(("rules",), f"more than {MAX_RULES:,} rules in one file")])
    meta = spec.ruleset
    rules: list[Rule] = []
    problems: list[Problem] = []
    for i, rule_spec in enumerate(spec.rules):
        try:
            condition = parse_condition(doc, ("rules", i, "requires"), catalogue)
        except ConditionError as err:
            problems.append(err.problem)
            continue
        rules.append(Rule(
            id=rule_spec.id,
            title=rule_spec.title,
            severity=rule_spec.severity,
            weight=rule_spec.weight,
            requires=condition,
            when_silent=rule_spec.when_silent,
            message=rule_spec.message,
            rationale=rule_spec.rationale,
            sources=_sources(rule_spec.sources),
            valid_from=rule_spec.valid_from,
            valid_until=rule_spec.valid_until,
            superseded_by=rule_spec.superseded_by,
            ruleset=meta.id,
            actor=meta.actor,
            origin=doc.at(("rules", i)),
        ))
    if problems:
        raise InputError(problems)
    return RuleSet(id=meta.id, actor=meta.actor, title=meta.title, version=meta.version,
                   description=meta.description, sources=_sources(meta.sources),
                   rules=tuple(rules), origin=doc.at(("ruleset",)))


def _build_implications(
    doc: Document, spec: ImplicationsFile, catalogue: Catalogue
) -> list[Implication]:
    built: list[Implication] = []
    problems: list[Problem] = []
    for i, imp in enumerate(spec.implications):
        try:
            when = parse_condition(doc, ("implications", i, "when"), catalogue)
        except ConditionError as err:
            problems.append(err.problem)
            continue
        then: dict[str, TermValue] = {}
        then_origins: dict[str, Origin] = {}
        for term_name, raw in imp.then.items():
            where: Path_ = ("implications", i, "then", term_name)
            try:
                term = lookup_term(catalogue, term_name)
                then[term_name] = type_value(term, raw)
                then_origins[term_name] = doc.key_at(where)
            except ValueError as err:
                problems.append(doc.problem(where, str(err), key=True))
        built.append(Implication(
            id=imp.id, title=imp.title, when=when, then=then, rationale=imp.rationale,
            sources=_sources(imp.sources), valid_from=imp.valid_from,
            valid_until=imp.valid_until, superseded_by=imp.superseded_by,
            origin=doc.at(("implications", i)), then_origins=then_origins,
        ))
    if problems:
        raise InputError(problems)
    return built


def _check_cross_references(book: RuleBook) -> None:
    problems: list[Problem] = []
    seen: dict[str, Origin | None] = {}
    everything: list[tuple[str, Origin | None, str | None]] = [
        (r.id, r.origin, r.superseded_by) for r in book.rules
    ] + [(i.id, i.origin, i.superseded_by) for i in book.implications]
    for item_id, origin, _ in everything:
        if item_id in seen:
            first = seen[item_id]
            problems.append(Problem.at(origin, f"duplicate rule id '{item_id}' (first at {first})"))
        else:
            seen[item_id] = origin
    for item_id, origin, successor in everything:
        if successor is not None and successor not in seen:
            problems.append(Problem.at(origin, (
                f"'{item_id}' is superseded_by '{successor}', which no rule defines"
                f"{suggest(successor, seen.keys())}")))
    ruleset_ids: dict[str, Origin | None] = {}
    for ruleset in book.rulesets:
        if ruleset.id in ruleset_ids:
            problems.append(Problem.at(ruleset.origin, (
                f"duplicate ruleset id '{ruleset.id}' (first at {ruleset_ids[ruleset.id]})")))
        ruleset_ids.setdefault(ruleset.id, ruleset.origin)
    if problems:
        raise InputError(problems)


# --- proposals ----------------------------------------------------------------------------------


def load_proposal(path: str | Path, catalogue: Catalogue | RuleBook | None = None) -> Proposal:
    """Load a proposal (or a variant and its `base:` chain), typed against the catalogue.

    Without a catalogue, the bundled rules' catalogue is used.
    """
    if catalogue is None:
        catalogue = load_rules().catalogue
    elif isinstance(catalogue, RuleBook):
        catalogue = catalogue.catalogue
    display = os.path.normpath(str(path))
    root = _repository_root(Path(path).resolve())
    return _load_proposal(Path(path), display, catalogue, root, ())


def _repository_root(file: Path) -> Path:
    """The nearest enclosing directory with a .git; for the bundled examples, their folder;
    outside any repository, the file's own folder."""
    for folder in file.parents:
        if (folder / ".git").exists():
            return folder
    bundled = bundled_dir("proposals").resolve()
    if file.is_relative_to(bundled):
        return bundled
    return file.parent


def _load_proposal(
    path: Path, display: str, catalogue: Catalogue, root: Path, chain: tuple[Path, ...]
) -> Proposal:
    doc, spec = _read(path, display, ProposalFile)
    meta = spec.proposal
    own_sources = _sources(meta.sources)
    if spec.base is None:
        assert spec.clauses is not None  # the spec's validator guarantees one or the other
        if len(spec.clauses) > MAX_CLAUSES:
            raise InputError([doc.problem(("clauses",), f"more than {MAX_CLAUSES:,} clauses")])
        problems: list[Problem] = []
        clauses = [
            _build_clause(doc, ("clauses", i), c, catalogue, own_sources, problems)
            for i, c in enumerate(spec.clauses)
        ]
        _check_unique_ids(doc, clauses, problems)
        if problems:
            raise InputError(problems)
        return Proposal(
            id=meta.id, title=meta.title, date=meta.date, status=meta.status, note=meta.note,
            sources=own_sources, clauses=tuple(clauses), path=display, lineage=(display,),
            origin=doc.key_at(("proposal",)),
        )
    base = _load_base(doc, spec.base, path, display, catalogue, root, chain)
    return _apply_variant(doc, spec, base, catalogue, own_sources)


def _load_base(
    doc: Document, base_ref: str, path: Path, display: str, catalogue: Catalogue, root: Path,
    chain: tuple[Path, ...],
) -> Proposal:
    here = path.resolve()
    chain = (*chain, here)
    base_path = (path.parent / base_ref)
    base_real = base_path.resolve()
    where: Path_ = ("base",)
    if base_real in chain:
        cycle = " -> ".join(p.name for p in (*chain, base_real))
        raise InputError([doc.problem(where, f"variants form a cycle: {cycle}")])
    if len(chain) > MAX_BASE_DEPTH:
        raise InputError([doc.problem(where, f"more than {MAX_BASE_DEPTH} levels of base:")])
    if not base_real.is_relative_to(root):
        raise InputError([doc.problem(where, (
            f"base '{base_ref}' lies outside the repository ({root}); "
            "a variant may only build on files inside it"))])
    if not base_real.is_file():
        raise InputError([doc.problem(where, f"base '{base_ref}' not found")])
    base_display = os.path.normpath(os.path.join(os.path.dirname(display), base_ref))
    return _load_proposal(base_path, base_display, catalogue, root, chain)


def _apply_variant(
    doc: Document, spec: ProposalFile, base: Proposal, catalogue: Catalogue,
    own_sources: tuple[Source, ...],
) -> Proposal:
    meta = spec.proposal
    problems: list[Problem] = []
    citable = own_sources + tuple(s for s in base.sources if s.id not in
                                  {o.id for o in own_sources if o.id})
    base_ids = [c.id for c in base.clauses]
    by_id = {c.id: c for c in base.clauses}
    for clause_id in spec.replace or {}:
        if clause_id not in by_id:
            problems.append(doc.problem(("replace", clause_id), (
                f"replace: the base has no clause '{clause_id}'{suggest(clause_id, base_ids)}"),
                key=True))
    replaced: dict[str, Clause] = {}
    for clause_id, clause_spec in (spec.replace or {}).items():
        where: Path_ = ("replace", clause_id)
        if clause_spec.id != clause_id:
            problems.append(doc.problem((*where, "id"), (
                f"replace '{clause_id}': the new clause's id is '{clause_spec.id}'; "
                "they must match (drop and add to renumber)")))
        replaced[clause_id] = _build_clause(doc, where, clause_spec, catalogue, citable, problems)
    dropped = set()
    for i, clause_id in enumerate(spec.drop or []):
        if clause_id not in by_id:
            problems.append(doc.problem(("drop", i), (
                f"drop: the base has no clause '{clause_id}'{suggest(clause_id, base_ids)}")))
        elif clause_id in replaced:
            problems.append(doc.problem(("drop", i), f"clause '{clause_id}' is both replaced and dropped"))
        dropped.add(clause_id)
    clauses = [replaced.get(c.id, c) for c in base.clauses if c.id not in dropped]
    for i, clause_spec in enumerate(spec.add or []):
        clauses.append(_build_clause(doc, ("add", i), clause_spec, catalogue, citable, problems))
    _check_unique_ids(doc, clauses, problems)
    if len(clauses) > MAX_CLAUSES:
        problems.append(doc.problem(("add",), f"more than {MAX_CLAUSES:,} clauses"))
    if problems:
        raise InputError(problems)
    return Proposal(
        id=meta.id, title=meta.title, date=meta.date, status=meta.status, note=meta.note,
        sources=own_sources, clauses=tuple(clauses), path=doc.file,
        lineage=(doc.file, *base.lineage), base_id=base.id, origin=doc.key_at(("proposal",)),
    )


def _build_clause(
    doc: Document, where: Path_, spec: ClauseSpec, catalogue: Catalogue,
    citable: tuple[Source, ...], problems: list[Problem],
) -> Clause:
    settings: list[Setting] = []
    for term_name, raw in spec.terms.items():
        at: Path_ = (*where, "terms", term_name)
        try:
            term = lookup_term(catalogue, term_name)
        except ValueError as err:
            problems.append(doc.problem(at, str(err), key=True))
            continue
        try:
            value = type_value(term, raw)
        except ValueError as err:
            problems.append(doc.problem(at, str(err)))
            continue
        settings.append(Setting(term=term_name, value=value, origin=doc.key_at(at)))
    sources: list[Source] = []
    known = {s.id: s for s in citable if s.id}
    for i, cited in enumerate(spec.sources):
        if isinstance(cited, str):
            if cited in known:
                sources.append(known[cited])
            else:
                problems.append(doc.problem((*where, "sources", i), (
                    f"no proposal source has id '{cited}'{suggest(cited, known.keys())}")))
        else:
            sources.append(cited.to_source())
    return Clause(id=spec.id, title=spec.title, text=spec.text, settings=tuple(settings),
                  sources=tuple(sources), note=spec.note, origin=doc.at(where))


def _check_unique_ids(doc: Document, clauses: list[Clause], problems: list[Problem]) -> None:
    seen: dict[str, Clause] = {}
    for clause in clauses:
        if clause.id in seen:
            problems.append(Problem.at(clause.origin, (
                f"duplicate clause id '{clause.id}' (first at {seen[clause.id].origin})"),
                file=doc.file))
        seen.setdefault(clause.id, clause)
