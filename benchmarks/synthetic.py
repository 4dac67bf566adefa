"""Synthetic rule directories and proposals for the benchmarks, deterministic for a seed.

    python benchmarks/synthetic.py OUT [--terms N] [--rules N] [--actors N]
        [--seed S] [--depth D] [--red-share X] [--mix B,E,I,D] [--implications N]
        [--proposals N] [--preset space]

writes `OUT/rules/` (terms.yaml, one rule set per actor, implications.yaml when asked) and
`OUT/proposals/` (when asked) in the project's file formats (docs/formats.md). The same
arguments give byte-identical files. A generated set loads with `redlines.load_rules` and lints
with 0 errors and 0 warnings: every rule has a title, message, rationale and a dated source with
a url, every term is used by some rule (unless `cover=False`).

How the content is made, so that it behaves like real positions rather than noise:

- each term has a consensus value (or "unaddressed"); each actor's ideal point departs from it
  on a share of the terms (`contest`), and leaves some terms unaddressed (`silent`);
- every red line is generated to hold at its actor's ideal point, so one actor alone is
  satisfiable (as real positions are; implications, which derive values regardless of actors,
  can break this); priorities and preferences mostly hold there too, red lines are looser
  (walk-away points: a value or two excluded, a bound well away from the ideal);
- conditions are trees of all/any/not/if-then, up to `depth` levels, over leaves of every
  operator (eq/ne/in/not_in on enums and booleans, lt/lte/gt/gte/eq/ne on integers and dates,
  present/absent); integer and date constants come from a coarse grid, so rules share
  thresholds as real ones do;
- actors draw their terms from one shuffled deck, so each term is contested by several actors
  and conflicts between actors' ideal points turn into deadlocks of two or more red lines.

Python 3.11 standard library only (no PyYAML needed to write).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

AREAS = (
    "territory", "security", "sanctions", "economy", "governance", "humanitarian", "energy",
    "military", "justice", "reconstruction",
)  # fmt: skip
SUBJECTS = (
    "status", "ceiling", "guarantee", "withdrawal", "monitoring", "exchange", "assets", "corridor",
    "elections", "amnesty", "tariffs", "deadline", "forces", "zone", "recognition", "access",
    "compensation", "inspections", "transit", "language",
)  # fmt: skip
# Enum values: plain YAML scalars that no resolver reads as anything but text.
WORDS = (
    "rejected", "deferred", "phased", "partial", "monitored", "frozen", "contested", "shared",
    "guaranteed", "full", "conditional", "suspended",
)  # fmt: skip
UNITS = ("personnel", "km", "days", "units", "eur_million")
INT_MAXES = (100, 1_000, 10_000, 1_000_000)
DATE_GRID = tuple(dt.date(year, month, 1) for year in range(2025, 2031) for month in (1, 4, 7, 10))
GRID = 20  # integer constants lie on min + k * (max - min) / GRID
TYPES = ("boolean", "enum", "integer", "date")
RULES_PER_FILE = 800  # well under the loader's 1 MB and 100,000-node limits per file
SOURCE_DATE = dt.date(2025, 1, 15)


@dataclass(frozen=True)
class Spec:
    """What to generate. `mix` weighs the term types in TYPES order."""

    n_terms: int = 100
    n_rules: int = 200
    n_actors: int = 3
    seed: int = 0
    mix: tuple[float, float, float, float] = (0.3, 0.4, 0.2, 0.1)
    depth: int = 2  # levels of all/any/not/if above the leaves (0: every condition is a leaf)
    red_share: float = 0.3  # share of rules that are red lines
    priority_share: float = 0.6  # share of the other rules that are priorities, not preferences
    n_implications: int = 0
    n_proposals: int = 0
    contest: float = 0.35  # chance an actor's ideal value departs from the term's consensus
    silent: float = 0.1  # chance an actor wants a term left unaddressed
    when_silent_met: float = 0.15  # share of rules met by a draft that says nothing on them
    as_of: dt.date = dt.date(2025, 6, 1)  # every rule and implication is in force from here on
    # Mention every term in some rule (lint's RL105), widening rules when there are more terms
    # than leaves. The scaling benchmark's terms sweep turns it off to keep rules one size.
    cover: bool = True

    def __post_init__(self) -> None:
        if self.n_terms < 1 or self.n_rules < 1 or self.n_actors < 1:
            raise ValueError("n_terms, n_rules and n_actors must be at least 1")
        if math.ceil(self.n_rules / self.n_actors) > RULES_PER_FILE:
            raise ValueError(
                f"{self.n_rules} rules over {self.n_actors} actors is more than "
                f"{RULES_PER_FILE} per rule set file; use more actors"
            )
        if len(self.mix) != 4 or min(self.mix) < 0 or sum(self.mix) <= 0:
            raise ValueError("mix: four non-negative weights (boolean, enum, integer, date)")


def space_spec(seed: int = 2) -> Spec:
    """The space benchmark's set: 5 actors x 200 rules over 300 terms, 20% red lines.

    With the default seed the blank page is deadlocked by three minimal cores of 2, 3 and 4 red
    lines (enumeration complete), the cheapest concession gives up 3 red lines, and 3 of the 10
    pairs of actors are incompatible on their own. Fewer booleans than the default mix: two
    actors' red lines on one boolean term that want opposite values are a 2-core every time.
    1,000 rules is the loader's limit for one directory (rules and implications together), so
    this set has no implications.
    """
    return Spec(
        n_terms=300,
        n_rules=1000,
        n_actors=5,
        seed=seed,
        mix=(0.15, 0.45, 0.25, 0.15),
        red_share=0.2,
        depth=2,
    )


def scaling_spec(n_rules: int, n_terms: int | None = None, seed: int = 1) -> Spec:
    """The scaling benchmark's sets: terms = clamp(rules / 2, 10, 5000), <= 500 rules a file."""
    terms = n_terms if n_terms is not None else min(max(n_rules // 2, 10), 5000)
    actors = max(3, math.ceil(n_rules / 500))
    return Spec(n_terms=terms, n_rules=n_rules, n_actors=actors, seed=seed, n_implications=0)


# --- the catalogue --------------------------------------------------------------------------------


@dataclass
class _Term:
    name: str
    title: str
    type: str
    values: tuple[str, ...] = ()
    low: int = 0
    high: int = 0
    unit: str | None = None

    def grid(self) -> list[Any]:
        """The values rules compare this term with (and ideal points take)."""
        if self.type == "boolean":
            return [True, False]
        if self.type == "enum":
            return list(self.values)
        if self.type == "date":
            return list(DATE_GRID)
        step = max(1, (self.high - self.low) // GRID)
        return sorted({min(self.low + k * step, self.high) for k in range(GRID + 1)})


def _catalogue(spec: Spec, rng: random.Random) -> list[_Term]:
    terms = []
    for i in range(spec.n_terms):
        area = AREAS[i % len(AREAS)]
        subject = SUBJECTS[rng.randrange(len(SUBJECTS))]
        kind = rng.choices(TYPES, weights=spec.mix)[0]
        term = _Term(
            name=f"{area}.{subject}_{i:04d}",
            title=f"{area.capitalize()}: {subject} (synthetic term {i})",
            type=kind,
        )
        if kind == "enum":
            count = rng.randint(3, 6)
            start = rng.randrange(len(WORDS))
            term.values = tuple(WORDS[(start + k) % len(WORDS)] for k in range(count))
        elif kind == "integer":
            term.high = rng.choice(INT_MAXES)
            term.unit = rng.choice(UNITS)
        terms.append(term)
    return terms


# --- positions and conditions ---------------------------------------------------------------------

_UNADDRESSED = object()


@dataclass
class _Actor:
    id: str
    name: str
    prefix: str
    ideal: dict[str, Any] = field(default_factory=dict)  # term -> value or _UNADDRESSED


def _positions(spec: Spec, terms: list[_Term], rng: random.Random) -> list[_Actor]:
    consensus = {
        t.name: _UNADDRESSED if rng.random() < spec.silent else rng.choice(t.grid()) for t in terms
    }
    actors = []
    for a in range(spec.n_actors):
        actor = _Actor(id=f"actor{a + 1:02d}", name=f"Actor {a + 1:02d}", prefix=f"A{a + 1:02d}")
        for t in terms:
            if rng.random() < spec.silent:
                actor.ideal[t.name] = _UNADDRESSED
            elif rng.random() < spec.contest or consensus[t.name] is _UNADDRESSED:
                actor.ideal[t.name] = rng.choice(t.grid())
            else:
                actor.ideal[t.name] = consensus[t.name]
        actors.append(actor)
    return actors


class _Deck:
    """Terms in a shuffled order, reshuffled each round: every term gets drawn early on."""

    def __init__(self, names: Sequence[str], rng: random.Random) -> None:
        self.names = list(names)
        self.rng = rng
        self.queue: list[str] = []

    def draw(self) -> str:
        if not self.queue:
            self.queue = self.names[:]
            self.rng.shuffle(self.queue)
        return self.queue.pop()


Cond = dict[str, Any]


class _Conditions:
    def __init__(self, terms: list[_Term], rng: random.Random, deck: _Deck) -> None:
        self.terms = {t.name: t for t in terms}
        self.rng = rng
        self.deck = deck
        # Red lines are walk-away points, not ideals: loose tests far from the ideal point
        # (exclude a value or two, a bound well below or above it), seldom "leave it unsaid".
        self.loose = False

    def make(self, ideal: Mapping[str, Any], target: bool, depth: int) -> Cond:
        """A condition whose truth at the ideal point is definitely `target`."""
        rng = self.rng
        if depth <= 0 or rng.random() < 0.35:
            name = self.deck.draw()
            for _ in range(3):
                if not self.loose or ideal[name] is not _UNADDRESSED:
                    break
                name = self.deck.draw()
            return self.leaf(name, ideal, target)
        kind = rng.choices(("all", "any", "not", "if"), weights=(0.4, 0.3, 0.12, 0.18))[0]
        if kind == "not":
            return {"not": self.make(ideal, not target, depth - 1)}
        if kind == "if":
            # if a then b == any(not a, b); true: a false, or b true; false: a true and b false
            if target:
                if rng.random() < 0.5:
                    return {
                        "if": self.make(ideal, False, depth - 1),
                        "then": self.make(ideal, rng.random() < 0.5, depth - 1),
                    }
                return {
                    "if": self.make(ideal, True, depth - 1),
                    "then": self.make(ideal, True, depth - 1),
                }
            return {
                "if": self.make(ideal, True, depth - 1),
                "then": self.make(ideal, False, depth - 1),
            }
        count = rng.randint(2, 3)
        # all: true needs every part true; false needs one part false. any: the dual.
        decisive = target if kind == "any" else not target
        if (kind == "all") == target:
            targets = [target] * count
        else:
            targets = [rng.random() < 0.5 for _ in range(count)]
            targets[rng.randrange(count)] = decisive
        return {kind: [self.make(ideal, t, depth - 1) for t in targets]}

    def leaf(self, name: str, ideal: Mapping[str, Any], target: bool) -> Cond:
        rng = self.rng
        term = self.terms[name]
        value = ideal[name]
        if value is _UNADDRESSED:
            return {"term": name, "absent" if target else "present": True}
        if rng.random() < 0.05:
            return {"term": name, "present" if target else "absent": True}
        grid = term.grid()
        others = [v for v in grid if v != value]
        if term.type == "boolean":
            op = rng.choice(("eq", "ne"))
            return {"term": name, op: value if (op == "eq") == target else not value}
        if term.type == "enum":
            weights = (0.1, 0.35, 0.25, 0.3) if self.loose else (0.3, 0.2, 0.3, 0.2)
            op = rng.choices(("eq", "ne", "in", "not_in"), weights=weights)[0]
            if op in ("eq", "ne"):
                wanted = value if (op == "eq") == target else rng.choice(others)
                return {"term": name, op: wanted}
            most = len(others) - 1 if len(others) > 1 else 1
            if self.loose and (op == "in") == target:
                size = rng.randint(max(1, most - 1), most)  # allow most values
            elif self.loose:
                size = rng.randint(1, min(2, most))  # exclude a value or two
            else:
                size = rng.randint(1, most)
            chosen = rng.sample(others, size)
            if (op == "in") == target:
                chosen.append(value)
            return {"term": name, op: [v for v in grid if v in chosen]}
        return self._ordered(name, grid, value, target)

    def _ordered(self, name: str, grid: list[Any], value: Any, target: bool) -> Cond:
        """lt/lte/gt/gte (mostly), eq and ne on an integer or date term, on grid constants."""
        rng = self.rng
        below = [c for c in grid if c < value]
        above = [c for c in grid if c > value]
        at_or_below, at_or_above = [*below, value], [value, *above]
        # (op, the constants that make `value op c` come out as `target`)
        options: list[tuple[str, list[Any]]]
        if target:
            options = [("gte", at_or_below), ("lte", at_or_above), ("gt", below), ("lt", above)]
        else:
            options = [("gte", above), ("lte", below), ("gt", at_or_above), ("lt", at_or_below)]
        options = [(op, cs) for op, cs in options if cs]
        if rng.random() < 0.15 or not options:
            if target:
                eq = rng.random() < (0.05 if self.loose else 0.3)
                return {"term": name, "eq": value} if eq else self._ne(name, grid, value)
            return {"term": name, "ne": value}
        op, constants = rng.choice(options)
        # Ideals sit near the ideal point; walk-away points (loose) further out.
        distance = 0.6 if not self.loose else 0.25
        constants = sorted(constants, key=lambda c: abs(grid.index(c) - grid.index(value)))
        offset = int(rng.expovariate(distance))
        if self.loose:
            offset += 2
        return {"term": name, op: constants[min(offset, len(constants) - 1)]}

    def _ne(self, name: str, grid: list[Any], value: Any) -> Cond:
        return {"term": name, "ne": self.rng.choice([c for c in grid if c != value])}


def _terms_of(condition: Cond) -> list[str]:
    if "term" in condition:
        return [condition["term"]]
    if "not" in condition:
        return _terms_of(condition["not"])
    if "if" in condition:
        return _terms_of(condition["if"]) + _terms_of(condition["then"])
    return [name for part in next(iter(condition.values())) for name in _terms_of(part)]


def _leaf_count(condition: Cond) -> int:
    return len(_terms_of(condition))


# --- rules, implications, proposals ---------------------------------------------------------------


def _source(key: str, day: dt.date, kind: str = "outlet") -> dict[str, Any]:
    return {
        "title": f"Synthetic source for {key}",
        kind: "Synthetic Gazette" if kind == "outlet" else "Synthetic Authority",
        "url": f"https://example.org/synthetic/{key.lower()}",
        "date": day,
    }


def _rules(
    spec: Spec, actors: list[_Actor], conditions: _Conditions, rng: random.Random
) -> dict[str, list[dict[str, Any]]]:
    """Rules per actor id; rules dealt to actors round-robin so sizes differ by at most one."""
    by_actor: dict[str, list[dict[str, Any]]] = {a.id: [] for a in actors}
    for i in range(spec.n_rules):
        actor = actors[i % len(actors)]
        number = len(by_actor[actor.id]) + 1
        rule_id = f"{actor.prefix}-{number:04d}"
        roll = rng.random()
        if roll < spec.red_share:
            severity, weight = "red_line", None
            target = True
        else:
            soft = rng.random() < spec.priority_share
            severity = "priority" if soft else "preference"
            weight = rng.randint(1, 10) if soft else rng.randint(1, 3)
            target = rng.random() < 0.85
        conditions.loose = severity == "red_line"
        requires = conditions.make(actor.ideal, target, rng.randint(0, spec.depth))
        conditions.loose = False
        first = _terms_of(requires)[0]
        rule: dict[str, Any] = {
            "id": rule_id,
            "title": f"{actor.name} position {number} on {first}",
            "severity": severity,
            "weight": weight,
            "requires": requires,
        }
        if rng.random() < spec.when_silent_met:
            rule["when_silent"] = "met"
        rule["message"] = f"The draft departs from {actor.name}'s position {number}."
        rule["rationale"] = f"Synthetic position of {actor.name} (seed {spec.seed})."
        published = SOURCE_DATE + dt.timedelta(days=rng.randrange(120))
        rule["sources"] = [_source(rule_id, published)]
        rule["valid_from"] = min(published, spec.as_of)
        by_actor[actor.id].append(rule)
    return by_actor


def _cover(
    spec: Spec,
    terms: list[_Term],
    actors: list[_Actor],
    by_actor: dict[str, list[dict[str, Any]]],
    implications: list[dict[str, Any]],
    conditions: _Conditions,
) -> None:
    """Mention every term somewhere (lint's RL105): unused terms join rules as extra parts.

    Only when there are more terms than leaves; each extra part holds at its actor's ideal
    point, so the actors stay self-consistent.
    """
    used = {name for rules in by_actor.values() for r in rules for name in _terms_of(r["requires"])}
    for imp in implications:
        used.update(_terms_of(imp["when"]))
        used.update(imp["then"])
    unused = [t.name for t in terms if t.name not in used]
    flat = [(a, r) for a in actors for r in by_actor[a.id]]
    for k, name in enumerate(unused):
        actor, rule = flat[k % len(flat)]
        met = rule["severity"] == "red_line" or conditions.rng.random() < 0.85
        part = conditions.leaf(name, actor.ideal, met)
        requires = rule["requires"]
        if "all" in requires:
            requires["all"].append(part)
        else:
            rule["requires"] = {"all": [requires, part]}


def _implications(
    spec: Spec, terms: list[_Term], conditions: _Conditions, rng: random.Random
) -> list[dict[str, Any]]:
    """Implications with one-leaf or small conditions; each term is derived by at most one."""
    derived: set[str] = set()
    found = []
    consensus = {t.name: rng.choice(t.grid()) for t in terms}
    for i in range(spec.n_implications):
        when = conditions.make(consensus, rng.random() < 0.5, rng.randint(0, 1))
        free = [t for t in terms if t.name not in derived and t.name not in _terms_of(when)]
        if not free:
            break
        target = rng.choice(free)
        derived.add(target.name)
        imp_id = f"IMP-{i + 1:04d}"
        found.append(
            {
                "id": imp_id,
                "title": f"Synthetic implication {i + 1}",
                "when": when,
                "then": {target.name: rng.choice(target.grid())},
                "rationale": f"Synthetic legal consequence (seed {spec.seed}).",
                "sources": [_source(imp_id, SOURCE_DATE, "authority")],
                "valid_from": spec.as_of - dt.timedelta(days=365),
            }
        )
    return found


def _proposals(
    spec: Spec, terms: list[_Term], rng: random.Random
) -> list[tuple[str, dict[str, Any]]]:
    """Drafts setting ~30% of the terms in clauses of up to four; plus one variant of the first."""
    files: list[tuple[str, dict[str, Any]]] = []
    for p in range(spec.n_proposals):
        draft_id = f"synthetic-draft-{p + 1:02d}"
        chosen = sorted(rng.sample(range(len(terms)), max(1, int(0.3 * len(terms)))))
        clauses = []
        for c, start in enumerate(range(0, len(chosen), 4)):
            settings = {
                terms[i].name: rng.choice(terms[i].grid()) for i in chosen[start : start + 4]
            }
            clauses.append(
                {
                    "id": str(c + 1),
                    "title": f"Clause {c + 1}",
                    "text": f"Synthetic clause {c + 1} of draft {p + 1}.",
                    "terms": settings,
                    "sources": ["src"],
                }
            )
        day = spec.as_of + dt.timedelta(days=30 * p)
        files.append(
            (
                f"{draft_id}.yaml",
                {
                    "proposal": {
                        "id": draft_id,
                        "title": f"Synthetic draft {p + 1}",
                        "date": day,
                        "status": "draft",
                        "sources": [{"id": "src", **_source(draft_id, day)}],
                    },
                    "clauses": clauses,
                },
            )
        )
    if files:
        base_name, base = files[0]
        first = base["clauses"][0]
        changed = {name: rng.choice(_by_name(terms)[name].grid()) for name in first["terms"]}
        day = spec.as_of + dt.timedelta(days=10)
        variant: dict[str, Any] = {
            "base": base_name,
            "proposal": {
                "id": "synthetic-variant-01",
                "title": "A variant of synthetic draft 1",
                "date": day,
                "status": "draft",
                "sources": [{"id": "var", **_source("synthetic-variant-01", day)}],
            },
            "replace": {
                "1": {
                    **first,
                    "text": "Clause 1, renegotiated.",
                    "terms": changed,
                    "sources": ["var"],
                }
            },
        }
        if len(base["clauses"]) > 1:
            variant["drop"] = ["2"]
        files.append(("synthetic-variant-01.yaml", variant))
    return files


def _by_name(terms: list[_Term]) -> dict[str, _Term]:
    return {t.name: t for t in terms}


# --- writing YAML ---------------------------------------------------------------------------------

_PLAIN_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_RESERVED = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    assert isinstance(value, str)
    # Term names, enum values and rule ids go plain; anything else double-quoted (JSON escapes
    # are valid in YAML's double-quoted style).
    plain = value and value[0].isalpha() and set(value) <= _PLAIN_OK
    return value if plain and value.lower() not in _RESERVED else json.dumps(value)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _block(mapping: Mapping[str, Any], indent: str, flow_keys: frozenset[str]) -> list[str]:
    """A mapping in block style, the keys in `flow_keys` (and every list) in flow style."""
    lines = []
    for key, value in mapping.items():
        if value is None:
            continue
        if isinstance(value, dict) and key not in flow_keys:
            lines.append(f"{indent}{_scalar(key)}:")
            lines.extend(_block(value, indent + "  ", flow_keys))
        else:
            lines.append(f"{indent}{_scalar(key)}: {_flow(value)}")
    return lines


def _items(key: str, items: Sequence[Mapping[str, Any]], flow_keys: frozenset[str]) -> list[str]:
    lines = [f"{key}:"]
    for item in items:
        body = _block(item, "    ", flow_keys)
        lines.append("  - " + body[0].lstrip())
        lines.extend(body[1:])
    return lines


def _header(spec: Spec) -> str:
    shown = {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(spec).items()}
    shown["as_of"] = spec.as_of.isoformat()
    return f"# Generated by benchmarks/synthetic.py; do not edit. {json.dumps(shown)}\n"


def _terms_yaml(spec: Spec, terms: list[_Term]) -> str:
    lines = ["terms:"]
    for t in terms:
        lines.append(f"  {t.name}:")
        lines.append(f"    title: {json.dumps(t.title)}")
        lines.append(f"    type: {t.type}")
        if t.type == "enum":
            lines.append(f"    values: {_flow(list(t.values))}")
        if t.type == "integer":
            lines.append(f"    unit: {t.unit}")
            lines.append(f"    min: {t.low}")
            lines.append(f"    max: {t.high}")
    return _header(spec) + "\n".join(lines) + "\n"


_RULE_FLOW = frozenset({"requires", "when", "then", "terms"})


def _ruleset_yaml(spec: Spec, actor: _Actor, rules: list[dict[str, Any]]) -> str:
    header = {
        "id": actor.id,
        "actor": actor.name,
        "title": f"Synthetic positions of {actor.name}",
        "version": f"synthetic-{spec.seed}",
    }
    lines = ["ruleset:", *_block(header, "  ", _RULE_FLOW), *_items("rules", rules, _RULE_FLOW)]
    return _header(spec) + "\n".join(lines) + "\n"


def _document_yaml(spec: Spec, document: Mapping[str, Any]) -> str:
    lines = []
    for key, value in document.items():
        if key in ("clauses", "implications", "add"):
            lines.extend(_items(key, value, _RULE_FLOW))
        elif isinstance(value, dict) and key == "replace":
            lines.append("replace:")
            for clause_id, clause in value.items():
                lines.append(f"  {json.dumps(clause_id)}:")
                lines.extend(_block(clause, "    ", _RULE_FLOW))
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(_block(value, "  ", _RULE_FLOW))
        else:
            lines.append(f"{key}: {_flow(value)}")
    return _header(spec) + "\n".join(lines) + "\n"


# --- the entry points -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    rules_dir: Path
    proposals_dir: Path | None
    files: tuple[Path, ...]
    red_lines: int
    leaves: int  # leaf tests over all rule conditions
    spec: Spec

    @property
    def leaves_per_rule(self) -> float:
        return self.leaves / self.spec.n_rules


def generate(out: str | Path, spec: Spec) -> Generated:
    """Write `out/rules/` (and `out/proposals/` when spec.n_proposals > 0); same spec, same bytes.

    Files already in those folders are not removed: write into an empty folder.
    """
    rng = random.Random(f"redlines-synthetic-{spec.seed}")
    terms = _catalogue(spec, rng)
    actors = _positions(spec, terms, rng)
    deck = _Deck([t.name for t in terms], rng)
    conditions = _Conditions(terms, rng, deck)
    by_actor = _rules(spec, actors, conditions, rng)
    implications = _implications(spec, terms, conditions, rng)
    if spec.cover:
        _cover(spec, terms, actors, by_actor, implications, conditions)
    proposals = _proposals(spec, terms, rng)

    out = Path(out)
    rules_dir = out / "rules"
    rules_dir.mkdir(parents=True, exist_ok=True)
    written = [rules_dir / "terms.yaml"]
    written[0].write_text(_terms_yaml(spec, terms), encoding="utf-8")
    for actor in actors:
        path = rules_dir / f"{actor.id}.yaml"
        path.write_text(_ruleset_yaml(spec, actor, by_actor[actor.id]), encoding="utf-8")
        written.append(path)
    if implications:
        path = rules_dir / "implications.yaml"
        path.write_text(_document_yaml(spec, {"implications": implications}), encoding="utf-8")
        written.append(path)
    proposals_dir = None
    if proposals:
        proposals_dir = out / "proposals"
        proposals_dir.mkdir(parents=True, exist_ok=True)
        for name, document in proposals:
            path = proposals_dir / name
            path.write_text(_document_yaml(spec, document), encoding="utf-8")
            written.append(path)
    rules = [r for a in actors for r in by_actor[a.id]]
    return Generated(
        rules_dir=rules_dir,
        proposals_dir=proposals_dir,
        files=tuple(written),
        red_lines=sum(1 for r in rules if r["severity"] == "red_line"),
        leaves=sum(_leaf_count(r["requires"]) for r in rules),
        spec=spec,
    )


def variants(
    catalogue: Any, count: int, *, seed: int = 0, share: float = 0.4, most: int | None = None
) -> list[dict[str, Any]]:
    """`count` term -> value mappings, each setting a random `share` of the catalogue's terms
    (at least one, at most `most`).

    `catalogue` is a loaded `redlines.models.Catalogue` (or a RuleBook); values are typed as the
    engine wants them (bool, enum text, int, datetime.date), drawn from the same grids as the rules'
    constants so that rules come out met, violated and open in a realistic mix.
    """
    terms = getattr(catalogue, "catalogue", catalogue).terms
    rng = random.Random(f"redlines-variants-{seed}")
    names = sorted(terms)
    size = max(1, round(share * len(names)))
    if most is not None:
        size = max(1, min(size, most))
    found = []
    for _ in range(count):
        chosen = rng.sample(names, size)
        found.append({name: rng.choice(_grid_of(terms[name])) for name in sorted(chosen)})
    return found


def _grid_of(term: Any) -> list[Any]:
    kind = term.type.value
    synthetic = _Term(name=term.name, title="", type=kind, values=tuple(term.values))
    if kind == "integer":
        synthetic.low = term.min if term.min is not None else 0
        synthetic.high = term.max if term.max is not None else synthetic.low + 1000
    return synthetic.grid()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="folder to write rules/ (and proposals/) into")
    parser.add_argument("--preset", choices=["space"], help="the space benchmark's set")
    parser.add_argument("--terms", type=int, default=Spec.n_terms)
    parser.add_argument("--rules", type=int, default=Spec.n_rules)
    parser.add_argument("--actors", type=int, default=Spec.n_actors)
    parser.add_argument("--seed", type=int, help="default: 0, or the preset's own seed")
    parser.add_argument("--depth", type=int, default=Spec.depth)
    parser.add_argument("--red-share", type=float, default=Spec.red_share)
    parser.add_argument("--mix", default="0.3,0.4,0.2,0.1", help="boolean,enum,integer,date")
    parser.add_argument("--implications", type=int, default=0)
    parser.add_argument("--proposals", type=int, default=0)
    args = parser.parse_args(argv)
    mix = tuple(float(w) for w in args.mix.split(","))
    if args.preset == "space":
        preset = space_spec() if args.seed is None else space_spec(args.seed)
        spec = replace(preset, n_proposals=args.proposals)
    else:
        spec = Spec(
            n_terms=args.terms,
            n_rules=args.rules,
            n_actors=args.actors,
            seed=args.seed or 0,
            mix=mix,  # type: ignore[arg-type]
            depth=args.depth,
            red_share=args.red_share,
            n_implications=args.implications,
            n_proposals=args.proposals,
        )
    made = generate(args.out, spec)
    print(
        f"wrote {len(made.files)} files under {args.out}: {spec.n_terms} terms, {spec.n_rules} "
        f"rules ({made.red_lines} red lines, {made.leaves_per_rule:.1f} leaves a rule), "
        f"{spec.n_actors} actors, {spec.n_implications} implications, {spec.n_proposals} proposals"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
