"""`kill -9` during a build, at several moments (rendering on every core, MeCab's workers,
Pagefind, the swap): the output folder is the old build or the new one, never a mix or
nothing; no process of the killed build survives it; the next build leaves no staging
folder beside the output.

A few hundred synthetic articles with search, so that every stage runs long enough and in
forked workers. The two versions of the content alternate: each killed build was making
the other one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from cio_forum_site import synthetic

ARTICLES = 200


def tree(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` and a hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(site: Path, content: str, out: str, marker: str = "",
          cache: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "CIO_KILL_TEST": marker} if marker else None
    caching = ["--cache", cache] if cache else ["--no-cache"]
    return subprocess.Popen([sys.executable, "-m", "cio_forum_site", "build", "--quiet", *caching,
                             "--content", content, "--out", out], cwd=site, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen) -> None:
    _, err = process.communicate()
    assert process.returncode == 0, err.decode()


def processes_with(marker: str) -> list[int]:
    """Living processes started by a build run with this marker in its environment."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"CIO_KILL_TEST={marker}".encode() in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def staging(site: Path) -> list[Path]:
    return sorted(p for p in site.iterdir() if p.name.startswith((".build.staging-", ".build.old-")))


def _has(relative: str, minimum: int = 0) -> Callable[[Path], bool]:
    def moment(stage: Path) -> bool:
        path = stage / relative
        return path.is_dir() and len(os.listdir(path)) >= minimum if minimum else path.exists()
    return moment


# The moment to kill at: a condition on the staging folder, polled while the build runs.
MOMENTS = {
    "staging made": _has(""),
    "rendering": _has("articles", 50),
    "MeCab workers": _has("pagefind/ja/t", 20),
    "lexicon": _has("pagefind/ja/lex"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    """A site with two versions of its content, A and B, and the tree each one builds."""
    root = tmp_path_factory.mktemp("kill")
    synthetic.write(ARTICLES, root / "a")
    shutil.copytree(root / "a", root / "b")
    first = sorted((root / "b").glob("*.md"))[0]
    first.write_text(first.read_text("utf-8").replace("\n---\n", "\n---\n\n追記した段落です。\n", 1), "utf-8")
    finish(build(root, "b", "build"))
    trees = {"b": tree(root / "build")}
    finish(build(root, "a", "build"))
    trees["a"] = tree(root / "build")
    assert trees["a"] != trees["b"]
    return {"root": root, "trees": trees, "now": "a"}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_build_killed_leaves_the_old_or_the_new_output_and_nothing_else(site, moment):
    root, trees = site["root"], site["trees"]
    old = site["now"]
    new = "b" if old == "a" else "a"
    marker = uuid.uuid4().hex
    process = build(root, new, "build", marker)
    reached = False
    while process.poll() is None:
        # the stage, or the folder beside it where the search is made (small archives)
        stages = [p for p in staging(root) if p.name.startswith(".build.staging-")]
        if any(MOMENTS[moment](stage) for stage in stages):
            reached = True
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    process.wait()
    if reached:
        assert process.returncode == -signal.SIGKILL

    assert tree(root / "build") in (trees[old], trees[new])
    # Workers and Pagefind end with the build (they may take a moment to be told).
    deadline = time.monotonic() + 120
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_with(marker) == []

    finish(build(root, new, "build"))  # the next build clears what the killed one left
    site["now"] = new
    assert tree(root / "build") == trees[new]
    assert staging(root) == []


def test_a_build_killed_while_its_search_is_made_beside_the_pages_leaves_nothing(site):
    """With the cache of the last build and one article changed, the search bundle is made
    by a fork of the build, in a folder of its own beside the output
    (``build._search_beside``): killed then, the same holds."""
    root = site["root"]
    old = site["now"]
    new = "b" if old == "a" else "a"
    finish(build(root, old, "build", cache="cache"))  # the cache of this output
    marker = uuid.uuid4().hex
    process = build(root, new, "build", marker, cache="cache")
    assert kill_when(process, lambda: any(
        (p / "pagefind").exists() for p in staging(root) if p.name.endswith("-search")), 0.01)
    the_old_output_is_whole_and_the_next_build_right(site, marker)


def kill_when(process: subprocess.Popen, moment: Callable[[], bool], every: float) -> bool:
    """``kill -9`` the build once ``moment()`` holds (looked at every ``every`` s);
    whether it came before the build ended (its errors fail the test if it did not)."""
    while process.poll() is None:
        if moment():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(every)
    raise AssertionError(process.stderr.read().decode() if process.stderr else "ended")


def the_old_output_is_whole_and_the_next_build_right(site: dict, marker: str) -> None:
    """After a build that was making the other content (with the cache) was killed."""
    root, trees, old = site["root"], site["trees"], site["now"]
    new = "b" if old == "a" else "a"
    assert tree(root / "build") == trees[old]
    deadline = time.monotonic() + 120
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_with(marker) == []

    finish(build(root, new, "build", cache="cache"))
    site["now"] = new
    assert tree(root / "build") == trees[new]
    assert staging(root) == []


def test_debris_of_a_killed_build_is_removed_and_a_running_build_is_left_alone(tmp_path):
    from cio_forum_site.output import _lock, clear_debris

    out = tmp_path / "build"
    dead = tmp_path / ".build.staging-99999999"
    (dead / "articles").mkdir(parents=True)
    running = tmp_path / ".build.staging-1"
    running.mkdir()
    held = _lock(running)
    try:
        clear_debris(out)
        assert not dead.exists() and running.exists()
    finally:
        os.close(held)


def test_a_kill_between_the_two_renames_of_a_swap_is_recovered(tmp_path):
    """Where the two folders cannot be exchanged in one step, the old output is renamed
    aside first: the next build puts it back before doing anything else."""
    from cio_forum_site.output import clear_debris

    out = tmp_path / "build"
    aside = tmp_path / ".build.old-99999999"
    aside.mkdir()
    (aside / "index.html").write_text("前の出力", "utf-8")
    clear_debris(out)
    assert (out / "index.html").read_text("utf-8") == "前の出力"
    assert not aside.exists()


def test_a_build_killed_while_it_makes_its_output_in_the_spare_leaves_the_old_one(site):
    """With the cache, a build makes its output in the one the last build replaced (the
    spare, ``output.staged_output``), whose files may be links to the current output's:
    killed then, the current output is whole, and the next build is right."""
    root = site["root"]
    old = site["now"]
    new = "b" if old == "a" else "a"
    for content in (old, new, old):  # the last two each leave the output before as the spare
        finish(build(root, content, "build", cache="cache"))
    assert list((root / "cache").glob("*.spare"))
    marker = uuid.uuid4().hex
    process = build(root, new, "build", marker, cache="cache")
    assert kill_when(process, lambda: any(
        p.name.startswith(".build.staging-") and not p.name.endswith("-search")
        for p in staging(root)), 0.005)
    the_old_output_is_whole_and_the_next_build_right(site, marker)
