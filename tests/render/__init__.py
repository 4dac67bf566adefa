"""Tests of the CI-facing output formats (a package, so its conftest is `render.conftest`)."""
