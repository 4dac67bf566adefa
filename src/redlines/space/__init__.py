"""The negotiating space: is any package acceptable to every actor, and if not, why not?

`analyze_space(book)` looks at the blank page, `analyze_space(book, draft)` at a draft with its set
terms fixed and its open terms free. Both answer the same questions (docs/space.md):

1. feasibility, with a witness package the engine checks and must find feasible;
2. deadlocks: minimal sets of red lines that cannot hold together (unsatisfiable cores);
3. the zone of possible agreement: per term, the values still possible;
4. the cheapest concessions: the least weight of rules to give up so a package exists, and the
   best package under the weighted priorities;
5. for a draft, which open terms still need a value, and a sharper verdict than the engine's
   `incomplete`: `completable` or `deadlocked`;

plus a pairwise view of which actors' red lines are compatible on their own.

The semantics are the engine's, exactly. `models` holds what a report says, `encoding` turns a
rule book into one CNF with those semantics, `solver` is the SAT layer (the only code that
touches pysat), and `analyses` asks the questions and has the engine check every answer.
"""

from ..report import RuleRef
from .analyses import (
    AGREEABLE,
    DEFAULT_CORE_BUDGET,
    DEFAULT_MAX_CORES,
    SpaceError,
    analyze_all,
    analyze_space,
    default_as_of,
    package_proposal,
)
from .models import (
    ActorOutcome,
    Compatibility,
    Concessions,
    Core,
    Deadlocks,
    DraftSetting,
    Interval,
    Package,
    PackageTerm,
    SpaceReport,
    SpaceReportSet,
    SpaceVerdict,
    TermZone,
    Zone,
)

__all__ = [
    "AGREEABLE",
    "DEFAULT_CORE_BUDGET",
    "DEFAULT_MAX_CORES",
    "ActorOutcome",
    "Compatibility",
    "Concessions",
    "Core",
    "Deadlocks",
    "DraftSetting",
    "Interval",
    "Package",
    "PackageTerm",
    "RuleRef",
    "SpaceError",
    "SpaceReport",
    "SpaceReportSet",
    "SpaceVerdict",
    "TermZone",
    "Zone",
    "analyze_all",
    "analyze_space",
    "default_as_of",
    "package_proposal",
]
