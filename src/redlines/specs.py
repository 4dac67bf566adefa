"""The shapes users write: one pydantic model per file kind, strict about unknown keys.

`redlines schema terms|rules|proposal` prints their JSON Schema. The loader validates raw YAML
against them first, then builds the domain objects of `models.py` with positions and types.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any, ClassVar

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

from .models import ProposalStatus, Severity, Source, TermType, WhenSilent
from .operators import OPERATORS


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else ''."""
    if len(word) > 200:  # no near miss is that long, and difflib would take its time
        return ""
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


class SourceSpec(Spec):
    noun: ClassVar[str] = "a source"

    id: Id | None = None
    title: str | None = None
    outlet: str | None = None
    authority: str | None = None
    url: str | None = None
    date: Date | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _url_or_title(self) -> SourceSpec:
        if not self.url and not self.title:
            raise PydanticCustomError(
                "source", "a source needs a 'url' or a 'title' (it has neither)"
            )
        return self

    def to_source(self) -> Source:
        return Source(**self.model_dump())


# --- terms.yaml ---------------------------------------------------------------------------------


class TermSpec(Spec):
    noun: ClassVar[str] = "a term"

    title: str
    type: TermType
    values: list[str] | None = None
    unit: str | None = None
    min: StrictInt | None = None
    max: StrictInt | None = None
    description: str | None = None
    sources: list[SourceSpec] = Field(default_factory=list)


class TermsFile(Spec):
    """rules/terms.yaml: the catalogue of negotiable terms."""

    noun: ClassVar[str] = "a term catalogue"
    layout: ClassVar[str] = "'terms'"

    terms: dict[str, TermSpec]


# --- conditions ---------------------------------------------------------------------------------

# What follows each operator in a term test, as JSON Schema.
_OPERATOR_VALUE_SCHEMA: dict[str, dict[str, Any]] = {
    "one": {},
    "list": {"type": "array", "minItems": 1},
    "none": {"const": True},
}
_CONDITION_SCHEMA: dict[str, Any] = {
    "$comment": "all / any / not / if+then, or a leaf {term: T, OP: V}",
    "type": "object",
    "minProperties": 1,
    "properties": {
        "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}},
        "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Condition"}},
        "not": {"$ref": "#/$defs/Condition"},
        "if": {"$ref": "#/$defs/Condition"},
        "then": {"$ref": "#/$defs/Condition"},
        "term": {"type": "string"},
        **{name: _OPERATOR_VALUE_SCHEMA[op.shape] for name, op in OPERATORS.items()},
    },
    "additionalProperties": False,
}

# Conditions are parsed by `conditions.parse_condition`, which gives better messages than a
# pydantic union could ("two operators in one leaf", "a condition must be a mapping ..., got a
# list"); here they may be anything.
_CONDITION_MARK = {"$comment": "redlines:condition"}
ConditionSpec = Annotated[Any, WithJsonSchema(_CONDITION_MARK)]


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


class RuleSetSpec(Spec):
    noun: ClassVar[str] = "the 'ruleset' header"

    id: Id
    actor: str
    title: str
    version: str | None = None
    description: str | None = None
    sources: list[SourceSpec] = Field(default_factory=list)


class RuleSpec(Spec):
    noun: ClassVar[str] = "a rule"

    id: Id
    title: str
    severity: Severity
    weight: StrictInt | None = Field(default=None, ge=1)
    tags: list[Tag] = Field(
        default_factory=list,
        description="Lower-case words that group rules across rule sets (territory, nato, "
        "sanctions): `redlines rules list --tag` and rule selection filter on them.",
        json_schema_extra={"uniqueItems": True},
    )
    requires: ConditionSpec
    when_silent: WhenSilent = WhenSilent.OPEN
    message: str
    rationale: str | None = None
    sources: list[SourceSpec] = Field(default_factory=list)
    valid_from: Date | None = None
    valid_until: Date | None = None
    superseded_by: str | None = None

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
    def _weights_and_dates(self) -> RuleSpec:
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
    rules: list[RuleSpec]


class ImplicationSpec(Spec):
    noun: ClassVar[str] = "an implication"

    id: Id
    title: str | None = None
    when: ConditionSpec
    then: dict[str, Any] = Field(min_length=1)
    rationale: str | None = None
    sources: list[SourceSpec] = Field(default_factory=list)
    valid_from: Date | None = None
    valid_until: Date | None = None
    superseded_by: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> ImplicationSpec:
        _check_dates(self.valid_from, self.valid_until)
        return self


class ImplicationsFile(Spec):
    """rules/implications.yaml: terms derived from terms."""

    noun: ClassVar[str] = "an implications file"
    layout: ClassVar[str] = "'implications'"

    implications: list[ImplicationSpec]


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise PydanticCustomError(
            "dates",
            "valid_until {end} is before valid_from {start}; swap them or fix one",
            {"end": end.isoformat(), "start": start.isoformat(), "key": "valid_until"},
        )


# --- proposals/*.yaml ---------------------------------------------------------------------------


class ClauseSpec(Spec):
    noun: ClassVar[str] = "a clause"

    id: ClauseId
    title: str
    text: str
    terms: dict[str, Any] = Field(default_factory=dict)
    sources: list[SourceSpec | str] = Field(default_factory=list)
    note: str | None = None


class ProposalMetaSpec(Spec):
    noun: ClassVar[str] = "the 'proposal' header"

    id: Id
    title: str
    date: Date
    status: ProposalStatus
    note: str | None = None
    sources: list[SourceSpec] = Field(default_factory=list)


# A clause a variant drops: an id of its base, which may be written as a number.
ClauseRef = Annotated[str, WithJsonSchema({"type": ["string", "integer"]})]


class ProposalFile(Spec):
    """proposals/*.yaml: a draft, or a variant of another via `base:`."""

    noun: ClassVar[str] = "a proposal file"
    layout: ClassVar[str] = "'proposal' and 'clauses' (or 'base')"

    proposal: ProposalMetaSpec
    clauses: list[ClauseSpec] | None = None
    base: str | None = None
    replace: dict[str, ClauseSpec] | None = None
    drop: list[ClauseRef] | None = None
    add: list[ClauseSpec] | None = None

    @field_validator("drop", mode="before")
    @classmethod
    def _drop_ids_as_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [_id_as_text(v) for v in value]
        return value

    @model_validator(mode="after")
    def _draft_or_variant(self) -> ProposalFile:
        changes = self.replace is not None or self.drop is not None or self.add is not None
        if self.base is None:
            if self.clauses is None and changes:
                raise PydanticCustomError(
                    "shape",
                    "'replace', 'drop' and 'add' change a base: "
                    "add 'base: FILE' naming the proposal they vary",
                )
            if self.clauses is None:
                raise PydanticCustomError(
                    "shape", "a proposal needs 'clauses' (or 'base' to be a variant)"
                )
            if changes:
                raise PydanticCustomError(
                    "shape", "'replace', 'drop' and 'add' need a 'base' to change"
                )
        elif self.clauses is not None:
            raise PydanticCustomError(
                "shape", "a variant lists its changes in 'replace', 'drop' and 'add', not 'clauses'"
            )
        return self


SPEC_FOR_KIND: dict[str, type[Spec]] = {
    "terms": TermsFile,
    "rules": RulesFile,
    "implications": ImplicationsFile,
    "proposal": ProposalFile,
}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one input file kind, with the condition grammar filled in."""
    schema: dict[str, Any] = _link_conditions(SPEC_FOR_KIND[kind].model_json_schema())
    if kind in ("rules", "implications"):
        schema.setdefault("$defs", {})["Condition"] = _CONDITION_SCHEMA
    return schema


def _link_conditions(node: Any) -> Any:
    # pydantic cannot emit a $ref to a definition it does not own, so conditions are marked
    # and linked to the hand-written grammar here.
    if node == _CONDITION_MARK:
        return {"$ref": "#/$defs/Condition"}
    if isinstance(node, dict):
        return {key: _link_conditions(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_link_conditions(item) for item in node]
    return node
