"""The version, for reports and `--version`.

Written here, once: the packaging reads it from this file (`[tool.hatch.version]` in
pyproject.toml), so the installed metadata always agrees, and finding it costs no search of the
installed distributions (`importlib.metadata.version` took a few milliseconds of every start).
"""

__version__ = "0.1.0"
