"""The shapes of the gate's files: the configuration (`.redlines.yaml`, `[tool.redlines]`), a
waivers file and a baseline, each strict about unknown keys like every file `redlines` reads.

They are imported only when such a file is read, so that a check without one does not pay for
building the models (`config.py`, `baseline.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, StrictBool, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from .baseline import BASELINE_VERSION, Kind
from .models import Severity
from .report import FailOn
from .specs import Date, Spec, _date_only, _id_as_text

# --- the configuration and waivers ---------------------------------------------------------


def _listed(value: Any) -> Any:
    """One text stands for a list of one: `select: territory` is `select: [territory]`."""
    return [value] if isinstance(value, str) else value


TextList = Annotated[list[str], BeforeValidator(_listed)]


def _expiry(value: Any) -> Any:
    if value == "never":
        return None
    try:
        return _date_only(value)
    except PydanticCustomError as err:
        if "date and time" in str(err) or "not a valid date" in str(err):
            raise
        raise PydanticCustomError("date_only", "expected a date (YYYY-MM-DD) or 'never'") from None


# None: the waiver never expires, which a team must say in so many words (`expires: never`).
Expiry = Annotated[dt.date | None, BeforeValidator(_expiry)]
ClauseIdText = Annotated[str, BeforeValidator(_id_as_text)]


def _shape(message: str, key: str) -> PydanticCustomError:
    # "shape" errors are placed at ctx["key"] by the loader (loader/validate.py).
    return PydanticCustomError("shape", message, {"key": key})


class RuleOverrideSpec(Spec):
    """`rule-overrides: {RULE-ID: {...}}`: change one bundled or local rule, with a reason."""

    noun: ClassVar[str] = "a rule override"

    severity: Severity | None = None
    weight: StrictInt | None = Field(default=None, ge=1)
    disabled: StrictBool = False
    reason: str

    @model_validator(mode="after")
    def _says_what_and_why(self) -> RuleOverrideSpec:
        if self.disabled and (self.severity is not None or self.weight is not None):
            raise _shape("a disabled rule takes no 'severity' or 'weight'", "disabled")
        if not self.disabled and self.severity is None and self.weight is None:
            raise _shape(
                "an override changes 'severity' or 'weight', or says 'disabled: true'", "reason"
            )
        if not self.reason.strip():
            raise _shape("'reason' must say why the rule is changed (reports show it)", "reason")
        return self


class WaiverSpec(Spec):
    """One accepted crossing: a rule (id, tag or glob) on some proposals, with a reason."""

    noun: ClassVar[str] = "a waiver"

    rule: str
    proposals: TextList
    clause: ClauseIdText | None = None
    reason: str
    expires: Expiry

    @model_validator(mode="after")
    def _complete(self) -> WaiverSpec:
        if not self.rule.strip():
            raise _shape("'rule' must name a rule id, a tag or a glob of rule ids", "rule")
        if not self.proposals or not all(p.strip() for p in self.proposals):
            raise _shape("'proposals' must name proposal ids, paths or globs", "proposals")
        if not self.reason.strip():
            raise _shape("'reason' must say why the crossing is accepted", "reason")
        return self


class WaiversFile(Spec):
    """A file of waivers that a configuration names in `waivers-file`."""

    noun: ClassVar[str] = "a waivers file"
    layout: ClassVar[str] = "'waivers'"

    waivers: list[WaiverSpec]


class ConfigFile(Spec):
    """`.redlines.yaml`, or `[tool.redlines]` in `pyproject.toml`."""

    noun: ClassVar[str] = "a redlines configuration"
    layout: ClassVar[str] = "settings such as 'rules', 'fail-on' or 'waivers'"

    rules: TextList | None = None
    rule_overrides: dict[str, RuleOverrideSpec] | None = Field(default=None, alias="rule-overrides")
    actors: TextList | None = None
    fail_on: FailOn | None = Field(default=None, alias="fail-on")
    strict: StrictBool | None = None
    as_of: Date | None = Field(default=None, alias="as-of")
    format: str | None = None
    outputs: TextList | None = None
    select: TextList | None = None
    ignore: TextList | None = None
    waivers: list[WaiverSpec] | None = None
    waivers_file: str | None = Field(default=None, alias="waivers-file")
    baseline: str | None = None

    @model_validator(mode="after")
    def _rules_listed(self) -> ConfigFile:
        if self.rules is not None and not self.rules:
            raise _shape("'rules' names the rule books: 'bundled' and rules folders", "rules")
        return self


# --- a baseline ---

_FINGERPRINT = re.compile(r"^[0-9a-f]{32}$")


def _fingerprint(value: Any) -> Any:
    if isinstance(value, str) and not _FINGERPRINT.match(value):
        raise PydanticCustomError(
            "shape",
            "'{text}' is not a fingerprint (32 hexadecimal digits, as --write-baseline "
            "writes them); write the baseline again",
            {"text": value[:60]},
        )
    return value


Fingerprint = Annotated[str, BeforeValidator(_fingerprint)]


class BaselineEntrySpec(Spec):
    noun: ClassVar[str] = "a baseline entry"

    fingerprint: Fingerprint
    rule: str
    kind: Kind
    proposal: str
    path: str
    line: StrictInt = Field(ge=1)


class BaselineFile(Spec):
    """The file `--write-baseline` writes and `--baseline` reads."""

    noun: ClassVar[str] = "a redlines baseline"
    layout: ClassVar[str] = "'redlines-baseline' and 'findings'"

    version: StrictInt = Field(alias="redlines-baseline")
    findings: list[BaselineEntrySpec]

    @model_validator(mode="after")
    def _known_version(self) -> BaselineFile:
        if self.version != BASELINE_VERSION:
            raise PydanticCustomError(
                "shape",
                "this baseline is in version {version} of the format, and this redlines reads "
                "version {known}; write it again with --write-baseline",
                {"version": self.version, "known": BASELINE_VERSION, "key": "redlines-baseline"},
            )
        return self
