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

if TYPE_CHECKING:
    from .batch import BatchResult, Outcome, check_many, summarize
    from .diff import ProposalDiff, diff_reports
    from .explain import Explanation, explain_rule
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
    from .space import SpaceReport, analyze_space
    from .version import __version__

# Every name loads on first use: `import redlines` itself imports nothing heavy, so the console
# script can check that there is memory enough to import pydantic before it does (see
# `redlines.console`), and `batch`, `space`, `diff` and `explain` are never paid for by a one-off
# `check`. A submodule (`redlines.engine`) loads when first named, as if imported.
_LAZY = {
    "load_proposal": "loader", "load_rules": "loader", "load_terms": "loader",
    "InputError": "models", "Problem": "models", "Proposal": "models", "Rule": "models",
    "RuleBook": "models", "Severity": "models",
    "ActorVerdict": "report", "ActorVerdictKind": "report", "Finding": "report",
    "Report": "report", "ReportSet": "report", "Status": "report", "Verdict": "report",
    "check": "report", "check_all": "report",
    "__version__": "version",
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
    import importlib
    import importlib.util

    module = _LAZY.get(name)
    if module is None:
        module = _MOVED.get(name)
        if module is None:
            if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}"):
                return importlib.import_module(f".{name}", __name__)
            raise AttributeError(f"module 'redlines' has no attribute '{name}'")
        import warnings

        warnings.warn(
            f"redlines.{name} is deprecated; import it from redlines.{module}",
            DeprecationWarning,
            stacklevel=2,
        )
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    if name in _LAZY:
        globals()[name] = value  # found directly from now on
    return value


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
