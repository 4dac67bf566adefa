"""Decide every rule on a set of term values: two engines behind one interface.

`base` holds what they share (the forward chaining of implications, the `Evaluation`), `python`
the engine that compiles conditions to straight-line Python, `durable` the adapter that lets
durable-rules' Rete network decide, and `durable_limits` what that network can take and how the
adapter's rulesets are fitted under it. `make_engine` picks one and compiles it once per rule
book.
"""

from __future__ import annotations

import hashlib
import json
import operator
import sys
import threading
import weakref
from typing import Any

from ..gcpause import collector_paused
from ..memory import OutOfMemory
from ..models import Catalogue, Implication, Rule, RuleBook, Tie
from .base import Clash, Derivation, Engine, EngineName, EngineUnavailable, Evaluation
from .durable import DurableEngine, NotEnoughMemory, durable_available, load_core
from .python import PythonEngine

_cache: dict[tuple[str, str], Engine] = {}
# What an engine was compiled from: the catalogue, the rules, the implications, the ties.
_Logic = tuple[Catalogue, tuple[Rule, ...], tuple[Implication, ...], tuple[Tie, ...]]
# Engines compiled while nothing else was: filed under their fingerprint only when a second
# engine is asked for. Equal books still share one engine, but a process that compiles one
# engine (a `redlines check` of one draft) never pays for the fingerprint (~5% of its start).
_unfiled: list[tuple[str, _Logic, Engine]] = []
_cache_lock = threading.Lock()
_notice_given = False


def make_engine(book: RuleBook, name: EngineName = "auto") -> Engine:
    """An engine for this rule book, compiled once and reused for equal rule books.

    "auto" is durable-rules where it imports and can take the rule book, else the python engine
    with a one-line notice on stderr saying why (e.g. Python 3.13, where durable-rules does not
    build, or a condition too large for it). "durable" raises EngineUnavailable instead, or
    OutOfMemory when durable-rules would not get the memory it needs.
    """
    auto = name == "auto"
    if name != "python":
        if durable_available():
            name = "durable"
        else:
            why = _why_unavailable()
            if not auto:
                raise _refusal(why)
            _notice(str(why))
            name = "python"
    with _cache_lock, collector_paused():
        logic = _logic(book)
        key = None
        for filed_as, compiled_from, compiled in _unfiled:
            if filed_as == name and _same_objects(compiled_from, logic):
                return compiled  # the same rule objects (a check after `--engine`'s early compile)
        if _cache or _unfiled:
            _file_unfiled()
            key = (name, _fingerprint(logic))
            found = _cache.get(key)
            if found is not None:
                return found
        try:
            engine = DurableEngine(book) if name == "durable" else PythonEngine(book)
        except EngineUnavailable as why:
            if not auto:
                raise _refusal(why) from None
            _notice(str(why))
            engine = PythonEngine(book)
        if key is None:
            _unfiled.append((name, logic, engine))
        else:
            _cache[key] = engine
    return engine


def _same_objects(one: _Logic, other: _Logic) -> bool:
    """Whether two books hold the very same catalogue, rules, implications and ties (frozen
    objects: the same logic, known without dumping any of it)."""
    if one[0] is not other[0]:
        return False
    return all(
        len(mine) == len(theirs) and all(map(operator.is_, mine, theirs))
        for mine, theirs in zip(one[1:], other[1:], strict=True)
    )


def _file_unfiled() -> None:
    """Put the engines compiled so far without a fingerprint under theirs (the first stays)."""
    while _unfiled:
        name, logic, engine = _unfiled.pop(0)
        _cache.setdefault((name, _fingerprint(logic)), engine)


def _why_unavailable() -> EngineUnavailable:
    try:
        load_core()
    except EngineUnavailable as why:
        return why
    return EngineUnavailable("durable-rules is not available here")


def _refusal(why: EngineUnavailable) -> Exception:
    """What `--engine durable` says when durable-rules cannot take the rule book."""
    if isinstance(why, NotEnoughMemory):
        return OutOfMemory(str(why))
    if str(why) == "durable-rules is not available here":
        return EngineUnavailable(
            "the durable engine needs durable-rules, which is not installed or does not build on "
            f"Python {sys.version_info.major}.{sys.version_info.minor}; use --engine python"
        )
    return EngineUnavailable(f"{why}; use --engine python")


def _notice(why: str) -> None:
    global _notice_given
    if not _notice_given:
        print(f"redlines: {why}; using the python engine", file=sys.stderr)
        _notice_given = True


def _logic(book: RuleBook) -> _Logic:
    return book.catalogue, book.rules, book.implications, book.ties


def _fingerprint(logic: _Logic) -> str:
    """A digest of what an engine compiles: the term names and domains, the logic of the rules,
    implications and ties."""
    catalogue, rules, implications, ties = logic
    digest = hashlib.sha256()
    for part in (
        # The domains too: the ties narrow a term to its catalogue values.
        json.dumps([(n, t.type.value, t.values) for n, t in sorted(catalogue.terms.items())]),
        *(_content_key(rule, {"id", "requires"}) for rule in rules),
        *(_content_key(imp, {"id", "when", "then"}) for imp in implications),
        *(_content_key(tie, {"id", "requires", "level"}) for tie in ties),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


# Each rule's part of the key, remembered by object: `in_force` and `for_actors` build new books
# around the same frozen Rule objects, so a check does not dump every rule again (at 10,000 rules
# that was ~0.35 s per call). An entry goes when its object is collected.
_content_keys: dict[int, tuple[weakref.ref[Any], str]] = {}


def _content_key(item: Rule | Implication | Tie, fields: set[str]) -> str:
    ident = id(item)
    found = _content_keys.get(ident)
    if found is not None and found[0]() is item:
        return found[1]
    key = json.dumps(item.model_dump(mode="json", include=fields), sort_keys=True, default=str)

    def forget(ref: weakref.ref[Any]) -> None:
        if _content_keys.get(ident, (None, ""))[0] is ref:
            del _content_keys[ident]

    _content_keys[ident] = (weakref.ref(item, forget), key)
    return key


__all__ = [
    "Clash",
    "Derivation",
    "DurableEngine",
    "Engine",
    "EngineName",
    "EngineUnavailable",
    "Evaluation",
    "PythonEngine",
    "durable_available",
    "make_engine",
]
