"""The domain: terms, proposals, rules and the conditions they are written in.

These are the loaded, checked objects every later stage works on. The shapes users write in YAML
are in `specs.py`; the loader turns those into these, adding the file position of everything a
finding may have to point at.
"""

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Literal, NoReturn, Self, TypeAlias

from pydantic import BaseModel, ConfigDict, Field

# A term's value: the enum member, the integer, the boolean or the date a clause sets.
# bool comes before int so that pydantic's smart union never reads True as 1.
TermValue: TypeAlias = bool | int | dt.date | str


class Frozen(BaseModel):
    # A field's docstring is its description in the published JSON Schemas (`schemas.py`).
    # A model that `redlines check` does not use is declared with `defer_build=True`: pydantic
    # then builds its validator on first use instead of at import, which every start paid for.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Origin(Frozen):
    """Where something was written: file as given on the command line, 1-based line and column;
    `end_col` is the column just past the end of that line's text (where a region that starts
    here ends, for SARIF), when the file's text was at hand."""

    file: str
    line: int
    col: int
    end_col: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Problem(Frozen, defer_build=True):
    """One thing wrong with an input, at the place a user must fix it.

    `file` is the file as given. A problem in a function's argument rather than in a file
    (`overrides`, `variants[3]`) names the argument instead, with `line` and `col` 0.
    """

    file: str
    """The file as given, or the argument's name for a problem in a function's argument."""
    line: int
    """The line, counted from 1; 0 for a problem in an argument rather than a file."""
    col: int
    """The column, counted from 1; 0 for a problem in an argument rather than a file."""
    message: str
    """What is wrong and what to do about it."""

    def __str__(self) -> str:
        if not self.line:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.col}: {self.message}"

    @classmethod
    def in_argument(cls, argument: str, message: str) -> Self:
        return cls(file=argument, line=0, col=0, message=message)

    @classmethod
    def at(cls, origin: Origin | None, message: str, file: str = "<input>") -> Self:
        if origin is None:
            return cls(file=file, line=1, col=1, message=message)
        return cls(file=origin.file, line=origin.line, col=origin.col, message=message)


class InputWarning(Problem):
    """Something wrong with an input that does not stop the run: a deprecated term name at a
    draft's line, say. The loader and `check` collect them (`Proposal.warnings`,
    `RuleBook.warnings`, `Report.warnings`); the CLI prints each once per run on stderr as
    `file:line:col: warning: message` and they never change the exit code."""

    def __str__(self) -> str:
        if not self.line:
            return f"{self.file}: warning: {self.message}"
        return f"{self.file}:{self.line}:{self.col}: warning: {self.message}"


def sorted_warnings(warnings: Iterable[InputWarning]) -> tuple[InputWarning, ...]:
    """Each warning once, by place: however many reports or loads repeat it."""
    return tuple(sorted(set(warnings), key=lambda w: (w.file, w.line, w.col, w.message)))


class InputError(Exception):
    """Bad input: one or more problems, each with a file position. The CLI prints them, exit 2."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.col, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def fail(at: Origin | str, message: str) -> NoReturn:
    """Raise an InputError with one problem: at an Origin, or at the top of the file named."""
    where = at if isinstance(at, Origin) else Origin(file=at, line=1, col=1)
    raise InputError([Problem.at(where, message)]) from None


class Source(Frozen):
    """A citation: the URL plus who published it and when."""

    id: str | None = None
    """The id clauses cite it by, if it has one."""
    title: str | None = None
    """The title of the page or document."""
    outlet: str | None = None
    """The news outlet that published it."""
    authority: str | None = None
    """The issuing authority (a law, a constitution, an official statement)."""
    url: str | None = None
    """Where to read it."""
    date: dt.date | Literal["unknown"] | None = None
    """The publication date, or "unknown" when the source shows none (its note says why)."""
    note: str | None = None
    """A remark: where sources disagree, what the page does not show."""

    @property
    def dated(self) -> str | None:
        """The date as a report shows it: '2025-11-20', 'date unknown', or None."""
        if self.date is None:
            return None
        return "date unknown" if self.date == "unknown" else self.date.isoformat()

    def label(self) -> str:
        """A one-line citation for reports: 'Outlet, Title (2025-11-20) https://…'."""
        who = ", ".join(p for p in (self.outlet or self.authority, self.title) if p)
        when = f" ({self.dated})" if self.dated else ""
        where = f" {self.url}" if self.url else ""
        return f"{who}{when}{where}".strip()


# --- the term catalogue -------------------------------------------------------------------------


class TermType(StrEnum):
    ENUM = "enum"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"


class Term(Frozen):
    name: str
    title: str
    type: TermType
    values: tuple[str, ...] = ()
    meanings: dict[str, str] | None = None  # enum value -> what it means
    unit: str | None = None
    min: int | None = None
    max: int | None = None
    description: str | None = None
    sources: tuple[Source, ...] = ()
    origin: Origin | None = None
    aliases: tuple[str, ...] | None = None  # the names it had before, still accepted (deprecated)


class Catalogue(Frozen):
    terms: dict[str, Term]
    origin: Origin | None = None
    aliases: dict[str, str] = Field(default_factory=dict)  # old name -> the term's name now

    def get(self, name: str) -> Term | None:
        return self.terms.get(name)

    def resolve(self, name: str) -> Term | None:
        """The term of that name, or the term it was renamed to."""
        found = self.terms.get(name)
        if found is None and name in self.aliases:
            return self.terms[self.aliases[name]]
        return found


# --- conditions ---------------------------------------------------------------------------------

Op = Literal["eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "present", "absent"]
OPERATORS: tuple[Op, ...] = (
    "eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "present", "absent",
)  # fmt: skip


class Leaf(Frozen):
    kind: Literal["leaf"] = "leaf"
    term: str
    op: Op
    # A list for in / not_in, nothing for present / absent, else one value.
    value: TermValue | tuple[TermValue, ...] | None = None
    origin: Origin | None = None


class AllOf(Frozen):
    kind: Literal["all"] = "all"
    parts: "tuple[Condition, ...]"
    origin: Origin | None = None


class AnyOf(Frozen):
    kind: Literal["any"] = "any"
    parts: "tuple[Condition, ...]"
    origin: Origin | None = None


class Not(Frozen):
    kind: Literal["not"] = "not"
    part: "Condition"
    origin: Origin | None = None


class IfThen(Frozen):
    kind: Literal["if"] = "if"
    condition: "Condition"
    consequence: "Condition"
    origin: Origin | None = None


Condition = Annotated[Leaf | AllOf | AnyOf | Not | IfThen, Field(discriminator="kind")]

# Completed here, before any model holds a Condition: a model built while these were incomplete
# would generate the whole union anew (Rule, Implication and Tie did, each at every start).
AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()
IfThen.model_rebuild()


# --- rules --------------------------------------------------------------------------------------


class Severity(StrEnum):
    RED_LINE = "red_line"
    PRIORITY = "priority"
    PREFERENCE = "preference"

    @property
    def rank(self) -> int:
        """Higher is graver; used for --fail-on and for sorting."""
        return {"red_line": 3, "priority": 2, "preference": 1}[self.value]


class WhenSilent(StrEnum):
    OPEN = "open"
    MET = "met"
    VIOLATED = "violated"


class Setting(Frozen):
    """One term set by one clause, with the position of the value."""

    term: str
    value: TermValue
    origin: Origin | None = None


RuleStatusName = Literal["met", "violated", "open"]


class RuleExample(Frozen):
    """A minimal draft (one clause setting `settings`) and the status it must give its rule."""

    expect: RuleStatusName
    settings: tuple[Setting, ...]
    as_of: dt.date | None = None
    note: str | None = None
    origin: Origin | None = None  # where the example is written


class Rule(Frozen):
    id: str
    title: str
    severity: Severity
    weight: int | None = None
    tags: tuple[str, ...] = ()
    requires: Condition
    when_silent: WhenSilent = WhenSilent.OPEN
    message: str
    rationale: str | None = None
    sources: tuple[Source, ...] = ()
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    superseded_by: str | None = None
    examples: tuple[RuleExample, ...] = ()
    ruleset: str
    actor: str
    origin: Origin | None = None

    def in_force(self, on: dt.date | None) -> bool:
        return _in_force(self.valid_from, self.valid_until, on)


class NoPositionReason(StrEnum):
    """Why an actor has no rule on a term (the coverage matrix shows it in that cell)."""

    NOT_STATED = "not_stated"  # nothing in the sources shows the actor taking a side
    NOT_THEIRS_TO_DECIDE = "not_theirs_to_decide"  # another actor's act; no word beyond that
    THROUGH_ANOTHER_TERM = "through_another_term"  # its position is a rule on a neighbouring term
    NOT_ENCODED = "not_encoded"  # stated, but not (yet) a rule: the note says why
    DERIVED = "derived"  # a term the implications set, not a position


class NoPosition(Frozen):
    """A term on which a rule set has no rule, and why."""

    term: str
    reason: NoPositionReason
    note: str | None = None
    origin: Origin | None = None


class RuleSet(Frozen):
    id: str
    actor: str
    title: str
    version: str | None = None
    description: str | None = None
    sources: tuple[Source, ...] = ()
    rules: tuple[Rule, ...]
    origin: Origin | None = None
    reviewed: dt.date | None = None  # the day the positions were last checked against sources
    no_position: tuple[NoPosition, ...] = ()  # by term


class Implication(Frozen):
    id: str
    title: str | None = None
    when: Condition
    then: dict[str, TermValue]
    rationale: str | None = None
    sources: tuple[Source, ...] = ()
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    superseded_by: str | None = None
    origin: Origin | None = None
    then_origins: dict[str, Origin] = Field(default_factory=dict)

    def in_force(self, on: dt.date | None) -> bool:
        return _in_force(self.valid_from, self.valid_until, on)


class TieLevel(StrEnum):
    CONTRADICTION = "contradiction"  # a draft breaking it contradicts itself
    WARNING = "warning"  # a soft tie, whose sources disagree: breaking it only warns


class Tie(Frozen):
    """A condition every coherent draft satisfies, over terms that cannot contradict each other."""

    id: str
    title: str
    requires: Condition
    level: TieLevel = TieLevel.CONTRADICTION
    rationale: str | None = None
    sources: tuple[Source, ...] = ()
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    superseded_by: str | None = None
    origin: Origin | None = None

    def in_force(self, on: dt.date | None) -> bool:
        return _in_force(self.valid_from, self.valid_until, on)


class RuleBook(Frozen):
    """Everything under one --rules directory: the catalogue, the rule sets, the implications
    and the ties."""

    catalogue: Catalogue
    rulesets: tuple[RuleSet, ...]
    implications: tuple[Implication, ...] = ()
    ties: tuple[Tie, ...] = ()
    root: str | None = None
    warnings: tuple[InputWarning, ...] = ()  # non-fatal problems found while loading

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(rule for ruleset in self.rulesets for rule in ruleset.rules)

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def in_force(self, on: dt.date | None) -> "RuleBook":
        """The same book with only the rules and implications in force on that date."""
        if on is None:
            return self
        rulesets = tuple(
            rs.model_copy(update={"rules": tuple(r for r in rs.rules if r.in_force(on))})
            for rs in self.rulesets
        )
        implications = tuple(i for i in self.implications if i.in_force(on))
        ties = tuple(t for t in self.ties if t.in_force(on))
        return self.model_copy(
            update={"rulesets": rulesets, "implications": implications, "ties": ties}
        )

    def for_actors(self, ruleset_ids: list[str] | tuple[str, ...]) -> "RuleBook":
        """Only the named rule sets (by id); the catalogue, implications and ties stay whole."""
        if not ruleset_ids:
            return self
        wanted = set(ruleset_ids)
        return self.model_copy(
            update={"rulesets": tuple(rs for rs in self.rulesets if rs.id in wanted)}
        )


def _in_force(start: dt.date | None, end: dt.date | None, on: dt.date | None) -> bool:
    if on is None:
        return True
    return (start is None or start <= on) and (end is None or on <= end)


# --- proposals ----------------------------------------------------------------------------------


ClauseState = Literal["agreed", "bracketed"]


class ClauseOption(Frozen):
    """One of the alternatives a bracketed clause offers: a title and the terms it sets."""

    title: str
    settings: tuple[Setting, ...]
    proposed_by: str | None = None
    note: str | None = None
    sources: tuple[Source, ...] = ()
    origin: Origin | None = None


class Clause(Frozen):
    id: str
    title: str
    text: str
    settings: tuple[Setting, ...] = ()
    # `terms: {}`: the clause says on purpose that it decides no term (lint asks otherwise).
    deliberately_empty: bool = False
    sources: tuple[Source, ...] = ()
    note: str | None = None
    origin: Origin | None = None
    # Agreed text, or still under negotiation (bracketed); a bracketed clause may offer
    # options, of which a deal takes one. Its own `settings` are what every option shares.
    state: ClauseState = "agreed"
    proposed_by: str | None = None
    options: tuple[ClauseOption, ...] = ()


ProposalStatus = Literal["draft", "leaked", "reported", "tabled", "agreed", "rejected"]


class Proposal(Frozen):
    id: str
    title: str
    date: dt.date
    status: ProposalStatus
    note: str | None = None
    sources: tuple[Source, ...] = ()
    clauses: tuple[Clause, ...]
    path: str
    # The chain of files this proposal was built from, itself first, for variants.
    lineage: tuple[str, ...] = ()
    base_id: str | None = None
    origin: Origin | None = None
    warnings: tuple[InputWarning, ...] = ()  # non-fatal problems found while loading (and bases)

    def clause(self, clause_id: str) -> Clause | None:
        return next((c for c in self.clauses if c.id == clause_id), None)

    @property
    def bracketed(self) -> tuple[Clause, ...]:
        """The clauses still under negotiation, with or without options."""
        return tuple(c for c in self.clauses if c.state == "bracketed")

    @property
    def brackets(self) -> tuple[Clause, ...]:
        """The bracketed clauses that offer options, in clause order."""
        return tuple(c for c in self.clauses if c.options)
