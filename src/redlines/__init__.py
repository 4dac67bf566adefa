"""redlines: check draft peace proposals against the parties' declared red lines.

>>> import redlines
>>> rules = redlines.load_rules()                      # the bundled rules
>>> draft = redlines.load_proposal("proposals/us-28-point-2025-11.yaml", rules)
>>> report = redlines.check(draft, rules)
>>> report.overall                                     # doctest: +SKIP
"""

from typing import TYPE_CHECKING, Any

from .engine import DurableEngine, Engine, PythonEngine, durable_available, make_engine
from .loader import bundled_dir, load_proposal, load_rules, load_terms
from .models import (
    Catalogue,
    Clause,
    Condition,
    Implication,
    InputError,
    Origin,
    Problem,
    Proposal,
    Rule,
    RuleBook,
    RuleSet,
    Setting,
    Severity,
    Source,
    Term,
    TermType,
)
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
    from .diff import ProposalDiff
    from .explain import Explanation
    from .space import SpaceReport, SpaceVerdict, analyze_space

# `batch`, `space`, `diff` and `explain` load on first use, so a one-off `check` never pays for
# the solver or the batch machinery. The `diff` and `explain` functions stay in their modules
# (`from redlines.diff import diff`): a package attribute named like a submodule would be
# replaced by the module on its first import.
_LAZY = {
    "BatchResult": "batch", "Outcome": "batch", "check_many": "batch", "summarize": "batch",
    "ProposalDiff": "diff",
    "Explanation": "explain",
    "SpaceReport": "space", "SpaceVerdict": "space", "analyze_space": "space",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'redlines' has no attribute '{name}'")
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)


__all__ = [
    "ActorVerdict",
    "ActorVerdictKind",
    "BatchResult",
    "Catalogue",
    "Clause",
    "Condition",
    "DurableEngine",
    "Engine",
    "Explanation",
    "Finding",
    "Implication",
    "InputError",
    "Origin",
    "Outcome",
    "Problem",
    "Proposal",
    "ProposalDiff",
    "PythonEngine",
    "Report",
    "ReportSet",
    "Rule",
    "RuleBook",
    "RuleSet",
    "Setting",
    "Severity",
    "Source",
    "SpaceReport",
    "SpaceVerdict",
    "Status",
    "Term",
    "TermType",
    "Verdict",
    "__version__",
    "analyze_space",
    "bundled_dir",
    "check",
    "check_all",
    "check_many",
    "durable_available",
    "load_proposal",
    "load_rules",
    "load_terms",
    "make_engine",
    "summarize",
]
