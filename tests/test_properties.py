"""Property-based tests (Hypothesis): for any article file — front matter from the schema
with good and bad values, YAML-like text, Markdown-like bodies, arbitrary bytes — no
exception escapes `check` or `build` other than a reported content error, every problem
has a path and a line, and `check` and `build` agree on the errors.

A bounded number of examples here; ``benchmarks/fuzz_hardening.py`` runs the same
property on tens of thousands of inputs and counts crashes and slow inputs.
"""

from __future__ import annotations

import pytest
from fuzz_inputs import Site, article_files, run_one
from hypothesis import HealthCheck, given, settings

BOUNDED = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    return Site.make(tmp_path_factory.mktemp("fuzz"))


@BOUNDED
@given(data=article_files())
def test_any_article_file_is_reported_or_built_never_a_traceback(site, data):
    assert run_one(site, data) is None


def test_the_property_sees_a_disagreement(site, monkeypatch):
    """The property is not vacuous: a build that misses an error is caught."""
    import fuzz_inputs

    monkeypatch.setattr(fuzz_inputs, "build", lambda *a, **k: None)
    assert "disagree" in run_one(site, b"---\ntitle: [\n---\n")
