"""Proposals: drafts (a list of clauses) and variants (`base:` plus `replace:`, `drop:`, `add:`).

A proposal's clauses set terms, typed against the catalogue; a variant is built on its base,
which is loaded first (a chain at most MAX_BASE_DEPTH long, never a cycle, never leaving the
repository). Folders given for proposals stand for the YAML files in them.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from ..models import (
    Catalogue,
    Clause,
    ClauseOption,
    InputError,
    InputWarning,
    Origin,
    Problem,
    Proposal,
    RuleBook,
    Setting,
    Source,
    fail,
)
from ..specs import ClauseSpec, OptionSpec, ProposalFile, SourceSpec, suggest
from ..yamlfile import Document, Path_, clip, one_line
from .fence import (
    BUNDLED_PREFIX,
    bundled_dir,
    bundled_proposals,
    check_inside,
    check_name,
    fence_of,
    repository_root,
    resolved,
    shown_dir,
    yaml_files,
)
from .rules import load_rules
from .validate import capped, enough, one_line_problems, read_spec, same_ids, to_sources
from .values import typed_settings

MAX_CLAUSES = 1_000
# A bracketed clause's alternatives: more than this is a list of wishes, not a negotiating text.
MAX_OPTIONS = 64
MAX_BASE_DEPTH = 16
# How many of a folder's files a message names when one proposal was expected.
_NAMED = 5


@one_line_problems
def expand_proposal_paths(paths: Sequence[str | Path]) -> list[str]:
    """Files as given; a folder stands for every `*.yaml` and `*.yml` file under it.

    A folder without any is an error: a CI run that checked nothing would pass.
    """
    found: list[str] = []
    empty: list[str] = []
    for given in map(str, paths):
        folder = Path(given)
        if not os.path.isdir(folder):
            found.append(given)
            continue
        files = [os.path.join(given, p.relative_to(folder).as_posix()) for p in yaml_files(folder)]
        found.extend(files)
        if not files:
            empty.append(os.path.normpath(given))
    if empty:
        raise InputError(
            [
                Problem(
                    file=folder,
                    line=1,
                    col=1,
                    message="no proposal files (*.yaml or *.yml) in this directory",
                )
                for folder in empty
            ]
        )
    return sorted(dict.fromkeys(found))


@one_line_problems
def load_proposals(
    paths: Sequence[str | Path], catalogue: Catalogue | RuleBook | None = None
) -> list[Proposal]:
    """Load every proposal the paths name (folders expanded), reporting the problems of all."""
    proposals: list[Proposal] = []
    problems: list[Problem] = []
    for path in expand_proposal_paths(paths):
        try:
            proposals.append(load_proposal(path, catalogue))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    return proposals


@one_line_problems
def load_proposal(path: str | Path, catalogue: Catalogue | RuleBook | None = None) -> Proposal:
    """Load a proposal (or a variant and its `base:` chain), typed against the catalogue.

    A folder holding exactly one proposal file stands for that file; `bundled:ID` for the
    bundled draft of that id. Without a catalogue, the bundled rules' catalogue is used.
    """
    if catalogue is None:
        catalogue = load_rules().catalogue
    elif isinstance(catalogue, RuleBook):
        catalogue = catalogue.catalogue
    if str(path).startswith(BUNDLED_PREFIX):
        path = shown_path(_bundled_base(str(path).removeprefix(BUNDLED_PREFIX), str(path)))
    if os.path.isdir(path):
        path = _the_one_file(str(path))
    display = os.path.normpath(str(path))
    check_name(display)
    real = resolved(Path(path))
    if real is None:
        fail(display, "cannot resolve this path (a loop of symbolic links?)")
    check_inside(Path(path), display, fence_of(Path(path)))
    return _load(Path(path), display, catalogue, repository_root(real), ())


def _the_one_file(folder: str) -> str:
    files = expand_proposal_paths([folder])
    if len(files) > 1:
        names = [os.path.relpath(f, folder) for f in files]
        listed = ", ".join(names[:_NAMED]) + (", …" if len(names) > _NAMED else "")
        fail(
            os.path.normpath(folder),
            f"this directory holds {len(files)} proposal files where one proposal is expected; "
            f"name one of them ({listed})",
        )
    return files[0]


def _load(
    path: Path, display: str, catalogue: Catalogue, root: Path, chain: tuple[Path, ...]
) -> Proposal:
    doc, spec = read_spec(path, display, ProposalFile)
    meta = spec.proposal
    own_sources = to_sources(meta.sources)
    if spec.base is not None:
        base = _load_base(doc, spec.base, path, display, catalogue, root, chain)
        return _apply_variant(doc, spec, base, catalogue, own_sources)
    assert spec.clauses is not None  # the spec's validator guarantees one or the other
    if len(spec.clauses) > MAX_CLAUSES:
        fail(
            doc.key_at(("clauses",)),
            f"{len(spec.clauses):,} clauses, over the limit of {MAX_CLAUSES:,}; split the proposal",
        )
    problems: list[Problem] = []
    warnings: list[InputWarning] = []
    clauses = [
        _clause(doc, ("clauses", i), c, catalogue, own_sources, problems, warnings)
        for i, c in enumerate(spec.clauses)
    ]
    _check_unique_ids(doc, clauses, problems)
    _check_options(clauses, problems)
    if problems:
        raise InputError(capped(problems))
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
        warnings=tuple(warnings),
    )


def _load_base(
    doc: Document,
    base_ref: str,
    path: Path,
    display: str,
    catalogue: Catalogue,
    root: Path,
    chain: tuple[Path, ...],
) -> Proposal:
    at = doc.at(("base",))
    shown_ref = clip(base_ref)
    if not base_ref.strip():
        fail(at, "'base' is empty; name the proposal file to vary")
    if one_line(base_ref) != base_ref:
        fail(at, f"base '{shown_ref}' holds a line break or control character; name a file")
    here = resolved(path)
    if base_ref.startswith(BUNDLED_PREFIX):
        base_path = _bundled_base(base_ref.removeprefix(BUNDLED_PREFIX), at)
        root = bundled_dir("proposals").resolve()
    else:
        base_path = path.parent / base_ref
    base_real = resolved(base_path)
    if here is None or base_real is None:
        fail(
            at,
            f"cannot resolve base '{shown_ref}' (a loop of symbolic links, or too long a name)",
        )
    chain = (*chain, here)
    if base_real in chain:
        cycle = " -> ".join(p.name for p in (*chain, base_real))
        fail(at, f"variants form a cycle: {cycle}; a variant's base must not lead back to it")
    if len(chain) > MAX_BASE_DEPTH:
        fail(
            at,
            f"more than {MAX_BASE_DEPTH} levels of base:, the limit; "
            "base this variant on an earlier proposal in the chain",
        )
    if not base_real.is_relative_to(root):
        fail(
            at,
            f"base '{shown_ref}' lies outside the repository; "
            "a variant may only build on files inside it "
            f"(the repository here is '{shown_dir(root)}')",
        )
    try:
        info = base_real.stat()
    except OSError as err:  # missing, or a name the file system refuses (too long, say)
        if err.errno in (errno.ENOENT, errno.ENOTDIR):
            fail(at, f"base '{shown_ref}' not found (paths are relative to this file's folder)")
        fail(at, f"cannot open base '{shown_ref}': {err.strerror or err}")
    if stat.S_ISDIR(info.st_mode):
        fail(at, f"base '{shown_ref}' is a directory; name a proposal file")
    if base_ref.startswith(BUNDLED_PREFIX):
        base_display = shown_path(base_real)
    else:
        base_display = os.path.normpath(os.path.join(os.path.dirname(display), base_ref))
    return _load(base_path, base_display, catalogue, root, chain)


def _bundled_base(draft_id: str, at: Origin | str) -> Path:
    drafts = bundled_proposals()
    if draft_id not in drafts:
        hint = suggest(draft_id, drafts) or f"; bundled drafts: {', '.join(sorted(drafts))}"
        fail(at, f"no bundled draft '{clip(draft_id)}'{hint}")
    return drafts[draft_id]


def shown_path(path: Path) -> str:
    """A file for messages and reports: relative to the working directory when inside it."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def _which_clause(clause_id: str, base_ids: list[str]) -> str:
    near = suggest(clause_id, base_ids)
    if near or len(base_ids) > 40:
        return near
    return f"; its clauses are {', '.join(base_ids)}" if base_ids else "; it has no clauses"


def _apply_variant(
    doc: Document,
    spec: ProposalFile,
    base: Proposal,
    catalogue: Catalogue,
    own_sources: tuple[Source, ...],
) -> Proposal:
    meta = spec.proposal
    problems: list[Problem] = []
    warnings: list[InputWarning] = []
    citable = own_sources + tuple(
        s for s in base.sources if s.id not in {o.id for o in own_sources if o.id}
    )
    base_ids = [c.id for c in base.clauses]
    by_id = {c.id: c for c in base.clauses}
    for clause_id in spec.replace or {}:
        if enough(problems):
            break
        if clause_id not in by_id:
            problems.append(
                doc.problem(
                    ("replace", clause_id),
                    f"replace: the base has no clause '{clip(clause_id)}'"
                    f"{_which_clause(clause_id, base_ids)}",
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
                    f"replace '{clause_id}': the new clause's id is '{clause_spec.id}'; "
                    "they must match (drop and add to renumber)",
                )
            )
        replaced[clause_id] = _clause(
            doc, where, clause_spec, catalogue, citable, problems, warnings
        )
    dropped = set()
    for i, clause_id in enumerate(spec.drop or []):
        if enough(problems):
            break
        if clause_id not in by_id:
            problems.append(
                doc.problem(
                    ("drop", i),
                    f"drop: the base has no clause '{clip(clause_id)}'"
                    f"{_which_clause(clause_id, base_ids)}",
                )
            )
        elif clause_id in replaced:
            problems.append(
                doc.problem(
                    ("drop", i),
                    f"clause '{clause_id}' is both replaced and dropped; keep one of the two",
                )
            )
        dropped.add(clause_id)
    clauses = [replaced.get(c.id, c) for c in base.clauses if c.id not in dropped]
    for i, clause_spec in enumerate(spec.add or []):
        clauses.append(
            _clause(doc, ("add", i), clause_spec, catalogue, citable, problems, warnings)
        )
    clauses = _add_options(doc, spec, base, clauses, catalogue, citable, problems, warnings)
    _check_unique_ids(doc, clauses, problems)
    _check_options(clauses, problems)
    if len(clauses) > MAX_CLAUSES:
        problems.append(
            doc.problem(
                ("add",), f"more than {MAX_CLAUSES:,} clauses with the base's, the limit", key=True
            )
        )
    if problems:
        raise InputError(capped(problems))
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
        warnings=(*base.warnings, *warnings),
    )


def _clause(
    doc: Document,
    where: Path_,
    spec: ClauseSpec,
    catalogue: Catalogue,
    citable: tuple[Source, ...],
    problems: list[Problem],
    warnings: list[InputWarning],
) -> Clause:
    options = tuple(
        _option(doc, (*where, "options", i), option, catalogue, citable, problems, warnings)
        for i, option in enumerate(spec.options or [])
    )
    if spec.options is not None:
        _check_option_list(doc, (*where, "options"), spec.options, problems)
    if spec.state == "agreed" and spec.options:
        problems.append(
            doc.problem(
                (*where, "state"),
                "an agreed clause offers no options; mark it 'state: bracketed' or keep one "
                "wording in its terms",
            )
        )
    return Clause(
        id=spec.id,
        title=spec.title,
        text=spec.text,
        settings=_settings(doc, where, spec.terms or {}, catalogue, problems, warnings),
        deliberately_empty=spec.terms == {},
        sources=_sources(doc, where, spec.sources, citable, problems),
        note=spec.note,
        origin=doc.at(where),
        state=spec.state or ("bracketed" if spec.options else "agreed"),
        proposed_by=spec.proposed_by,
        options=options,
    )


def _option(
    doc: Document,
    where: Path_,
    spec: OptionSpec,
    catalogue: Catalogue,
    citable: tuple[Source, ...],
    problems: list[Problem],
    warnings: list[InputWarning],
) -> ClauseOption:
    if not spec.terms:
        problems.append(
            doc.problem(
                (*where, "terms"),
                f"option '{clip(spec.title)}' sets no term; an option is a wording that decides "
                "something (name the terms it sets, or drop it)",
            )
        )
    return ClauseOption(
        title=spec.title,
        settings=_settings(doc, where, spec.terms, catalogue, problems, warnings),
        proposed_by=spec.proposed_by,
        note=spec.note,
        sources=_sources(doc, where, spec.sources, citable, problems),
        origin=doc.at(where),
    )


def _check_option_list(
    doc: Document, where: Path_, options: list[OptionSpec], problems: list[Problem]
) -> None:
    if not options:
        problems.append(
            doc.problem(where, "'options' is empty; give the clause's alternatives, or drop it")
        )
    if len(options) > MAX_OPTIONS:
        problems.append(
            doc.problem(
                where,
                f"{len(options):,} options, over the limit of {MAX_OPTIONS}; "
                "split the clause into several bracketed clauses",
                key=True,
            )
        )


def _settings(
    doc: Document,
    where: Path_,
    terms: dict[str, object],
    catalogue: Catalogue,
    problems: list[Problem],
    warnings: list[InputWarning],
) -> tuple[Setting, ...]:
    return typed_settings(
        doc, (*where, "terms"), terms, catalogue, problems, warnings, twice="this clause sets"
    )


def _sources(
    doc: Document,
    where: Path_,
    cited_sources: list[SourceSpec | str],
    citable: tuple[Source, ...],
    problems: list[Problem],
) -> tuple[Source, ...]:
    sources: list[Source] = []
    known = {s.id: s for s in citable if s.id}
    for i, cited in enumerate(cited_sources):
        if enough(problems):
            break
        if not isinstance(cited, str):
            sources.append(cited.to_source())
        elif cited in known:
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
                    (*where, "sources", i), f"no proposal source has id '{clip(cited)}'{hint}"
                )
            )
    return tuple(sources)


def _add_options(
    doc: Document,
    spec: ProposalFile,
    base: Proposal,
    clauses: list[Clause],
    catalogue: Catalogue,
    citable: tuple[Source, ...],
    problems: list[Problem],
    warnings: list[InputWarning],
) -> list[Clause]:
    """A variant's `options:`: new alternatives for the base's clauses, which become bracketed.

    A clause that offered no options yet keeps its wording as the first option ("as in" the
    base), so the variant puts its own next to it rather than over it.
    """
    by_id = {c.id: i for i, c in enumerate(clauses)}
    base_ids = [c.id for c in base.clauses]
    for clause_id, option_specs in (spec.options or {}).items():
        where: Path_ = ("options", clause_id)
        if clause_id not in by_id:
            problems.append(
                doc.problem(
                    where,
                    f"options: the variant has no clause '{clip(clause_id)}'"
                    f"{_which_clause(clause_id, base_ids)}",
                    key=True,
                )
            )
            continue
        _check_option_list(doc, where, option_specs, problems)
        added = tuple(
            _option(doc, (*where, i), option, catalogue, citable, problems, warnings)
            for i, option in enumerate(option_specs)
        )
        clause = clauses[by_id[clause_id]]
        existing = clause.options
        settings = clause.settings
        if not existing and clause.settings:
            first = ClauseOption(
                title=f"as in {base.id}",
                settings=clause.settings,
                proposed_by=clause.proposed_by,
                sources=clause.sources,
                origin=clause.origin,
            )
            existing, settings = (first,), ()
        clauses[by_id[clause_id]] = clause.model_copy(
            update={"state": "bracketed", "settings": settings, "options": existing + added}
        )
    return clauses


def _check_options(clauses: list[Clause], problems: list[Problem]) -> None:
    """An option's terms are the bracket's own: no agreed text sets them, no other bracket
    offers them, and no two options of one clause say the same thing."""
    text: dict[str, Clause] = {}
    for clause in clauses:
        for setting in clause.settings:
            text.setdefault(setting.term, clause)
    offered: dict[str, Clause] = {}
    for clause in clauses:
        seen: dict[frozenset[tuple[str, tuple[str, str]]], ClauseOption] = {}
        for option in clause.options:
            said = frozenset(
                (s.term, (type(s.value).__name__, str(s.value))) for s in option.settings
            )
            first = seen.get(said)
            if first is not None and said:
                problems.append(
                    Problem.at(
                        option.origin,
                        f"clause {clause.id}: option '{clip(option.title)}' sets the same terms "
                        f"to the same values as option '{clip(first.title)}' (at "
                        f"{first.origin}); drop one of the two",
                    )
                )
            seen.setdefault(said, option)
            for setting in option.settings:
                setter = text.get(setting.term)
                if setter is not None:
                    where = "its own terms" if setter is clause else f"clause {setter.id}"
                    problems.append(
                        Problem.at(
                            setting.origin,
                            f"clause {clause.id}: option '{clip(option.title)}' sets "
                            f"'{setting.term}', which {where} already sets"
                            f"{_at(setter, setting.term)}; a term is either settled text or "
                            "bracketed, not both",
                        )
                    )
                other = offered.setdefault(setting.term, clause)
                if other is not clause:
                    problems.append(
                        Problem.at(
                            setting.origin,
                            f"clause {clause.id}: option '{clip(option.title)}' sets "
                            f"'{setting.term}', which clause {other.id}'s options also set; "
                            "put the alternatives for one term in one bracketed clause",
                        )
                    )


def _at(clause: Clause, term: str) -> str:
    origin = next((s.origin for s in clause.settings if s.term == term), None)
    return f" (at {origin})" if origin else ""


def _check_unique_ids(doc: Document, clauses: list[Clause], problems: list[Problem]) -> None:
    problems += same_ids(((c.id, c.origin) for c in clauses), "clause", doc.file)
