"""redlines: check draft peace proposals against the parties' declared red lines.

>>> import redlines
>>> rules = redlines.load_rules()                      # the bundled rules
>>> draft = redlines.load_proposal("proposals/us-28-point-2025-11.yaml", rules)
>>> report = redlines.check(draft, rules)
>>> report.overall                                     # doctest: +SKIP

The public surface is `__all__`: loading, checking (one draft, several, or a sweep), the three
analyses (`analyze_space`, `diff_reports`, `explain_rule`) and the models they return. Everything
else (the engines, the term catalogue's parts, positions) lives in its module, e.g.
`redlines.models` and `redlines.engine`.
"""

from typing import TYPE_CHECKING, Any

from .loader import load_proposal, load_rules, load_terms
from .models import InputError, Problem, Proposal, Rule, RuleBook, Severity
from .report import (
    ActorVerdict,
    ActorVerdictKind,
    Finding,
    Report,
    ReportSet,
    Status,
    Verdict,
    check,
    check_all,
)
from .version import __version__

if TYPE_CHECKING:
    from .batch import BatchResult, Outcome, check_many, summarize
    from .diff import ProposalDiff, diff_reports
    from .explain import Explanation, explain_rule
    from .space import SpaceReport, analyze_space

# `batch`, `space`, `diff` and `explain` load on first use, so a one-off `check` never pays for
# the solver or the batch machinery.
_LAZY = {
    "BatchResult": "batch", "Outcome": "batch", "check_many": "batch", "summarize": "batch",
    "ProposalDiff": "diff", "diff_reports": "diff",
    "Explanation": "explain", "explain_rule": "explain",
    "SpaceReport": "space", "analyze_space": "space",
}  # fmt: skip

# Exported here before the public surface was cut down; each still works, with a warning that
# names the module to import it from.
_MOVED = {
    "Catalogue": "models", "Clause": "models", "Condition": "models", "Implication": "models",
    "Origin": "models", "RuleSet": "models", "Setting": "models", "Source": "models",
    "Term": "models", "TermType": "models",
    "DurableEngine": "engine", "Engine": "engine", "PythonEngine": "engine",
    "durable_available": "engine", "make_engine": "engine",
    "bundled_dir": "loader",
    "SpaceVerdict": "space",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        module = _MOVED.get(name)
        if module is None:
            raise AttributeError(f"module 'redlines' has no attribute '{name}'")
        import warnings

        warnings.warn(
            f"redlines.{name} is deprecated; import it from redlines.{module}",
            DeprecationWarning,
            stacklevel=2,
        )
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "ActorVerdict",
    "ActorVerdictKind",
    "BatchResult",
    "Explanation",
    "Finding",
    "InputError",
    "Outcome",
    "Problem",
    "Proposal",
    "ProposalDiff",
    "Report",
    "ReportSet",
    "Rule",
    "RuleBook",
    "Severity",
    "SpaceReport",
    "Status",
    "Verdict",
    "__version__",
    "analyze_space",
    "check",
    "check_all",
    "check_many",
    "diff_reports",
    "explain_rule",
    "load_proposal",
    "load_rules",
    "load_terms",
    "summarize",
]
