"""Bracketed alternatives: which combinations of a draft's options each actor can accept.

A bracketed clause with options stands for one choice among them; a combination takes one
option of every such clause. The draft's text (every clause's own terms) stays as written and
the terms no clause or option sets stay unaddressed, exactly as `check` reads a draft.

Up to ENGINE_LIMIT combinations, each is checked by the engine like any draft. Beyond that the
question goes to the SAT solver of `redlines space`, restricted to the options: one encoding
of the rules in force with the text fixed, one selector per option, exactly one per bracket.
Every combination the solver names as agreeable is checked again by the engine.

The solver reads implications as equations on the final package, the engine applies them in
rounds from the draft; the two agree when no implication tests whether a term is set
(present/absent), none depends on its own result through others, no two derive one term, and
no tie narrows the reading of a draft (`solver_exact`).

For a rule book that is not so (the bundled rules have ties), the combinations go group by group
(`independent_groups`, `_by_components`): brackets whose terms never meet in one red line,
implication or tie, even through other terms, are independent, so each red line's status
depends on its own group's choice alone. Each group's combinations are checked through the
engine, and the actors' verdicts, the agreeable combinations and a smallest blocking set are
assembled from the groups exactly as if every combination had been checked (a property test
holds the two equal). MAX_COMBINATIONS then bounds the largest group, not the whole.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .conditions import leaves, terms_of
from .engine import EngineName
from .models import (
    Clause,
    InputError,
    Problem,
    Proposal,
    Rule,
    RuleBook,
    Severity,
    TermValue,
    TieLevel,
    WhenSilent,
)
from .report import (
    ActorOptions,
    ActorVerdictKind,
    BracketInfo,
    BracketReport,
    Combination,
    Location,
    OptionInfo,
    OptionStanding,
    OptionVerdict,
    Override,
    Report,
    RuleRef,
    Status,
    check,
)

if TYPE_CHECKING:
    from .space.encoding import Encoding

# More combinations than this go through the solver.
ENGINE_LIMIT = 32
# Through the engine, one at a time, when the solver cannot answer exactly (`solver_exact`).
MAX_COMBINATIONS = 4096
# The most agreeable combinations a report lists.
MAX_LISTED = 20
# Seconds the solver may spend proving that no smaller blocking set exists.
BLOCKING_BUDGET = 2.0

_ORDER = (ActorVerdictKind.ACCEPTS, ActorVerdictKind.OPEN, ActorVerdictKind.REJECTS)
_STANDING: dict[ActorVerdictKind, OptionStanding] = {
    ActorVerdictKind.ACCEPTS: "accepts",
    ActorVerdictKind.OPEN: "open",
    ActorVerdictKind.REJECTS: "rejects",
}


class BracketError(Exception):
    """The solver and the engine disagree on a combination: a bug, never a verdict."""


def combinations(proposal: Proposal) -> int:
    """How many combinations the draft's options make."""
    count = 1
    for clause in proposal.brackets:
        count *= len(clause.options)
    return count


def with_options(proposal: Proposal, choice: Sequence[int]) -> Proposal:
    """The draft with one option (numbered from 1) taken for each bracketed clause in order."""
    chosen = dict(zip((c.id for c in proposal.brackets), choice, strict=True))
    clauses = tuple(
        _take(clause, chosen[clause.id]) if clause.id in chosen else clause
        for clause in proposal.clauses
    )
    return proposal.model_copy(update={"clauses": clauses})


def _take(clause: Clause, number: int) -> Clause:
    option = clause.options[number - 1]
    return clause.model_copy(update={"settings": clause.settings + option.settings, "options": ()})


def analyze_brackets(
    proposal: Proposal,
    rules: RuleBook,
    *,
    as_of: dt.date | None = None,
    overrides: Mapping[str, TermValue] | None = None,
    actors: Sequence[str] = (),
    engine: EngineName = "auto",
    method: str = "auto",
) -> BracketReport:
    """Each actor's verdicts on the options, the agreeable combinations, or what blocks them.

    `overrides` are typed `--set` values; they win over the options as over the text. `method`
    forces "engine" or "solver" (the tests compare the two); "auto" picks by ENGINE_LIMIT.
    """
    as_of = as_of or proposal.date
    count = combinations(proposal)
    book = rules.for_actors(list(actors)).in_force(as_of)
    groups = independent_groups(proposal, book)
    if method == "auto":
        if count <= ENGINE_LIMIT:
            method = "engine"
        else:
            method = "solver" if solver_exact(book) else "components"
    if method == "engine" and count > MAX_COMBINATIONS:
        raise _too_many(proposal, count, "")
    if method == "components":
        largest = max(groups.brackets, key=lambda g: (groups.combinations(g), -g[0]))
        if groups.combinations(largest) > MAX_COMBINATIONS:
            clauses = ", ".join(proposal.brackets[i].id for i in largest)
            raise _too_many(
                proposal,
                groups.combinations(largest),
                f" in clauses {clauses}, whose terms meet in red lines, implications or ties,",
            )
    run = _Inputs(proposal, rules, book, as_of, dict(overrides or {}), tuple(actors), engine)
    if method == "engine":
        found = _by_engine(run)
    elif method == "solver":
        found = _by_solver(run)
    else:
        found = _by_components(run, groups)
    return BracketReport(
        brackets=tuple(_bracket_info(c) for c in proposal.brackets),
        combinations=count,
        method="engine" if method == "engine" else "solver" if method == "solver" else "components",
        actors=found.actors,
        agreeable=found.agreeable[:MAX_LISTED],
        agreeable_complete=found.complete and len(found.agreeable) <= MAX_LISTED,
        limit=MAX_LISTED,
        blocking=tuple(RuleRef.of(r) for r in found.blocking),
        checked=found.checked,
        groups=tuple(tuple(proposal.brackets[i].id for i in g) for g in groups.brackets),
    )


def _too_many(proposal: Proposal, count: int, where: str) -> InputError:
    return InputError(
        [
            Problem.at(
                proposal.origin,
                f"{count:,} combinations of options{where} over the {MAX_COMBINATIONS:,} that can "
                "be checked one by one with these rules' implications and ties (docs/formats.md, "
                "Bracketed alternatives); offer fewer options",
                file=proposal.path,
            )
        ]
    )


@dataclass(frozen=True)
class _Inputs:
    proposal: Proposal
    rules: RuleBook  # as given
    book: RuleBook  # selected actors, in force
    as_of: dt.date
    overrides: dict[str, TermValue]
    actors: tuple[str, ...]
    engine: EngineName

    def report(self, choice: Sequence[int]) -> Report:
        """The draft with these options, checked like any draft."""
        return check(
            with_options(self.proposal, choice),
            self.rules,
            as_of=self.as_of,
            overrides=self.overrides,
            actors=self.actors,
            engine=self.engine,
        )

    def check(self, choice: Sequence[int]) -> dict[str, ActorVerdictKind]:
        return {v.ruleset: v.verdict for v in self.report(choice).verdicts}

    def red_statuses(self, choice: Sequence[int]) -> dict[str, Status]:
        """Each red line's status on the draft with these options, straight from `check`."""
        findings = self.report(choice).findings
        return {f.rule: f.status for f in findings if f.severity is Severity.RED_LINE}

    def choices(self) -> Iterable[tuple[int, ...]]:
        return itertools.product(*(range(1, len(c.options) + 1) for c in self.proposal.brackets))

    @property
    def rulesets(self) -> list[tuple[str, str]]:
        return sorted((rs.id, rs.actor) for rs in self.book.rulesets)

    @property
    def red_lines(self) -> list[Rule]:
        return sorted(
            (r for r in self.book.rules if r.severity is Severity.RED_LINE), key=lambda r: r.id
        )


@dataclass(frozen=True)
class _Found:
    actors: tuple[ActorOptions, ...]
    agreeable: tuple[Combination, ...]
    complete: bool
    blocking: tuple[Rule, ...]
    checked: tuple[Combination, ...]


def solver_exact(book: RuleBook) -> bool:
    """Whether the solver's reading of the implications in force is the engine's (see above)."""
    if any(t.level is TieLevel.CONTRADICTION for t in book.ties):
        return False  # a tie narrows and derives values as the engine reads a draft
    derived: dict[str, TermValue] = {}
    needs: dict[str, set[str]] = {}
    for imp in book.implications:
        if any(leaf.op in ("present", "absent") for leaf in leaves(imp.when)):
            return False
        for term, value in imp.then.items():
            if derived.setdefault(term, value) != value or type(derived[term]) is not type(value):
                return False
            needs.setdefault(term, set()).update(terms_of(imp.when))
    # No derived term may depend on itself: a depth-first walk over the derived terms.
    done: set[str] = set()

    def cyclic(term: str, path: frozenset[str]) -> bool:
        if term in path:
            return True
        if term in done or term not in needs:
            return False
        found = any(cyclic(n, path | {term}) for n in sorted(needs[term]))
        done.add(term)
        return found

    return not any(cyclic(t, frozenset()) for t in sorted(needs))


def _bracket_info(clause: Clause) -> BracketInfo:
    assert clause.origin is not None
    return BracketInfo(
        clause=clause.id,
        title=clause.title,
        proposed_by=clause.proposed_by,
        location=Location.of(clause.origin),
        options=tuple(
            OptionInfo(
                number=i,
                title=option.title,
                proposed_by=option.proposed_by,
                terms=tuple(Override(term=s.term, value=s.value) for s in option.settings),
                location=Location.of(option.origin or clause.origin),
            )
            for i, option in enumerate(clause.options, start=1)
        ),
    )


def _standing(seen: set[ActorVerdictKind]) -> OptionStanding:
    if len(seen) == 1:
        (only,) = seen
        return _STANDING[only]
    return "depends"


def _actor_options(
    ruleset: str,
    actor: str,
    brackets: Sequence[Clause],
    seen: Mapping[tuple[str, int], set[ActorVerdictKind]],
) -> ActorOptions:
    every = set().union(*seen.values()) if seen else set()
    return ActorOptions(
        ruleset=ruleset,
        actor=actor,
        verdicts=tuple(v for v in _ORDER if v in every),
        options=tuple(
            OptionVerdict(clause=c.id, option=i, verdict=_standing(seen[c.id, i]))
            for c in brackets
            for i in range(1, len(c.options) + 1)
        ),
    )


# --- few combinations: the engine, one by one ------------------------------------------------


def _by_engine(run: _Inputs) -> _Found:
    brackets = run.proposal.brackets
    rulesets = run.rulesets
    seen: dict[str, dict[tuple[str, int], set[ActorVerdictKind]]] = {rs: {} for rs, _ in rulesets}
    checked: list[Combination] = []
    unmet: list[set[str]] = []  # per combination: the red lines it leaves violated or open
    for choice in run.choices():
        report = run.report(choice)
        verdicts = {v.ruleset: v.verdict for v in report.verdicts}
        for rs, _ in rulesets:
            for clause, number in zip(brackets, choice, strict=True):
                seen[rs].setdefault((clause.id, number), set()).add(verdicts[rs])
        checked.append(
            Combination(options=choice, verdicts=tuple(verdicts[rs] for rs, _ in rulesets))
        )
        unmet.append(
            {
                f.rule
                for f in report.findings
                if f.severity is Severity.RED_LINE and f.status is not Status.MET
            }
        )
    agreeable = tuple(
        Combination(options=c.options)
        for c in checked
        if all(v is ActorVerdictKind.ACCEPTS for v in c.verdicts)
    )
    blocking: tuple[Rule, ...] = ()
    if not agreeable:
        blocking = _smallest_hitting_set(unmet, run.red_lines)
    return _Found(
        actors=tuple(_actor_options(rs, a, brackets, seen[rs]) for rs, a in rulesets),
        agreeable=agreeable,
        complete=True,
        blocking=blocking,
        checked=tuple(checked),
    )


def _smallest_hitting_set(
    unmet: list[set[str]], red: list[Rule], at_most: int | None = None
) -> tuple[Rule, ...]:
    """The fewest red lines of which every combination leaves one unmet; of those of that
    size, the first in id order. `at_most`: look no further than sets of that size."""
    candidates = [r for r in red if any(r.id in u for u in unmet)]
    largest = len(candidates) if at_most is None else min(at_most, len(candidates))
    for size in range(1, largest + 1):
        for chosen in itertools.combinations(candidates, size):
            ids = {r.id for r in chosen}
            if all(ids & u for u in unmet):
                return chosen
    return ()  # only when there is no red line in force at all


# --- many combinations, rules the solver cannot read exactly: group by group ---------------------


@dataclass(frozen=True)
class Groups:
    """The bracketed clauses in independent groups, and the red lines each group decides.

    Terms are linked when they meet in one red line, implication (its `when` and `then`) or tie
    at level contradiction, or in the options of one bracketed clause. Brackets whose terms are
    not linked, even through other terms, are independent: the engine's rounds of implications,
    its clashes and its reading under the ties never carry a value from one group's terms to
    another's, and a red line reads one group's terms (or none that an option sets). Soft ties
    only warn; other rules do not make verdicts.
    """

    sizes: tuple[int, ...]  # options per bracketed clause, in `Proposal.brackets` order
    brackets: tuple[tuple[int, ...], ...]  # positions in `Proposal.brackets`, by first position
    red: tuple[tuple[Rule, ...], ...]  # per group, the red lines reading its terms, by id
    fixed: tuple[Rule, ...]  # the red lines no option can change, by id

    def combinations(self, group: Sequence[int]) -> int:
        return math.prod(self.sizes[i] for i in group)

    def local_choices(self, group: Sequence[int]) -> list[tuple[int, ...]]:
        return list(itertools.product(*(range(1, self.sizes[i] + 1) for i in group)))


def independent_groups(proposal: Proposal, book: RuleBook) -> Groups:
    """Group the draft's bracketed clauses by the terms the rules in force link (`Groups`)."""
    parent: dict[str, str] = {}

    def root(term: str) -> str:
        parent.setdefault(term, term)
        while parent[term] != term:
            parent[term] = parent[parent[term]]
            term = parent[term]
        return term

    def link(terms: Iterable[str]) -> None:
        first: str | None = None
        for term in terms:
            if first is None:
                first = root(term)
            else:
                parent[root(term)] = first

    red = sorted((r for r in book.rules if r.severity is Severity.RED_LINE), key=lambda r: r.id)
    for rule in red:
        link(terms_of(rule.requires))
    for imp in book.implications:
        link([*terms_of(imp.when), *imp.then])
    for tie in book.ties:
        if tie.level is TieLevel.CONTRADICTION:
            link(terms_of(tie.requires))
    brackets = proposal.brackets
    for clause in brackets:
        link(s.term for option in clause.options for s in option.settings)
    by_root: dict[str, list[int]] = {}
    for position, clause in enumerate(brackets):
        by_root.setdefault(root(clause.options[0].settings[0].term), []).append(position)
    red_by_root: dict[str, list[Rule]] = {}
    fixed = []
    for rule in red:
        terms = terms_of(rule.requires)
        if terms and root(next(iter(terms))) in by_root:
            red_by_root.setdefault(root(next(iter(terms))), []).append(rule)
        else:
            fixed.append(rule)
    return Groups(
        sizes=tuple(len(c.options) for c in brackets),
        brackets=tuple(tuple(g) for g in by_root.values()),
        red=tuple(tuple(red_by_root.get(r, ())) for r in by_root),
        fixed=tuple(fixed),
    )


_RANK = {kind: rank for rank, kind in enumerate(_ORDER)}


def _worse(a: ActorVerdictKind, b: ActorVerdictKind) -> ActorVerdictKind:
    return a if _RANK[a] >= _RANK[b] else b


def _worst_of(sets: Iterable[set[ActorVerdictKind]]) -> set[ActorVerdictKind]:
    """The verdicts a combination can get from one actor, given the verdicts each independent
    part can give: the worst part decides (rejects over open over accepts)."""
    found = {ActorVerdictKind.ACCEPTS}
    for kinds in sets:
        found = {_worse(a, b) for a in found for b in kinds}
    return found


def _verdict(rules: Iterable[Rule], status: Mapping[str, Status]) -> ActorVerdictKind:
    seen = {status[r.id] for r in rules}
    if Status.VIOLATED in seen:
        return ActorVerdictKind.REJECTS
    if Status.OPEN in seen:
        return ActorVerdictKind.OPEN
    return ActorVerdictKind.ACCEPTS


def _by_components(run: _Inputs, groups: Groups) -> _Found:
    """Each group's combinations through the engine, the others held at any one of theirs.

    A red line's status depends on its own group's choice only (`Groups`), so one `check` serves
    every group at once: the k-th check takes each group's k-th combination (its first, once it
    has none left). Then an actor's verdict on a combination is the worst of its verdicts on the
    groups' parts of it, the agreeable combinations are those agreeable in every group, and a
    smallest blocking set lies within one group (or is one red line no option changes).
    """
    brackets = run.proposal.brackets
    rulesets = run.rulesets
    local = [groups.local_choices(g) for g in groups.brackets]
    # status[g][k]: the statuses of group g's red lines under its k-th combination
    status: list[list[dict[str, Status]]] = [[] for _ in local]
    fixed: dict[str, Status] = {}
    for k in range(max(len(choices) for choices in local)):
        choice = [0] * len(brackets)
        for positions, choices in zip(groups.brackets, local, strict=True):
            for position, number in zip(
                positions, choices[k if k < len(choices) else 0], strict=True
            ):
                choice[position] = number
        found = run.red_statuses(choice)
        for g, choices in enumerate(local):
            if k < len(choices):
                status[g].append({r.id: found[r.id] for r in groups.red[g]})
        if k == 0:
            fixed = {r.id: found[r.id] for r in groups.fixed}

    actors = []
    # verdict[g][k][rs]: the actor's verdict on group g's red lines under its k-th combination
    verdict = [
        [{rs: _verdict((r for r in red if r.ruleset == rs), s) for rs, _ in rulesets} for s in ss]
        for red, ss in zip(groups.red, status, strict=True)
    ]
    for rs, actor in rulesets:
        fixed_verdict = _verdict((r for r in groups.fixed if r.ruleset == rs), fixed)
        parts = [{v[rs] for v in vs} for vs in verdict]
        seen: dict[tuple[str, int], set[ActorVerdictKind]] = {}
        for g, positions in enumerate(groups.brackets):
            others = _worst_of([{fixed_verdict}, *(p for h, p in enumerate(parts) if h != g)])
            for choices_k, v in zip(local[g], verdict[g], strict=True):
                kinds = {_worse(v[rs], o) for o in others}
                for position, number in zip(positions, choices_k, strict=True):
                    seen.setdefault((brackets[position].id, number), set()).update(kinds)
        actors.append(_actor_options(rs, actor, brackets, seen))

    accepted = [
        [c for c, v in zip(choices, vs, strict=True) if _all_accept(v.values())]
        for choices, vs in zip(local, verdict, strict=True)
    ]
    text_accepted = all(s is Status.MET for s in fixed.values())
    agreeable: list[Combination] = []
    blocking: tuple[Rule, ...] = ()
    if text_accepted and all(accepted):
        agreeable = [
            Combination(options=c)
            for c in _first_in_order(len(brackets), groups.brackets, accepted, MAX_LISTED + 1)
        ]
    else:
        blocking = _smallest_blocking(groups, status, fixed)
    return _Found(
        actors=tuple(actors),
        agreeable=tuple(agreeable),
        complete=True,  # one more than are listed, when there are more
        blocking=blocking,
        checked=(),
    )


def _all_accept(kinds: Iterable[ActorVerdictKind]) -> bool:
    return all(k is ActorVerdictKind.ACCEPTS for k in kinds)


def _first_in_order(
    length: int,
    groups: Sequence[Sequence[int]],
    allowed: Sequence[Sequence[tuple[int, ...]]],
    limit: int,
) -> list[tuple[int, ...]]:
    """The first `limit` combinations in order (as `itertools.product` gives them) whose part in
    each group is one that group allows. Every group allows at least one, so no branch of the
    depth-first walk is a dead end."""
    place = {
        position: (g, j)
        for g, positions in enumerate(groups)
        for j, position in enumerate(positions)
    }
    found: list[tuple[int, ...]] = []
    # Each entry: the options taken so far, and each group's parts that still fit them.
    stack: list[tuple[tuple[int, ...], tuple[Sequence[tuple[int, ...]], ...]]] = [
        ((), tuple(allowed))
    ]
    while stack and len(found) < limit:
        taken, alive = stack.pop()
        if len(taken) == length:
            found.append(taken)
            continue
        g, j = place[len(taken)]
        for number in sorted({part[j] for part in alive[g]}, reverse=True):
            narrowed = list(alive)
            narrowed[g] = [part for part in alive[g] if part[j] == number]
            stack.append(((*taken, number), tuple(narrowed)))
    return found


def _smallest_blocking(
    groups: Groups, status: Sequence[Sequence[Mapping[str, Status]]], fixed: Mapping[str, Status]
) -> tuple[Rule, ...]:
    """`_smallest_hitting_set` over every combination, from the groups: a set of red lines that
    every combination leaves one of unmet, and none smaller, is one red line no option changes
    left unmet, or lies within one group and hits every combination of that group (were it
    spread over several, each group would have a combination avoiding it, and together they
    would make one). Of the smallest, the first in id order, as `_smallest_hitting_set` picks."""
    best: tuple[Rule, ...] = ()
    unmet_fixed = [r for r in groups.fixed if fixed[r.id] is not Status.MET]
    if unmet_fixed:
        best = (unmet_fixed[0],)
    for red, statuses in zip(groups.red, status, strict=True):
        unmet = [{r for r, s in st.items() if s is not Status.MET} for st in statuses]
        if not all(unmet):
            continue  # a combination of this group meets all its red lines: it blocks nothing
        found = _smallest_hitting_set(unmet, list(red), at_most=len(best) or None)
        if found and (not best or (len(found), _ids(found)) < (len(best), _ids(best))):
            best = found
    return best


def _ids(rules: Iterable[Rule]) -> tuple[str, ...]:
    return tuple(r.id for r in rules)


# --- many combinations: the solver, restricted to the options ----------------------------------


def _by_solver(run: _Inputs) -> _Found:
    from .report import proposal_values
    from .space.encoding import Encoding
    from .space.solver import Oracle, shrink, smallest_cores

    brackets = run.proposal.brackets
    # A term the text's clauses disagree on is left out of `fixed`: unaddressed, as in `check`.
    fixed, _ = proposal_values(run.proposal, run.overrides)
    enc = Encoding(run.book, fixed, offered_values(run.proposal, run.overrides))
    f = enc.formula
    pick = restrict_to_options(enc, brackets)
    for name in enc.codes:
        if name not in enc.fixed and name not in enc.drafted:
            f.add([enc.free_lit(name)])  # the draft does not set it; only an implication may
    base = [*enc.imp_selector.values(), *enc.fixed_lit.values()]
    rulesets = run.rulesets
    red = run.red_lines
    met = {r.id: enc.sat[r.id] for r in red}
    violated = {r.id: _violated(enc, r) for r in red}
    accepts: dict[str, int] = {}
    rejects: dict[str, int] = {}
    for rs, _ in rulesets:
        own = [r.id for r in red if r.ruleset == rs]
        accepts[rs] = f.and_(met[r] for r in own)
        rejects[rs] = f.or_(violated[r] for r in own)

    def says(kind: ActorVerdictKind, rs: str) -> list[int]:
        if kind is ActorVerdictKind.ACCEPTS:
            return [accepts[rs]]
        if kind is ActorVerdictKind.REJECTS:
            return [rejects[rs]]
        return [-accepts[rs], -rejects[rs]]

    actors = []
    everyone = [accepts[rs] for rs, _ in rulesets]
    with Oracle(f) as oracle:
        for rs, actor in rulesets:
            seen: dict[tuple[str, int], set[ActorVerdictKind]] = {}
            for key, lit in pick.items():
                seen[key] = {kind for kind in _ORDER if oracle.solve([*base, lit, *says(kind, rs)])}
            actors.append(_actor_options(rs, actor, brackets, seen))
        agreeable: list[Combination] = []
        # One more than are listed, so that the report can say whether there are more.
        while len(agreeable) <= MAX_LISTED and oracle.solve([*base, *everyone]):
            model = oracle.model()
            choice = tuple(
                next(n for n in range(1, len(c.options) + 1) if model.holds(pick[c.id, n]))
                for c in brackets
            )
            verdicts = run.check(choice)
            if any(v is not ActorVerdictKind.ACCEPTS for v in verdicts.values()):
                raise BracketError(
                    f"the solver finds options {choice} of {run.proposal.id} agreeable, "
                    f"the engine does not: {verdicts}"
                )
            agreeable.append(Combination(options=choice))
            f.add([-pick[c.id, n] for c, n in zip(brackets, choice, strict=True)])
        blocking: tuple[Rule, ...] = ()
        if not agreeable:
            by_lit: dict[int, Rule] = {}
            selectors = []
            for r in red:
                sel = f.var()
                f.add([-sel, met[r.id]])
                selectors.append(sel)
                by_lit[sel] = r
            cores, _ = smallest_cores(f, base, selectors, limit=1, budget=BLOCKING_BUDGET)
            if cores:
                core = shrink(oracle, base, cores[0]) or cores[0]
                blocking = tuple(sorted((by_lit[lit] for lit in core), key=lambda r: r.id))
    return _Found(
        actors=tuple(actors),
        agreeable=tuple(sorted(agreeable, key=lambda c: c.options)),
        complete=True,
        blocking=blocking,
        checked=(),
    )


def offered_values(
    proposal: Proposal, overrides: Mapping[str, TermValue] | None = None
) -> dict[str, list[TermValue]]:
    """Each term an option sets, with the values the options offer (`--set` wins over them)."""
    offered: dict[str, list[TermValue]] = {}
    for clause in proposal.brackets:
        for option in clause.options:
            for s in option.settings:
                if s.term not in (overrides or {}):
                    offered.setdefault(s.term, []).append(s.value)
    return offered


def restrict_to_options(enc: Encoding, brackets: Sequence[Clause]) -> dict[tuple[str, int], int]:
    """Constrain an encoding made with `optional=offered_values(...)` to the options: exactly
    one option per bracketed clause, which sets its terms; a term of the bracket the chosen
    option leaves out is unaddressed (or derived). Returns each option's selector literal."""
    f = enc.formula
    pick: dict[tuple[str, int], int] = {}
    setters: dict[str, list[int]] = {}
    for clause in brackets:
        lits = []
        for number, option in enumerate(clause.options, start=1):
            lit = pick[clause.id, number] = f.var()
            lits.append(lit)
            for s in option.settings:
                if s.term in enc.drafted:
                    f.add([-lit, enc.holds(s.term, "eq", s.value)])
                    setters.setdefault(s.term, []).append(lit)
        f.exactly_one(lits)
    for term, lit in enc.drafted.items():
        either = f.or_(setters[term])
        f.add([-lit, either])
        f.add([lit, -either])
        f.add([lit, enc.free_lit(term)])
    return pick


def _violated(enc: Encoding, rule: Rule) -> int:
    """The literal 'the rule is violated', `when_silent` included (the engine's `rule_status`)."""
    true, false = enc.truth(rule.requires)
    if rule.when_silent is WhenSilent.VIOLATED:
        return -true
    return false
