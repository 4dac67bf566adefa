"""The console script: `--version` without the CLI, and what a check does not import.

Start-up time itself is measured in benchmarks/bench_startup.py; these tests hold the behaviour
the speed-ups rest on, each in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib

import pytest

from conftest import ROOT
from redlines import cli
from redlines.version import __version__

DRAFT = "proposals/us-28-point-2025-11.yaml"

# Modules a `redlines check` of one draft in text has no use for: the other commands' and
# formats' code, the solver, and what only an error message or a removed lookup needed.
NOT_FOR_A_CHECK = (
    "difflib",  # "did you mean" suggestions, in error messages only
    "email.parser",  # importlib.metadata reading the installed version
    "redlines.batch",
    "redlines.diff",
    "redlines.explain",
    "redlines.lint",
    "redlines.render.html",
    "redlines.render.json",
    "redlines.render.junit",
    "redlines.render.markdown",
    "redlines.render.sarif",
    "redlines.ruletest",
    "redlines.scaffold",
    "redlines.space",
    "pysat",
)
# Models a check never validates with: built on first use (defer_build), not at import.
NOT_BUILT_BY_A_CHECK = (
    "redlines.models.Problem",
    "redlines.report.ReportSet",
    "redlines.report.RuleRef",
    "redlines.ruledocs.RulePage",
    "redlines.ruledocs.RuleListing",
    "redlines.specs.TestFile",
)


def _python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter, without the plugin switch unless `env` sets it."""
    inherited = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**inherited, **(env or {})},
    )


def test_version_is_the_one_in_pyproject() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert __version__ == pyproject["project"]["version"]


def test_version_prints_what_the_cli_prints_without_importing_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["--version"]) == 0
    from_the_cli = capsys.readouterr().out
    done = _python(
        """
        import sys
        from redlines.console import main
        code = main(["--version"])
        heavy = sorted(m for m in sys.modules if m == "pydantic" or m == "redlines.cli")
        print(code, heavy, file=sys.stderr)
        """
    )
    assert done.stdout == from_the_cli == f"redlines {__version__}\n"
    assert done.stderr == "0 []\n"
    script = subprocess.run(
        [sys.executable, "-m", "redlines", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    assert (script.returncode, script.stdout) == (0, from_the_cli)


def test_other_arguments_beside_version_still_go_to_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "redlines", "--version", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    again = subprocess.run(
        [sys.executable, "-m", "redlines.cli", "--version", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        again.returncode,
        again.stdout,
        again.stderr,
    )


_CHECK = f"""
    import io, json, os, sys
    from contextlib import redirect_stdout
    from redlines.console import main
    with redirect_stdout(io.StringIO()) as out:
        code = main(["check", {DRAFT!r}])
    def built(name):
        module, cls = name.rsplit(".", 1)
        found = sys.modules.get(module)
        return found is not None and getattr(found, cls).__pydantic_complete__
    print(json.dumps({{
        "code": code,
        "report": out.getvalue(),
        "imported": [m for m in {NOT_FOR_A_CHECK!r} if m in sys.modules],
        "built": [m for m in {NOT_BUILT_BY_A_CHECK!r} if built(m)],
        "plugins": os.environ.get("PYDANTIC_DISABLE_PLUGINS"),
    }}))
"""


def test_a_check_imports_and_builds_only_what_it_uses() -> None:
    done = _python(_CHECK)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["code"] == 1 and "Overall: INFEASIBLE" in seen["report"]
    assert seen["imported"] == []
    assert seen["built"] == []
    assert seen["plugins"] == "__all__"


def test_the_users_own_pydantic_plugin_setting_is_kept() -> None:
    done = _python(_CHECK, env={"PYDANTIC_DISABLE_PLUGINS": ""})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["plugins"] == ""
