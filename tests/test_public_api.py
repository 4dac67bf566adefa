"""`import redlines`: a small public surface, all in `dir()`, old names kept with a warning."""

from __future__ import annotations

import pytest

import redlines
import redlines.diff
import redlines.explain
import redlines.models


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in redlines.__all__:
        assert getattr(redlines, name) is not None
    assert set(redlines.__all__) <= set(dir(redlines))
    assert "check_many" in dir(redlines)


def test_diff_and_explain_are_importable_beside_their_modules() -> None:
    assert redlines.diff_reports is redlines.diff.diff
    assert redlines.explain_rule is redlines.explain.explain
    assert redlines.diff.__name__ == "redlines.diff"  # the modules keep their names


def test_engines_are_chosen_by_name_not_exported() -> None:
    assert not {"DurableEngine", "PythonEngine", "Engine", "make_engine"} & set(redlines.__all__)


def test_a_name_dropped_from_the_surface_still_works_with_a_warning() -> None:
    with pytest.warns(
        DeprecationWarning, match=r"redlines\.Source is deprecated; .*redlines\.models"
    ):
        source = redlines.Source
    assert source is redlines.models.Source
    with pytest.warns(DeprecationWarning, match="redlines.engine"):
        assert redlines.make_engine is redlines.engine.make_engine
    with pytest.raises(AttributeError):
        redlines.no_such_name  # noqa: B018
