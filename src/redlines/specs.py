"""The shapes users write: one pydantic model per file kind, strict about unknown keys.

`redlines schema terms|rules|implications|proposal|test` prints their JSON Schema (`schemas.py`
publishes it). The loader validates raw YAML against them first, then builds the domain objects
of `models.py` with positions and types. Each field's docstring is its description in the
published schema, which an editor shows on hover and in completion (`schemas.py` reads them when
it publishes one, so that importing the models stays cheap).
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .models import (
    NoPositionReason,
    ProposalStatus,
    Severity,
    Source,
    TermType,
    TieLevel,
    WhenSilent,
)
from .operators import OPERATORS


def _no_items() -> list[Any]:
    """An empty list, a field's default. Not `list` itself: pydantic reads a default factory's
    signature, and a builtin's is parsed from text, which compiled Python's tokenizer at start."""
    return []


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else ''."""
    if len(word) > 200:  # no near miss is that long, and difflib would take its time
        return ""
    import difflib  # only for a message about a misspelt name; not on the path of a check

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    # How messages name one of these ("a clause must be a mapping with ...") and, for a whole
    # file, the keys at its top.
    noun: ClassVar[str] = "this"
    layout: ClassVar[str] = ""

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        # pydantic's own extra=forbid error has no "did you mean"; this one names every unknown
        # key (ctx["keys"], with ctx["hints"]) so the loader can point at each one's line.
        if isinstance(data, dict):
            allowed = {field.alias or name for name, field in cls.model_fields.items()}
            unknown = [str(key) for key in data if key not in allowed]
            if unknown:
                hints = [suggest(key, allowed) for key in unknown]
                raise PydanticCustomError(
                    "unknown_key",
                    "unknown key '{key}'{hint}",
                    {
                        "key": unknown[0],
                        "hint": hints[0],
                        "keys": unknown,
                        "hints": hints,
                        "allowed": [f.alias or n for n, f in cls.model_fields.items()],
                    },
                )
        return data

    @classmethod
    def required_keys(cls) -> list[str]:
        return [
            field.alias or name for name, field in cls.model_fields.items() if field.is_required()
        ]


def spec_named(name: str) -> type[Spec] | None:
    """The spec class pydantic names in a `model_type` error."""
    found = [cls for cls in _all_specs(Spec) if cls.__name__ == name]
    return found[0] if found else None


def _all_specs(base: type[Spec]) -> list[type[Spec]]:
    return [c for sub in base.__subclasses__() for c in (sub, *_all_specs(sub))]


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def iso_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD, and only so; ValueError otherwise.

    `date.fromisoformat` alone also reads 20251120 and week dates such as 2025-W47-4, which no
    reader of a report would recognise as the date they meant.
    """
    if not _ISO_DATE.match(text):
        raise ValueError(f"'{text}' is not a date (YYYY-MM-DD)")
    return dt.date.fromisoformat(text)


def _date_only(value: Any) -> Any:
    # Left to itself pydantic reads 20251120 as seconds since 1970. A date is YYYY-MM-DD,
    # unquoted (YAML makes it a date) or quoted.
    if isinstance(value, dt.datetime):
        raise PydanticCustomError(
            "date_only", "write a date only (YYYY-MM-DD), not a date and time"
        )
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as err:
            raise PydanticCustomError(
                "date_only",
                "'{text}' is not a valid date: {reason}",
                {"text": value, "reason": str(err)},
            ) from None
    raise PydanticCustomError("date_only", "expected a date (YYYY-MM-DD)")


Date = Annotated[dt.date, BeforeValidator(_date_only)]


def _id_as_text(value: Any) -> Any:
    # Clause ids are often numbers ("7"); accept `id: 7` as the text "7".
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


# --- ids ----------------------------------------------------------------------------------------

# An id (of a proposal, clause, rule set, rule, implication or source) names a thing in every
# report, on the command line and in CI logs, and tells two things apart. So it is plain ASCII:
# a reviewer must see every character of it, and two ids that look alike must be alike. No line
# break or control character (it could fake a line of a report or a CI command), no invisible
# character (zero-width, bidi marks) and no letter from another script that looks like a Latin
# one (a Cyrillic A, U+0410, in 'UA-1') can make two ids that read the same.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
MAX_ID_LENGTH = 100
_ID = re.compile(ID_PATTERN)
_ID_RULE = "ids are ASCII letters, digits, '.', '_' and '-', starting with a letter or a digit"


def id_problem(text: str) -> str | None:
    """Why `text` cannot be an id, in words; None if it can."""
    if _ID.match(text) and len(text) <= MAX_ID_LENGTH:
        return None
    shown = _shown_id(text)
    if not text:
        return "an id must not be empty"
    if len(text) > MAX_ID_LENGTH:
        return (
            f"the id '{shown}' is {len(text):,} characters long, over the limit of {MAX_ID_LENGTH}"
        )
    bad = next((ch for ch in text if not (ch.isascii() and (ch.isalnum() or ch in "._-"))), None)
    if bad is None:
        return f"the id '{shown}' must start with a letter or a digit; {_ID_RULE}"
    return f"the id '{shown}' holds {_character(bad)}; {_ID_RULE}"


def _shown_id(text: str) -> str:
    """An id as a message quotes it: what cannot be seen or printed, escaped."""
    shown = "".join(
        ch
        if ch.isascii() and ch.isprintable()
        else f"\\u{ord(ch):04x}"
        if ord(ch) < 0x10000
        else f"\\U{ord(ch):08x}"
        for ch in text[:60]
    )
    return shown + ("…" if len(text) > 60 else "")


def _character(ch: str) -> str:
    """'the line break U+000A (LINE FEED)', 'a space', 'the invisible character U+200B ...'."""
    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    named = f"{code} ({name})" if name else code
    category = unicodedata.category(ch)
    if ch in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029":
        return f"the line break {named}"
    if category == "Cc":
        return f"the control character {named}"
    if ch == " ":
        return "a space"
    if ch.isascii():
        return f"'{ch}'"
    if category in ("Cf", "Zs") or ch in "\u115f\u1160\u3164\uffa0":
        return f"the invisible character {named}"
    if category in ("Mn", "Me"):
        return f"the combining mark {named}"
    return (
        f"'{ch}' ({code} {name or 'unnamed'}), which is not ASCII: "
        "a letter of another script can look exactly like a Latin one"
    )


def _valid_id(value: str) -> str:
    problem = id_problem(value)
    if problem is not None:
        raise PydanticCustomError("id", "{message}", {"message": problem})
    return value


_ID_SCHEMA = {"type": "string", "pattern": ID_PATTERN, "maxLength": MAX_ID_LENGTH}
Id = Annotated[str, AfterValidator(_valid_id), WithJsonSchema(_ID_SCHEMA)]
# Clause ids may be written as numbers (`id: 7`), which become text.
ClauseId = Annotated[
    str,
    BeforeValidator(_id_as_text),
    AfterValidator(_valid_id),
    WithJsonSchema({**_ID_SCHEMA, "type": ["string", "integer"], "minimum": 0}),
]


UNKNOWN_DATE = "unknown"
SourceDate = Annotated[
    dt.date | Literal["unknown"],
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date"},
                {"type": "string", "const": UNKNOWN_DATE},
            ]
        }
    ),
]


def _source_date(value: Any) -> Any:
    # 'unknown' is the one word a source's date may be; anything else is read as a date.
    return value if value == UNKNOWN_DATE else _date_only(value)


class SourceSpec(Spec):
    """A citation: where a fact comes from."""

    noun: ClassVar[str] = "a source"

    id: Id | None = None
    """An id a clause can cite instead of repeating the source (proposal sources only)."""
    title: str | None = None
    """The title of the page or document."""
    outlet: str | None = None
    """The news outlet that published it."""
    authority: str | None = None
    """The issuing authority (a law, a constitution, an official statement)."""
    url: str | None = None
    """Where to read it: an http(s) address."""
    date: SourceDate | None = None
    """The publication date (YYYY-MM-DD), or `unknown` when the source shows none; an unknown
    date needs a `note` saying why and what is known of it."""
    note: str | None = None
    """A remark: where sources disagree, what the page does not show, who relayed it."""

    _date = field_validator("date", mode="before")(_source_date)

    @model_validator(mode="after")
    def _url_or_title(self) -> "SourceSpec":
        if not self.url and not self.title:
            raise PydanticCustomError(
                "source", "a source needs a 'url' or a 'title' (it has neither)"
            )
        if self.date == UNKNOWN_DATE and not (self.note and self.note.strip()):
            raise PydanticCustomError(
                "source",
                "'date: unknown' needs a 'note' saying why the date is unknown "
                "(e.g. the page shows none) and what is known of it",
                {"key": "date"},
            )
        return self

    def to_source(self) -> Source:
        return Source(**self.model_dump())


# --- terms.yaml ---------------------------------------------------------------------------------


class TermSpec(Spec):
    """One negotiable dimension: its type and the values a clause may give it."""

    noun: ClassVar[str] = "a term"

    title: str
    """What the term is about, in a few words (shown in reports and completion)."""
    type: TermType
    """enum (one of `values`), integer (`min`..`max`), boolean (true/false) or date."""
    values: list[str] | None = None
    """The values of an enum term, in the order reports list them."""
    meanings: dict[str, str] | None = None
    """What each enum value means (value -> short text), shown by `redlines terms` and by an
    editor beside each value."""
    unit: str | None = None
    """The unit of an integer term (personnel, days)."""
    min: StrictInt | None = None
    """The smallest value an integer term may take."""
    max: StrictInt | None = None
    """The largest value an integer term may take."""
    description: str | None = None
    """Longer text: what the term covers, which drafts and positions use it."""
    sources: list[SourceSpec] = Field(default_factory=_no_items)
    """Where the term's meaning comes from, where it needs one."""
    aliases: list[str] = Field(default_factory=_no_items)
    """The names the term had before it was renamed: drafts and rules using them still load,
    with a deprecation warning (term names are public)."""


class TermsFile(Spec):
    """rules/terms.yaml: the catalogue of negotiable terms."""

    noun: ClassVar[str] = "a term catalogue"
    layout: ClassVar[str] = "'terms'"

    terms: dict[str, TermSpec]
    """Every term, by name (area.subject in lower snake case, e.g. territory.crimea)."""


# --- conditions ---------------------------------------------------------------------------------

# What follows each operator in a term test, as JSON Schema.
_OPERATOR_VALUE_SCHEMA: dict[str, dict[str, Any]] = {
    "one": {},
    "list": {"type": "array", "minItems": 1},
    "none": {"const": True},
}
_OPERATOR_MEANING: dict[str, str] = {
    "eq": "The term is set to this value.",
    "ne": "The term is set, to another value than this one.",
    "in": "The term is set to one of these values.",
    "not_in": "The term is set, to none of these values.",
    "lt": "The term is set below this number or before this date.",
    "lte": "The term is set to at most this number, or on or before this date.",
    "gt": "The term is set above this number or after this date.",
    "gte": "The term is set to at least this number, or on or after this date.",
    "present": "true: the draft sets the term, to any value.",
    "absent": "true: the draft does not set the term.",
}
_CONDITION_REF = {"$ref": "#/$defs/Condition"}
_CONDITION_SCHEMA: dict[str, Any] = {
    "$comment": "all / any / not / if+then, or a leaf {term: T, OP: V}",
    "description": "A condition: all / any / not / if + then, or a term test {term: T, OP: V}. "
    "On a term the draft does not set, a value test is unknown (the rule is open).",
    "type": "object",
    "minProperties": 1,
    "properties": {
        "all": {
            "description": "Every condition in the list holds.",
            "type": "array",
            "minItems": 1,
            "items": _CONDITION_REF,
        },
        "any": {
            "description": "At least one condition in the list holds.",
            "type": "array",
            "minItems": 1,
            "items": _CONDITION_REF,
        },
        "not": {"description": "The condition does not hold.", "allOf": [_CONDITION_REF]},
        "if": {
            "description": "With 'then': wherever this holds, 'then' must hold too.",
            "allOf": [_CONDITION_REF],
        },
        "then": {"description": "What must hold wherever 'if' does.", "allOf": [_CONDITION_REF]},
        "term": {"description": "The catalogue term this test reads.", "type": "string"},
        **{
            name: {"description": _OPERATOR_MEANING[name], **_OPERATOR_VALUE_SCHEMA[op.shape]}
            for name, op in OPERATORS.items()
        },
    },
    "additionalProperties": False,
}

# Conditions are parsed by `conditions.parse_condition`, which gives better messages than a
# pydantic union could ("two operators in one leaf", "a condition must be a mapping ..., got a
# list"); here they may be anything.
_CONDITION_MARK = {"$comment": "redlines:condition"}
ConditionSpec = Annotated[Any, WithJsonSchema(_CONDITION_MARK)]

# A mapping of catalogue terms to values. The values are typed against the catalogue when the
# file loads; the published schema (`schemas.py`) spells out each term of the catalogue in use.
TERMS_MARK = {"$comment": "redlines:terms"}
TermsSpec = Annotated[dict[str, Any], WithJsonSchema(TERMS_MARK)]


# --- rules/<actor>.yaml -------------------------------------------------------------------------

# A rule's tags: lower-case words a user selects rules by (`rules list --tag`, `--select`).
TAG_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
_TAG = re.compile(TAG_PATTERN)


def _tag(value: str) -> str:
    if not _TAG.match(value):
        raise PydanticCustomError(
            "tag",
            "'{text}' is not a tag: a tag is one lower-case word (a-z, 0-9, words joined by "
            "'-'), e.g. territory or black-sea",
            {"text": value[:60]},
        )
    return value


Tag = Annotated[
    str,
    AfterValidator(_tag),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": TAG_PATTERN,
            "description": "One lower-case word (a-z, 0-9, words joined by '-').",
        }
    ),
]


class NoPositionSpec(Spec):
    """Why the rule set has no rule on a term (the coverage matrix shows it in that cell)."""

    noun: ClassVar[str] = "a 'no_position' entry"

    reason: NoPositionReason
    """not_stated (nothing in the sources), not_theirs_to_decide (another actor's act),
    through_another_term (the position is a rule on another term), not_encoded (stated, not made a
    rule; say why) or derived (a term the implications set)."""
    note: str | None = None
    """What was looked for, or why a stated position is not a rule."""


class RuleSetSpec(Spec):
    """Whose rule set this is."""

    noun: ClassVar[str] = "the 'ruleset' header"

    id: Id
    """The rule set's id (lower case, e.g. ukraine); `--actor` accepts it."""
    actor: str
    """The party whose positions the rules encode, as reports name it."""
    title: str
    """What the rule set covers."""
    version: str | None = None
    """A version of the positions, shown in reports."""
    description: str | None = None
    """Longer text: what the rules draw on, and up to when the positions were reviewed."""
    sources: list[SourceSpec] = Field(default_factory=_no_items)
    """Sources for the rule set as a whole."""
    reviewed: Date | None = None
    """The day the positions were last checked against the sources (YYYY-MM-DD); every report
    shows it."""
    no_position: dict[str, NoPositionSpec] = Field(default_factory=dict)
    """Terms the actor has no rule on, each with the reason (term -> reason and note)."""


class ExampleSpec(Spec):
    """A minimal draft that meets, violates or leaves open the rule it belongs to."""

    noun: ClassVar[str] = "an example"

    meets: TermsSpec | None = None
    """Terms (term: value) of a one-clause draft that meets the rule."""
    violates: TermsSpec | None = None
    """Terms (term: value) of a one-clause draft that violates the rule."""
    open: TermsSpec | None = None
    """Terms (term: value) of a one-clause draft that leaves the rule open."""
    as_of: Date | None = None
    """The day to judge the example on (default: the rule's last day in force, or for a rule
    still in force, the first day the newest positions of the rule book hold)."""
    note: str | None = None
    """What the example shows."""

    @model_validator(mode="after")
    def _one_outcome(self) -> "ExampleSpec":
        given = [k for k in ("meets", "violates", "open") if getattr(self, k) is not None]
        if len(given) != 1:
            said = ", ".join(given) if given else "none of them"
            raise PydanticCustomError(
                "shape",
                "an example says exactly one of 'meets', 'violates' or 'open' "
                "(with the terms of its draft); this one has {said}",
                {"said": said},
            )
        return self

    @property
    def expected(self) -> Literal["met", "violated", "open"]:
        if self.meets is not None:
            return "met"
        return "violated" if self.violates is not None else "open"

    @property
    def terms(self) -> dict[str, Any]:
        return self.meets or self.violates or self.open or {}


class RuleSpec(Spec):
    """One position of one actor: a condition over terms, with its severity and sources."""

    noun: ClassVar[str] = "a rule"

    id: Id
    """The rule's id, unique across the rules directory (e.g. UA-TERR-1). Public: reports,
    SARIF and waivers name it."""
    title: str
    """What the rule asks for, in a few words."""
    severity: Severity
    """red_line (a violation makes the actor reject the draft), priority or preference."""
    weight: StrictInt | None = Field(default=None, ge=1)
    """How much a priority or preference counts (1 or more); red lines have none."""
    tags: list[Tag] = Field(default_factory=_no_items, json_schema_extra={"uniqueItems": True})
    """Lower-case words that group rules across rule sets (territory, nato, sanctions):
    `redlines rules list --tag` and rule selection filter on them."""
    requires: ConditionSpec
    """The condition a draft must meet."""
    when_silent: WhenSilent = WhenSilent.OPEN
    """What the rule is when the draft leaves a term it needs unset: open (default), met or
    violated."""
    message: str
    """What a violation means, written for the reader of a report."""
    rationale: str | None = None
    """Why the actor holds this position, in our words; where sources disagree, say so."""
    sources: list[SourceSpec] = Field(default_factory=_no_items)
    """Where the position is stated."""
    valid_from: Date | None = None
    """The first day the position holds (YYYY-MM-DD)."""
    valid_until: Date | None = None
    """The last day the position holds (inclusive)."""
    superseded_by: str | None = None
    """The id of the rule that replaced this one after valid_until."""
    examples: list[ExampleSpec] = Field(default_factory=_no_items)
    """Minimal drafts that meet, violate or leave open this rule; `redlines test` runs them."""

    @field_validator("tags")
    @classmethod
    def _tags_once(cls, tags: list[str]) -> list[str]:
        repeated = sorted({tag for tag in tags if tags.count(tag) > 1})
        if repeated:
            raise PydanticCustomError(
                "tag", "tag '{tag}' is listed twice; list each tag once", {"tag": repeated[0]}
            )
        return tags

    @model_validator(mode="after")
    def _weights_and_dates(self) -> "RuleSpec":
        # ctx["key"] names the key the loader points at.
        if self.severity is Severity.RED_LINE and self.weight is not None:
            raise PydanticCustomError(
                "weight",
                "a red line carries no 'weight' (only priorities and preferences do); "
                "remove it, or change 'severity'",
                {"key": "weight"},
            )
        if self.severity is not Severity.RED_LINE and self.weight is None:
            raise PydanticCustomError(
                "weight",
                "a {severity} needs a 'weight' (a whole number, 1 or more)",
                {"severity": self.severity.value, "key": "severity"},
            )
        _check_dates(self.valid_from, self.valid_until)
        return self


class RulesFile(Spec):
    """rules/<actor>.yaml: one actor's rule set."""

    noun: ClassVar[str] = "a rules file"
    layout: ClassVar[str] = "'ruleset' and 'rules'"

    ruleset: RuleSetSpec
    """Whose rule set this is."""
    rules: list[RuleSpec]
    """The actor's red lines, priorities and preferences."""


class ImplicationSpec(Spec):
    """Terms derived from terms: when the condition holds, the `then` terms take these values."""

    noun: ClassVar[str] = "an implication"

    id: Id
    """The implication's id, unique across the rules directory (e.g. IMP-CONST-1)."""
    title: str | None = None
    """What follows from what, in a few words."""
    when: ConditionSpec
    """The condition under which the terms are derived."""
    # (pydantic reads no docstring for a field whose schema is replaced and constrained)
    then: TermsSpec = Field(
        min_length=1, description="The derived terms and their values (term: value)."
    )
    rationale: str | None = None
    """Why it follows, in our words."""
    sources: list[SourceSpec] = Field(default_factory=_no_items)
    """Where the link is stated (a law, a constitution)."""
    valid_from: Date | None = None
    """The first day the implication holds (YYYY-MM-DD)."""
    valid_until: Date | None = None
    """The last day the implication holds (inclusive)."""
    superseded_by: str | None = None
    """The id of the implication that replaced this one after valid_until."""

    @model_validator(mode="after")
    def _dates(self) -> "ImplicationSpec":
        _check_dates(self.valid_from, self.valid_until)
        return self


class ImplicationsFile(Spec):
    """rules/implications.yaml: terms derived from terms."""

    noun: ClassVar[str] = "an implications file"
    layout: ClassVar[str] = "'implications'"

    implications: list[ImplicationSpec]
    """Terms derived from terms, chained until nothing new follows."""


class TieSpec(Spec):
    """Terms that cannot contradict each other: a condition every coherent draft satisfies."""

    noun: ClassVar[str] = "a tie"

    id: Id
    """The tie's id, unique across the rules directory (e.g. TIE-ARMY-1)."""
    title: str
    """What the tie says, in a few words."""
    requires: ConditionSpec
    """The condition every coherent draft satisfies."""
    level: TieLevel = TieLevel.CONTRADICTION
    """contradiction (a draft breaking it contradicts itself) or warning (a soft tie, whose
    sources disagree: a draft breaking it gets a warning)."""
    rationale: str | None = None
    """Why the terms are tied, in our words, and which way silence is read."""
    sources: list[SourceSpec] = Field(default_factory=_no_items)
    """Where the terms' meaning, and so the tie, comes from."""
    valid_from: Date | None = None
    """The first day the tie holds (YYYY-MM-DD)."""
    valid_until: Date | None = None
    """The last day the tie holds (inclusive)."""
    superseded_by: str | None = None
    """The id of the tie that replaced this one after valid_until."""

    @model_validator(mode="after")
    def _dates(self) -> "TieSpec":
        _check_dates(self.valid_from, self.valid_until)
        return self


class TiesFile(Spec):
    """rules/ties.yaml: terms that cannot contradict each other."""

    noun: ClassVar[str] = "a ties file"
    layout: ClassVar[str] = "'ties'"

    ties: list[TieSpec]
    """Conditions every coherent draft satisfies."""


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise PydanticCustomError(
            "dates",
            "valid_until {end} is before valid_from {start}; swap them or fix one",
            {"end": end.isoformat(), "start": start.isoformat(), "key": "valid_until"},
        )


# --- proposals/*.yaml ---------------------------------------------------------------------------


class OptionSpec(Spec):
    """One alternative of a bracketed clause: a title and the terms it sets."""

    noun: ClassVar[str] = "an option"

    title: str
    """What the option says, in a few words (e.g. "E3 wording: 800,000 in peacetime")."""
    terms: TermsSpec = Field(
        description="The catalogue terms this option sets (term: value); at least one, and none "
        "that the draft's text (any clause's own terms) sets."
    )
    proposed_by: str | None = None
    """Who put this option on the table."""
    note: str | None = None
    """A remark on the option."""
    sources: list[SourceSpec | str] = Field(default_factory=_no_items)
    """Where the option's wording comes from: source mappings, or ids of the proposal's
    sources."""


class ClauseSpec(Spec):
    """One clause of a draft: what it says, and the terms it sets."""

    noun: ClassVar[str] = "a clause"

    id: ClauseId
    """The clause's id, unique in the proposal (its number in the text, e.g. "7")."""
    title: str
    """What the clause is about, in a few words."""
    text: str
    """The clause in our own words."""
    terms: TermsSpec | None = None
    """The catalogue terms the clause sets (term: value). `terms: {}` says on purpose that the
    clause decides no term; left out or empty, lint asks for them."""
    sources: list[SourceSpec | str] = Field(default_factory=_no_items)
    """Where the clause's text comes from: source mappings, or ids of the proposal's sources."""
    note: str | None = None
    """A remark: where reports disagree, why a term is left unset."""
    state: Literal["agreed", "bracketed"] | None = None
    """agreed (settled text; the default) or bracketed (still under negotiation; the default for
    a clause with options)."""
    proposed_by: str | None = None
    """Who proposed the clause's wording (for a bracketed clause: whose text it is)."""
    options: list[OptionSpec] | None = None
    """The alternatives of a bracketed clause, of which a deal takes one: each a title and the
    terms it sets. The clause's own `terms` are what every option shares."""


class ProposalMetaSpec(Spec):
    """What the draft is, when it was written, and where its text comes from."""

    noun: ClassVar[str] = "the 'proposal' header"

    id: Id
    """The proposal's id: its file name in lower-kebab case (e.g. us-28-point-2025-11)."""
    title: str
    """The draft's name, as reports show it."""
    date: Date
    """The day the draft is dated (YYYY-MM-DD); by default the rules in force on it apply."""
    status: ProposalStatus
    """draft, leaked, reported (known only through press reports), tabled, agreed or
    rejected."""
    note: str | None = None
    """A remark on provenance."""
    sources: list[SourceSpec] = Field(default_factory=_no_items)
    """Where the text comes from; give each an id to cite it from clauses."""


# A clause a variant drops: an id of its base, which may be written as a number.
ClauseRef = Annotated[str, WithJsonSchema({"type": ["string", "integer"]})]


class ProposalFile(Spec):
    """proposals/*.yaml: a draft, or a variant of another via `base:`."""

    noun: ClassVar[str] = "a proposal file"
    layout: ClassVar[str] = "'proposal' and 'clauses' (or 'base')"

    proposal: ProposalMetaSpec
    """What the draft is, when it was written, and where its text comes from."""
    clauses: list[ClauseSpec] | None = None
    """The draft's clauses (a variant has none: it lists its changes to its base)."""
    base: str | None = None
    """A variant's base: a proposal file relative to this one (inside the repository), or
    `bundled:ID` for a draft bundled with redlines (e.g. bundled:us-28-point-2025-11)."""
    replace: dict[str, ClauseSpec] | None = None
    """Clauses of the base replaced whole: clause id -> the new clause (same id)."""
    drop: list[ClauseRef] | None = None
    """Ids of the base's clauses this variant removes."""
    add: list[ClauseSpec] | None = None
    """New clauses, appended after the base's."""
    options: dict[str, list[OptionSpec]] | None = None
    """Options added to the base's clauses: clause id -> its new options. The clause becomes
    bracketed; its own terms become its first option ("as in" the base), unless it already
    offers options."""

    @field_validator("drop", mode="before")
    @classmethod
    def _drop_ids_as_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [_id_as_text(v) for v in value]
        return value

    @model_validator(mode="after")
    def _draft_or_variant(self) -> "ProposalFile":
        changes = (
            self.replace is not None
            or self.drop is not None
            or self.add is not None
            or self.options is not None
        )
        if self.base is None:
            if self.clauses is None and changes:
                raise PydanticCustomError(
                    "shape",
                    "'replace', 'drop', 'add' and 'options' change a base: "
                    "add 'base: FILE' naming the proposal they vary",
                )
            if self.clauses is None:
                raise PydanticCustomError(
                    "shape", "a proposal needs 'clauses' (or 'base' to be a variant)"
                )
            if changes:
                raise PydanticCustomError(
                    "shape",
                    "'replace', 'drop', 'add' and 'options' need a 'base' to change "
                    "(in a draft, write a clause's options under the clause)",
                )
        elif self.clauses is not None:
            raise PydanticCustomError(
                "shape", "a variant lists its changes in 'replace', 'drop' and 'add', not 'clauses'"
            )
        return self


# --- test files (`redlines test`) ---------------------------------------------------------------

RuleStatus = Literal["met", "violated", "open"]


class ExpectedActorSpec(Spec, defer_build=True):
    """What one actor's verdict must be on the case's draft."""

    noun: ClassVar[str] = "an actor's expected verdict"

    verdict: Literal["accepts", "open", "rejects"] | None = None
    """accepts, open (no red line violated, some open) or rejects (a red line violated)."""
    violated: list[str] | None = None
    """Exactly the red lines (ids) of this actor the draft violates."""
    open: list[str] | None = None
    """Exactly the red lines (ids) of this actor the draft leaves open."""


class TestCaseSpec(Spec, defer_build=True):
    """One case: a draft, the day it is judged on, and what the rules must say of it."""

    noun: ClassVar[str] = "a test case"
    __test__ = False  # not a pytest class, whatever its name

    name: str
    """What the case shows; failures name the case by it."""
    proposal: str | None = None
    """The draft: a proposal file relative to this test file (inside the repository), or
    `bundled:ID` for a bundled draft."""
    terms: TermsSpec | None = None
    """Terms (term: value): alone, a one-clause draft setting them; with `proposal`, laid over
    it as `--set` would."""
    as_of: Date | None = None
    """The day to judge on (default: the proposal's date; for terms alone, required)."""
    why: str | None = None
    """Why the draft comes out this way, in a line (not checked)."""
    rules: dict[str, RuleStatus] | None = None
    """Rule id -> met, violated or open: the status each named rule must have."""
    actors: dict[str, ExpectedActorSpec] | None = None
    """Rule set id (or actor) -> its expected verdict and red lines."""
    overall: Literal["feasible", "incomplete", "infeasible"] | None = None
    """The expected overall verdict."""

    @model_validator(mode="after")
    def _draft_and_expectation(self) -> "TestCaseSpec":
        if self.proposal is None and self.terms is None:
            raise PydanticCustomError(
                "shape", "a test case needs a 'proposal' (a file) or 'terms' (an inline draft)"
            )
        if self.proposal is None and self.as_of is None:
            raise PydanticCustomError(
                "shape",
                "a case with only 'terms' needs 'as_of': the day its draft is judged on",
            )
        if self.rules is None and self.actors is None and self.overall is None:
            raise PydanticCustomError(
                "shape",
                "a test case expects something: add 'rules', 'actors' or 'overall'",
            )
        return self


class TestFile(Spec, defer_build=True):
    """A `redlines test` file: drafts and what the rules must say of them."""

    noun: ClassVar[str] = "a test file"
    layout: ClassVar[str] = "'tests'"
    __test__ = False

    tests: list[TestCaseSpec] = Field(min_length=1)
    """The cases, each a draft with its expected rule statuses and verdicts."""


SPEC_FOR_KIND: dict[str, type[Spec]] = {
    "terms": TermsFile,
    "rules": RulesFile,
    "implications": ImplicationsFile,
    "ties": TiesFile,
    "proposal": ProposalFile,
    "test": TestFile,
}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one input file kind, with the condition grammar filled in."""
    schema: dict[str, Any] = _link_conditions(SPEC_FOR_KIND[kind].model_json_schema())
    if kind in ("rules", "implications", "ties"):
        schema.setdefault("$defs", {})["Condition"] = _CONDITION_SCHEMA
    return schema


def _link_conditions(node: Any) -> Any:
    # pydantic cannot emit a $ref to a definition it does not own, so conditions are marked
    # and linked to the hand-written grammar here (keeping the field's description).
    if isinstance(node, dict) and node.get("$comment") == _CONDITION_MARK["$comment"]:
        kept = {key: value for key, value in node.items() if key != "$comment"}
        return {"$ref": "#/$defs/Condition", **kept}
    if isinstance(node, dict):
        return {key: _link_conditions(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_link_conditions(item) for item in node]
    return node
