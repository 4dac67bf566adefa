"""The version, for reports and `--version`.

Written out rather than looked up: `importlib.metadata.version` searched the installed
distributions at every start (a few milliseconds of each `redlines check`). It must equal
`version` in pyproject.toml, which a test holds it to (tests/test_cli.py).
"""

__version__ = "0.2.0"
