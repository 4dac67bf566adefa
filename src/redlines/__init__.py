"""redlines: check draft peace proposals against the parties' declared red lines.

    >>> import redlines
    >>> rules = redlines.load_rules()                      # the bundled rules
    >>> draft = redlines.load_proposal("proposals/us-28-point-2025-11.yaml", rules)
    >>> report = redlines.check(draft, rules)
    >>> report.overall                                     # doctest: +SKIP
"""

from .diff import ProposalDiff, diff
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
from .space import SpaceReport, SpaceVerdict, analyze_space
from .version import __version__
from .explain import Explanation, explain

__all__ = [
    "ActorVerdict",
    "ActorVerdictKind",
    "Catalogue",
    "Clause",
    "Condition",
    "DurableEngine",
    "Explanation",
    "Engine",
    "Finding",
    "Implication",
    "InputError",
    "Origin",
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
    "diff",
    "durable_available",
    "explain",
    "load_proposal",
    "load_rules",
    "load_terms",
    "make_engine",
]
