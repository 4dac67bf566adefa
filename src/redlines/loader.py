"""Load term catalogues, rule directories and proposals into checked domain objects.

Each file goes YAML -> `Document` (data + positions) -> spec model (shape) -> domain model
(types against the catalogue, cross-references, positions). Every problem found on the way is
collected with its file:line:col and raised together as one `InputError`.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from pydantic import ValidationError

from .conditions import ConditionError, lookup_term, parse_condition, shown, type_value
from .gcpause import collector_paused
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
    spec_named,
    suggest,
)
from .yamlfile import Document, Path_, clip, one_line, read_yaml

MAX_TERMS = 2_000
MAX_ENUM_VALUES = 200
# Rules and implications in one rules directory, all files together: the durable engine needs
# about 100 MB and 0.4 s per check for 1,000 rules, and a pull request could add files.
MAX_RULES = 1_000
MAX_CLAUSES = 1_000
MAX_BASE_DEPTH = 16
# Problems listed per file. A hostile file can hold 100,000 misspelt terms, and a "did you mean"
# for each would take minutes; past this many, the checks stop and say so.
MAX_PROBLEMS = 100

TERM_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
SpecT = TypeVar("SpecT", bound=Spec)
Params = ParamSpec("Params")
Result = TypeVar("Result")


def _one_line_problems(load: Callable[Params, Result]) -> Callable[Params, Result]:
    """Every problem a loader raises fits on one line, whatever text the file held.

    A key or value can hold a newline (a block scalar, an escape); printed raw it would break
    the file:line:col format, or fake a line of its own in a CI log.

    The cyclic garbage collector is paused while a file loads (gcpause.py: at 10,000 rules a load
    took 4.6 s with it, 2.1 s without).
    """

    @functools.wraps(load)
    def loader(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        try:
            with collector_paused():
                return load(*args, **kwargs)
        except InputError as err:
            raise InputError(
                [
                    problem.model_copy(
                        update={
                            "file": one_line(problem.file),
                            "message": one_line(problem.message),
                        }
                    )
                    for problem in err.problems
                ]
            ) from None

    return loader


# --- where the bundled content lives ------------------------------------------------------------


def bundled_dir(name: str) -> Path:
    """The bundled `rules` or `proposals` folder: inside the wheel, else the source checkout."""
    packaged = Path(str(resources.files("redlines"))) / "_bundled" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


# --- spec validation with positions -------------------------------------------------------------


def _enough(problems: list[Problem]) -> bool:
    return len(problems) > MAX_PROBLEMS


def _capped(problems: list[Problem]) -> list[Problem]:
    """The first MAX_PROBLEMS problems of each file, then a line saying the list stops there."""
    by_file: dict[str, list[Problem]] = {}
    for problem in sorted(problems, key=lambda p: (p.file, p.line, p.col, p.message)):
        by_file.setdefault(problem.file, []).append(problem)
    kept: list[Problem] = []
    for found in by_file.values():
        kept.extend(found[:MAX_PROBLEMS])
        if len(found) > MAX_PROBLEMS:
            kept.append(
                found[MAX_PROBLEMS].model_copy(
                    update={
                        "message": (
                            f"more problems from here on: redlines lists the first {MAX_PROBLEMS} "
                            "of a file; "
                            "fix those and run it again"
                        )
                    }
                )
            )
    return kept


def validate_spec(doc: Document, spec: type[SpecT]) -> SpecT:
    """Validate a document's data against a spec model; problems point at the offending line."""
    if not isinstance(doc.data, dict):
        raise InputError(
            [
                doc.problem(
                    (),
                    (
                        f"{spec.noun} must be a mapping with {spec.layout} at the top, "
                        f"but this file holds {shown(doc.data)}"
                    ),
                )
            ]
        )
    try:
        return spec.model_validate(doc.data)
    except ValidationError as err:
        raise InputError(_capped(_problems_from(doc, err))) from None


# pydantic error types that only say "wrong shape"; in a union (a source given as an id or as a
# mapping) each branch reports one, and the real complaint, if any, is elsewhere.
_SHAPE_ERRORS = frozenset({"string_type", "model_type", "dict_type", "model_attributes_type"})
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "bool_type": "true or false",
}
# Our own validators' errors: their message stands alone.
_OWN_ERRORS = frozenset({"weight", "dates", "shape", "source"})


def _problems_from(doc: Document, err: ValidationError) -> list[Problem]:
    problems: dict[tuple[Path_, str], Problem] = {}
    located = [
        (error, *_data_path(doc.data, error["loc"])) for error in err.errors(include_url=False)
    ]
    # Every prefix of a path with a real complaint: a union branch's shape error there is noise.
    explained: set[Path_] = set()
    for error, path, branch in located:
        if not (branch and error["type"] in _SHAPE_ERRORS):
            explained.update(path[:end] for end in range(len(path) + 1))
    union_shapes: dict[Path_, Any] = {}
    for error, path, branch in located:
        if branch and error["type"] in _SHAPE_ERRORS:
            if path not in explained:
                union_shapes.setdefault(path, error["input"])
            continue
        for problem in _translate(doc, error, path):
            problems.setdefault((path, problem.message), problem)
    for path, raw in union_shapes.items():
        field = _field_of(path)
        problem = doc.problem(
            path,
            (
                f"'{field}': expected a source id (text) or a source mapping, got {shown(raw)}"
                if field == "sources"
                else f"'{field}': unexpected {shown(raw)}"
            ),
        )
        problems.setdefault((path, problem.message), problem)
    return list(problems.values())


def _listed(words: list[str]) -> str:
    quoted = [f"'{word}'" for word in words]
    return " and ".join(filter(None, [", ".join(quoted[:-1]), *quoted[-1:]]))


def _field_of(path: Path_) -> str:
    return next((str(step) for step in reversed(path) if isinstance(step, str)), "")


def _translate(doc: Document, error: Any, path: Path_) -> list[Problem]:
    """One pydantic error in the words of the file's author, at the place to fix."""
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    raw = error.get("input")
    field = _field_of(path)
    if kind == "unknown_key":
        allowed = ", ".join(ctx.get("allowed", []))
        return [
            doc.problem(
                (*path, key),
                (
                    f"unknown key '{clip(key)}'{hint}"
                    if hint
                    else f"unknown key '{clip(key)}'; allowed here: {allowed}"
                ),
                key=True,
            )
            for key, hint in zip(ctx["keys"], ctx["hints"], strict=True)
        ]
    if kind == "missing":
        return [doc.problem(path, f"missing required key '{error['loc'][-1]}'")]
    if kind in _OWN_ERRORS:
        key = ctx.get("key")
        if key is not None and isinstance(doc.data, dict):
            return [doc.problem((*path, key), error["msg"], key=True)]
        return [doc.problem(path, error["msg"])]
    if kind == "model_type":
        spec = spec_named(str(ctx.get("class_name", "")))
        if spec is not None:
            keys = _listed(spec.required_keys()) or "its keys"
            return [
                doc.problem(path, f"{spec.noun} must be a mapping with {keys}, got {shown(raw)}")
            ]
    prefix = f"'{field}'" if field else "this value"
    if kind in _EXPECTED:
        message = f"{prefix}: expected {_EXPECTED[kind]}, got {shown(raw)}"
        if kind == "string_type" and isinstance(raw, int | float | dt.date):
            message += "; put it in quotes to make it text"
        elif kind.startswith("int") and isinstance(raw, str) and raw.strip().isdigit():
            message += "; remove the quotes"
        elif kind == "list_type" and isinstance(raw, str | int):
            message += f"; write [{clip(str(raw))}]"
        return [doc.problem(path, message)]
    if kind in ("enum", "literal_error"):
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = suggest(raw, choices) if isinstance(raw, str) else ""
        return [
            doc.problem(
                path, (f"{prefix} must be one of {', '.join(choices)}; got {shown(raw)}{hint}")
            )
        ]
    if kind == "greater_than_equal":
        return [doc.problem(path, f"{prefix} must be at least {ctx.get('ge')}, got {shown(raw)}")]
    if kind == "too_short":
        what = "must set at least one term" if field == "then" else "must not be empty"
        return [doc.problem(path, f"{prefix} {what}")]
    if kind == "date_only":
        got = f", got {shown(raw)}" if error["msg"].startswith("expected") else ""
        return [doc.problem(path, f"{prefix}: {error['msg']}{got}")]
    return [doc.problem(path, f"{prefix}: {error['msg']}")]


def _data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[Path_, bool]:
    """The part of a pydantic error location that names real keys and indexes in the data."""
    path: list[str | int] = []
    skipped = False
    for step in loc:
        in_dict = isinstance(data, dict) and step in data
        in_list = isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data)
        if in_dict or in_list:
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


@_one_line_problems
def load_terms(path: str | Path, display: str | None = None) -> Catalogue:
    """Load a term catalogue (`terms.yaml`)."""
    name = display or str(path)
    doc, spec = _read(path, name, TermsFile)
    problems: list[Problem] = []
    if len(spec.terms) > MAX_TERMS:
        raise InputError(
            [doc.problem(("terms",), (f"more than {MAX_TERMS:,} terms, the limit"), key=True)]
        )
    if not spec.terms:
        raise InputError(
            [
                doc.problem(
                    ("terms",),
                    (
                        "the catalogue defines no terms; every rule and clause needs its terms "
                        "defined "
                        "here"
                    ),
                    key=True,
                )
            ]
        )
    terms: dict[str, Term] = {}
    for term_name, term_spec in spec.terms.items():
        if _enough(problems):
            break
        where: Path_ = ("terms", term_name)
        if not TERM_NAME.match(term_name):
            problems.append(
                doc.problem(
                    where,
                    (
                        f"term name '{clip(term_name)}' must be area.subject in lower snake case, "
                        "e.g. territory.crimea"
                    ),
                    key=True,
                )
            )
            continue
        message = _term_shape_problem(
            term_spec.type, term_spec.values, term_spec.min, term_spec.max, term_spec.unit
        )
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
        raise InputError(_capped(problems))
    return Catalogue(terms=dict(sorted(terms.items())), origin=doc.at(()))


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _term_shape_problem(
    kind: TermType, values: list[str] | None, low: int | None, high: int | None, unit: str | None
) -> str | None:
    if kind is TermType.ENUM:
        if not values:
            return "an enum term needs a non-empty 'values' list"
        if len(values) > MAX_ENUM_VALUES:
            return f"{len(values):,} values, over the limit of {MAX_ENUM_VALUES} for one enum term"
        seen: set[str] = set()
        for value in values:
            if value in seen:
                return f"'values' lists '{clip(value)}' twice"
            seen.add(value)
    elif values is not None:
        return f"'values' belongs to enum terms, not to {_a(kind.value)} term"
    if kind is not TermType.INTEGER and (low is not None or high is not None or unit is not None):
        return f"'min', 'max' and 'unit' belong to integer terms, not to {_a(kind.value)} term"
    if low is not None and high is not None and high < low:
        return f"'max' {high} is below 'min' {low}"
    return None


# --- rule directories ---------------------------------------------------------------------------


@_one_line_problems
def load_rules(directory: str | Path | None = None) -> RuleBook:
    """Load `DIR/terms.yaml` and every other `*.yaml` under DIR; default: the bundled rules."""
    if directory is None:
        root, label = bundled_dir("rules"), "rules"
    else:
        root, label = Path(directory), os.path.normpath(str(directory))
    _check_name(label)
    if not root.is_dir():
        message = (
            "is a file; --rules names a directory" if root.exists() else ("no such rules directory")
        )
        raise InputError([Problem(file=label, line=1, col=1, message=message)])
    terms_path = root / "terms.yaml"
    if not terms_path.is_file():
        raise InputError(
            [
                Problem(
                    file=label,
                    line=1,
                    col=1,
                    message=(
                        "a rules directory needs a terms.yaml (the term catalogue); none is here"
                    ),
                )
            ]
        )
    # Inside a repository, rule files may be symbolic links within it, never out of it.
    fence = _enclosing_repository(Path(os.path.abspath(terms_path)))
    _check_inside(terms_path, os.path.join(label, "terms.yaml"), fence)
    catalogue = load_terms(terms_path, os.path.join(label, "terms.yaml"))
    files = sorted(
        p
        for p in root.rglob("*")
        if p.suffix in (".yaml", ".yml") and p != terms_path and p.is_file()
    )
    rulesets: list[RuleSet] = []
    implications: list[Implication] = []
    problems: list[Problem] = []
    for path in files:
        display = os.path.join(label, path.relative_to(root).as_posix())
        try:
            _check_name(display)
            _check_inside(path, display, fence)
            doc = read_yaml(path, display)
            kind = _kind_of(doc)
            if kind == "rules":
                rulesets.append(_build_ruleset(doc, validate_spec(doc, RulesFile), catalogue))
            elif kind == "implications":
                implications.extend(
                    _build_implications(doc, validate_spec(doc, ImplicationsFile), catalogue)
                )
            else:
                raise InputError(
                    [
                        doc.problem(
                            (kind,),
                            (
                                f"only {label}/terms.yaml may hold the term catalogue; move these "
                                "terms "
                                "there"
                            ),
                            key=True,
                        )
                    ]
                )
        except InputError as err:
            problems.extend(err.problems)
        count = sum(len(rs.rules) for rs in rulesets) + len(implications)
        if count > MAX_RULES:
            problems.append(
                Problem(
                    file=display,
                    line=1,
                    col=1,
                    message=(
                        f"with this file the rules directory holds {count:,} rules and "
                        "implications, "
                        f"over the limit of {MAX_RULES:,}"
                    ),
                )
            )
            break
    if problems:
        raise InputError(_capped(problems))
    book = RuleBook(
        catalogue=catalogue, rulesets=tuple(rulesets), implications=tuple(implications), root=label
    )
    _check_cross_references(book)
    return book


def _kind_of(doc: Document) -> str:
    if not isinstance(doc.data, dict) or not doc.data:
        raise InputError(
            [
                doc.problem(
                    (),
                    (
                        "a rules file must be a mapping with 'ruleset' and 'rules', or "
                        "'implications', at "
                        f"the top, but this file holds {shown(doc.data)}"
                    ),
                )
            ]
        )
    keys = set(doc.data)
    if "terms" in keys:
        return "terms"
    if "implications" in keys:
        return "implications"
    if "ruleset" in keys or "rules" in keys:
        return "rules"
    first = str(next(iter(doc.data)))
    known = ("ruleset", "rules", "implications", "terms")
    raise InputError(
        [
            doc.problem(
                (first,),
                (
                    f"unknown top-level key '{clip(first)}'{suggest(first, known)}: a rules file "
                    "holds "
                    "'ruleset' and 'rules', or 'implications'"
                ),
                key=True,
            )
        ]
    )


def _build_ruleset(doc: Document, spec: RulesFile, catalogue: Catalogue) -> RuleSet:
    if len(spec.rules) > MAX_RULES:
        raise InputError(
            [
                doc.problem(
                    ("rules",),
                    (
                        f"{len(spec.rules):,} rules, over the limit of {MAX_RULES:,} for a rules "
                        "directory"
                    ),
                    key=True,
                )
            ]
        )
    meta = spec.ruleset
    rules: list[Rule] = []
    problems: list[Problem] = []
    for i, rule_spec in enumerate(spec.rules):
        if _enough(problems):
            break
        try:
            condition = parse_condition(doc, ("rules", i, "requires"), catalogue)
        except ConditionError as err:
            problems.append(err.problem)
            continue
        rules.append(
            Rule(
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
            )
        )
    if problems:
        raise InputError(_capped(problems))
    return RuleSet(
        id=meta.id,
        actor=meta.actor,
        title=meta.title,
        version=meta.version,
        description=meta.description,
        sources=_sources(meta.sources),
        rules=tuple(rules),
        origin=doc.at(("ruleset",)),
    )


def _build_implications(
    doc: Document, spec: ImplicationsFile, catalogue: Catalogue
) -> list[Implication]:
    built: list[Implication] = []
    problems: list[Problem] = []
    for i, imp in enumerate(spec.implications):
        if _enough(problems):
            break
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
        built.append(
            Implication(
                id=imp.id,
                title=imp.title,
                when=when,
                then=then,
                rationale=imp.rationale,
                sources=_sources(imp.sources),
                valid_from=imp.valid_from,
                valid_until=imp.valid_until,
                superseded_by=imp.superseded_by,
                origin=doc.at(("implications", i)),
                then_origins=then_origins,
            )
        )
    if problems:
        raise InputError(_capped(problems))
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
        if _enough(problems):
            break
        if successor is not None and successor not in seen:
            problems.append(
                Problem.at(
                    origin,
                    (
                        f"'{item_id}' is superseded_by '{successor}', which no rule defines"
                        f"{suggest(successor, seen.keys())}"
                    ),
                )
            )
    ruleset_ids: dict[str, Origin | None] = {}
    for ruleset in book.rulesets:
        if ruleset.id in ruleset_ids:
            problems.append(
                Problem.at(
                    ruleset.origin,
                    (f"duplicate ruleset id '{ruleset.id}' (first at {ruleset_ids[ruleset.id]})"),
                )
            )
        ruleset_ids.setdefault(ruleset.id, ruleset.origin)
    if problems:
        raise InputError(_capped(problems))


# --- proposals ----------------------------------------------------------------------------------


@_one_line_problems
def load_proposal(path: str | Path, catalogue: Catalogue | RuleBook | None = None) -> Proposal:
    """Load a proposal (or a variant and its `base:` chain), typed against the catalogue.

    Without a catalogue, the bundled rules' catalogue is used.
    """
    if catalogue is None:
        catalogue = load_rules().catalogue
    elif isinstance(catalogue, RuleBook):
        catalogue = catalogue.catalogue
    display = os.path.normpath(str(path))
    _check_name(display)
    real = _real(Path(path))
    if real is None:
        raise InputError(
            [
                Problem(
                    file=display,
                    line=1,
                    col=1,
                    message=("cannot resolve this path (a loop of symbolic links?)"),
                )
            ]
        )
    _check_inside(Path(path), display, _enclosing_repository(Path(os.path.abspath(path))))
    root = _repository_root(real)
    return _load_proposal(Path(path), display, catalogue, root, ())


def _repository_root(file: Path) -> Path:
    """The nearest enclosing directory with a .git; for the bundled examples, their folder;
    outside any repository, the file's own folder."""
    found = _enclosing_repository(file)
    if found is not None:
        return found
    bundled = bundled_dir("proposals").resolve()
    if file.is_relative_to(bundled):
        return bundled
    return file.parent


def _enclosing_repository(file: Path) -> Path | None:
    for folder in file.parents:
        if (folder / ".git").exists():
            return folder
    return None


def _real(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links
        return None


def _check_inside(path: Path, display: str, root: Path | None) -> None:
    """A file inside a repository must not be a symbolic link out of it.

    A pull request can add `proposals/x.yaml -> /etc/passwd`; following it would quote another
    file's lines in messages that end up in a public CI log.
    """
    if root is None:
        return
    real, fence = _real(path), _real(root)
    if real is None or fence is None:
        raise InputError(
            [
                Problem(
                    file=display,
                    line=1,
                    col=1,
                    message=("cannot resolve this path (a loop of symbolic links?)"),
                )
            ]
        )
    if not real.is_relative_to(fence):
        raise InputError(
            [
                Problem(
                    file=display,
                    line=1,
                    col=1,
                    message=(
                        "is a symbolic link to a file outside the repository; redlines does not "
                        "follow it"
                    ),
                )
            ]
        )


def _check_name(display: str) -> None:
    # A file name that is not UTF-8 reaches us with surrogate escapes, which no report can print;
    # one with a newline would break every report format that puts it on a line.
    try:
        display.encode("utf-8")
    except UnicodeEncodeError:
        shown_name = display.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        raise InputError(
            [
                Problem(
                    file=shown_name,
                    line=1,
                    col=1,
                    message=("the file name is not valid UTF-8; rename the file"),
                )
            ]
        ) from None
    if one_line(display) != display:
        raise InputError(
            [
                Problem(
                    file=one_line(display),
                    line=1,
                    col=1,
                    message=("the file name contains a control character; rename the file"),
                )
            ]
        )


def _load_proposal(
    path: Path, display: str, catalogue: Catalogue, root: Path, chain: tuple[Path, ...]
) -> Proposal:
    doc, spec = _read(path, display, ProposalFile)
    meta = spec.proposal
    own_sources = _sources(meta.sources)
    if spec.base is None:
        assert spec.clauses is not None  # the spec's validator guarantees one or the other
        if len(spec.clauses) > MAX_CLAUSES:
            raise InputError(
                [
                    doc.problem(
                        ("clauses",),
                        (
                            f"{len(spec.clauses):,} clauses, over the limit of {MAX_CLAUSES:,}; "
                            "split the "
                            "proposal"
                        ),
                        key=True,
                    )
                ]
            )
        problems: list[Problem] = []
        clauses = [
            _build_clause(doc, ("clauses", i), c, catalogue, own_sources, problems)
            for i, c in enumerate(spec.clauses)
        ]
        _check_unique_ids(doc, clauses, problems)
        if problems:
            raise InputError(_capped(problems))
        return Proposal(
            id=meta.id,
            title=meta.title,
            date=meta.date,
            status=meta.status,
            note=meta.note,
            sources=own_sources,
            clauses=tuple(clauses),
            path=display,
            lineage=(display,),
            origin=doc.key_at(("proposal",)),
        )
    base = _load_base(doc, spec.base, path, display, catalogue, root, chain)
    return _apply_variant(doc, spec, base, catalogue, own_sources)


def _load_base(
    doc: Document,
    base_ref: str,
    path: Path,
    display: str,
    catalogue: Catalogue,
    root: Path,
    chain: tuple[Path, ...],
) -> Proposal:
    where: Path_ = ("base",)
    shown_ref = clip(base_ref)
    if not base_ref.strip():
        raise InputError([doc.problem(where, "'base' is empty; name the proposal file to vary")])
    here = _real(path)
    base_path = path.parent / base_ref
    base_real = _real(base_path)
    if here is None or base_real is None:
        raise InputError(
            [
                doc.problem(
                    where,
                    (
                        f"cannot resolve base '{shown_ref}' (a loop of symbolic links, or too "
                        "long a name)"
                    ),
                )
            ]
        )
    chain = (*chain, here)
    if base_real in chain:
        cycle = " -> ".join(p.name for p in (*chain, base_real))
        raise InputError(
            [
                doc.problem(
                    where,
                    (f"variants form a cycle: {cycle}; a variant's base must not lead back to it"),
                )
            ]
        )
    if len(chain) > MAX_BASE_DEPTH:
        raise InputError(
            [
                doc.problem(
                    where,
                    (
                        f"more than {MAX_BASE_DEPTH} levels of base:, the limit; base this "
                        "variant on an "
                        "earlier proposal in the chain"
                    ),
                )
            ]
        )
    if not base_real.is_relative_to(root):
        raise InputError(
            [
                doc.problem(
                    where,
                    (
                        f"base '{shown_ref}' lies outside the repository; a variant may only "
                        "build on files "
                        f"inside it (the repository here is '{_shown_dir(root)}')"
                    ),
                )
            ]
        )
    if base_real.is_dir():
        raise InputError(
            [doc.problem(where, (f"base '{shown_ref}' is a directory; name a proposal file"))]
        )
    if not base_real.is_file():
        raise InputError(
            [
                doc.problem(
                    where,
                    (f"base '{shown_ref}' not found (paths are relative to this file's folder)"),
                )
            ]
        )
    base_display = os.path.normpath(os.path.join(os.path.dirname(display), base_ref))
    return _load_proposal(base_path, base_display, catalogue, root, chain)


def _which_clause(clause_id: str, base_ids: list[str]) -> str:
    near = suggest(clause_id, base_ids)
    if near or len(base_ids) > 40:
        return near
    return f"; its clauses are {', '.join(base_ids)}" if base_ids else "; it has no clauses"


def _shown_dir(folder: Path) -> str:
    """A folder for a message: relative to the working directory when inside it."""
    try:
        relative = folder.relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return str(folder)
    return relative.as_posix() if relative.parts else "."


def _apply_variant(
    doc: Document,
    spec: ProposalFile,
    base: Proposal,
    catalogue: Catalogue,
    own_sources: tuple[Source, ...],
) -> Proposal:
    meta = spec.proposal
    problems: list[Problem] = []
    citable = own_sources + tuple(
        s for s in base.sources if s.id not in {o.id for o in own_sources if o.id}
    )
    base_ids = [c.id for c in base.clauses]
    by_id = {c.id: c for c in base.clauses}
    for clause_id in spec.replace or {}:
        if _enough(problems):
            break
        if clause_id not in by_id:
            problems.append(
                doc.problem(
                    ("replace", clause_id),
                    (
                        f"replace: the base has no clause '{clip(clause_id)}'"
                        f"{_which_clause(clause_id, base_ids)}"
                    ),
                    key=True,
                )
            )
    replaced: dict[str, Clause] = {}
    for clause_id, clause_spec in (spec.replace or {}).items():
        where: Path_ = ("replace", clause_id)
        if clause_spec.id != clause_id:
            problems.append(
                doc.problem(
                    (*where, "id"),
                    (
                        f"replace '{clause_id}': the new clause's id is '{clause_spec.id}'; "
                        "they must match (drop and add to renumber)"
                    ),
                )
            )
        replaced[clause_id] = _build_clause(doc, where, clause_spec, catalogue, citable, problems)
    dropped = set()
    for i, clause_id in enumerate(spec.drop or []):
        if _enough(problems):
            break
        if clause_id not in by_id:
            problems.append(
                doc.problem(
                    ("drop", i),
                    (
                        f"drop: the base has no clause '{clip(clause_id)}'"
                        f"{_which_clause(clause_id, base_ids)}"
                    ),
                )
            )
        elif clause_id in replaced:
            problems.append(
                doc.problem(
                    ("drop", i),
                    (f"clause '{clause_id}' is both replaced and dropped; keep one of the two"),
                )
            )
        dropped.add(clause_id)
    clauses = [replaced.get(c.id, c) for c in base.clauses if c.id not in dropped]
    for i, clause_spec in enumerate(spec.add or []):
        clauses.append(_build_clause(doc, ("add", i), clause_spec, catalogue, citable, problems))
    _check_unique_ids(doc, clauses, problems)
    if len(clauses) > MAX_CLAUSES:
        problems.append(
            doc.problem(
                ("add",),
                (f"more than {MAX_CLAUSES:,} clauses with the base's, the limit"),
                key=True,
            )
        )
    if problems:
        raise InputError(_capped(problems))
    return Proposal(
        id=meta.id,
        title=meta.title,
        date=meta.date,
        status=meta.status,
        note=meta.note,
        sources=own_sources,
        clauses=tuple(clauses),
        path=doc.file,
        lineage=(doc.file, *base.lineage),
        base_id=base.id,
        origin=doc.key_at(("proposal",)),
    )


def _build_clause(
    doc: Document,
    where: Path_,
    spec: ClauseSpec,
    catalogue: Catalogue,
    citable: tuple[Source, ...],
    problems: list[Problem],
) -> Clause:
    settings: list[Setting] = []
    for term_name, raw in spec.terms.items():
        if _enough(problems):
            break
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
        if _enough(problems):
            break
        if isinstance(cited, str):
            if cited in known:
                sources.append(known[cited])
            else:
                ids = sorted(known)
                hint = suggest(cited, ids) or (
                    f"; the proposal's sources have ids {', '.join(ids)}"
                    if 0 < len(ids) <= 20
                    else "; give the source an 'id' under proposal: sources:"
                )
                problems.append(
                    doc.problem(
                        (*where, "sources", i), (f"no proposal source has id '{clip(cited)}'{hint}")
                    )
                )
        else:
            sources.append(cited.to_source())
    return Clause(
        id=spec.id,
        title=spec.title,
        text=spec.text,
        settings=tuple(settings),
        sources=tuple(sources),
        note=spec.note,
        origin=doc.at(where),
    )


def _check_unique_ids(doc: Document, clauses: list[Clause], problems: list[Problem]) -> None:
    seen: dict[str, Clause] = {}
    for clause in clauses:
        if clause.id in seen:
            problems.append(
                Problem.at(
                    clause.origin,
                    (f"duplicate clause id '{clause.id}' (first at {seen[clause.id].origin})"),
                    file=doc.file,
                )
            )
        seen.setdefault(clause.id, clause)
