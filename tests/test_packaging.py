"""The package installs lean and runs anywhere, checked from a fresh clone of the repository:

- `make site` installs the runtime only (no test tool) and builds the sample archive;
- a wheel built from the clone, installed in a fresh environment, runs `init` then `build` in
  an empty folder, and the site it makes passes the link check;
- `--version` is the package's metadata; the licence travels with the package.

These install from the package index (or the machine's wheel cache), so they take a while.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from conftest import ROOT
from test_linkcheck import BASE, Crawl, serve

TEST_TOOLS = {"pytest", "playwright", "ruff", "lxml", "pagefind-bin-extended", "pagefind_bin_extended"}
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done


def installed(python: Path) -> set[str]:
    listing = run(python, "-m", "pip", "list", "--format=freeze", cwd=python.parent).stdout
    return {line.split("==")[0].lower() for line in listing.splitlines() if "==" in line}


def test_make_site_in_a_fresh_clone_installs_the_runtime_only_and_builds(fresh_clone: Path):
    clone = fresh_clone
    run("make", "site", f"PYTHON={sys.executable}", cwd=clone)
    assert (clone / "build" / "index.html").is_file()
    assert (clone / "build" / "pagefind" / "pagefind-entry.json").is_file()
    packages = installed(clone / ".venv" / "bin" / "python")
    assert {"jinja2", "fugashi", "pagefind"} <= packages
    assert packages & TEST_TOOLS == set()


def test_a_wheel_runs_init_then_build_in_an_empty_folder_and_the_site_passes_the_link_check(
        fresh_clone: Path, tmp_path: Path):
    clone = fresh_clone
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path / "dist", clone,
        cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("cio_forum_site-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    assert any(n.endswith("theme/article.html") for n in names)
    assert any(n.endswith("skeleton/github/workflows/site.yml") for n in names)
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert b"License-Expression: MIT" in metadata

    run(sys.executable, "-m", "venv", tmp_path / "env", cwd=tmp_path)
    python, command = tmp_path / "env" / "bin" / "python", tmp_path / "env" / "bin" / "cio-forum-site"
    run(python, "-m", "pip", "install", "--quiet", "-c", clone / "constraints.txt", wheel, cwd=tmp_path)
    assert installed(python) & TEST_TOOLS == set()
    assert run(command, "--version", cwd=tmp_path).stdout.strip() == VERSION

    empty = tmp_path / "empty"
    empty.mkdir()
    run(command, "init", "site", cwd=empty)
    site = empty / "site"
    assert f"cio-forum-site=={VERSION}" in (site / "requirements.txt").read_text("utf-8")
    checked = run(command, "check", cwd=site)
    assert checked.stdout == ""  # no error, no warning
    run(command, "build", "--base-url", BASE, cwd=site / "content")  # from inside the site
    out = site / "build"
    assert (out / "articles" / "0001-kiyose" / "index.html").is_file()
    assert (out / "pagefind" / "pagefind-entry.json").is_file()

    with serve(out) as root:
        crawl = Crawl(root)
        crawl.run(root, root + "robots.txt", root + "no/such/page/")
        assert len(crawl.references) > 50
        assert crawl.broken() == [] and crawl.outside == []


def test_init_refuses_a_folder_that_holds_anything(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("大事なメモ", "utf-8")
    done = subprocess.run([sys.executable, "-m", "cio_forum_site", "init", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "空ではないため、何も書きませんでした" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
