"""docs/editor-workflow.md works as written: its commands, in its order (new → serve → check →
build → push, then import), run in a fresh clone of the repository. Each command in the guide
must be one this test knows how to run; writing the article is done here as the editor would.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from conftest import FIXTURES, ROOT

GUIDE = ROOT / "docs" / "editor-workflow.md"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

FINISHED = """---
title: 清瀬市CIO×都CIOの座談会
kind: roundtable
session: {session}
date: 2024-05-20
municipalities: [清瀬市]
participants:
  - name: 森川 一郎
    organization: 清瀬市
    role: CIO
  - name: 高野 美咲
    organization: 東京都
    role: CIO
topics: [窓口のデジタル化]
credits:
  author: 編集部
---

## 窓口のデジタル化

森川：来庁しなくても済む手続きを増やしてきました。

高野：都も一緒に進めます。
"""


def guide_commands() -> list[str]:
    """Every line of every ```sh block of the guide, in order."""
    blocks = re.findall(r"```sh\n(.*?)```", GUIDE.read_text("utf-8"), flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done


def started(command: str, cwd: Path, pattern: str) -> tuple[subprocess.Popen, str]:
    """A long-running command, and its URL once it printed one."""
    process = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=cwd, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    seen = []
    for line in process.stdout:
        seen.append(line)
        if m := re.search(pattern, line):
            return process, m.group(1)
    raise AssertionError(f"{command} printed no URL:\n{''.join(seen)}")


def get(url: str) -> str:
    with _OPENER.open(url, timeout=60) as response:
        return response.read().decode("utf-8")


def stop(process: subprocess.Popen) -> None:
    import os

    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_the_guide_walks_new_serve_check_build_push_then_import():
    commands = guide_commands()
    steps = [c.split()[0] + " " + c.split()[1] for c in commands]
    order = [s for s in steps if s in ("make new", "make serve", "make check", "make site", "git push")]
    assert order == ["make site", "make new", "make serve", "make check", "make site", "git push"]


def test_every_command_of_the_guide_works_as_written(fresh_clone: Path):
    site = fresh_clone
    shell("git config user.name '編集 担当' && git config user.email editor@example.org", site)
    shutil.copy(FIXTURES / "import" / "hachioji_heisei_zenpen.txt", site / "ブログの記事.txt")
    new_file: Path | None = None
    activated = False
    for command in guide_commands():
        if command == "make site":
            shell(command, site)
            assert (site / "build" / "index.html").is_file()
        elif command.startswith("make new "):
            before = set((site / "content").glob("*.md"))
            done = shell(command, site)
            (new_file,) = set((site / "content").glob("*.md")) - before
            assert new_file.name in done.stdout and "draft: true" in new_file.read_text("utf-8")
        elif command == "make serve":
            # the guide's port is 8000; here any free port, so that tests can run side by side
            process, url = started(f"{command} PORT=0", site, r"(http://127\.0\.0\.1:\d+/)")
            try:
                assert "下書き" in get(url + f"articles/{new_file.stem}/")
            finally:
                stop(process)
            # the editor writes the article and removes draft: true, as the guide says
            session = int(new_file.name.split("-")[0])
            new_file.write_text(FINISHED.format(session=session), "utf-8")
        elif command == "make check":
            done = shell(command, site)
            assert "error" not in done.stdout and new_file.name not in done.stdout
        elif command.startswith("python3 -m http.server"):
            served = command.replace(" 8000", " 0")
            process, port = started(f"{sys.executable} -u {served.removeprefix('python3 ')}", site,
                                    r"port (\d+)")
            try:
                assert "清瀬市CIO×都CIOの座談会" in get(f"http://127.0.0.1:{port}/")
            finally:
                stop(process)
        elif command.startswith(("git add", "git commit", "git push")):
            shell(command, site)
        elif command == ". .venv/bin/activate":
            activated = True
        elif command.startswith("cio-forum-site import "):
            assert activated
            done = shell(f". .venv/bin/activate && {command}", site)
            assert "ブログの記事.txt → content/0002-hachioji.md" in done.stdout
        else:
            raise AssertionError(f"the guide has a command this test does not run: {command}")
    pushed = shell("git log @{u} -1 --format=%s", site)
    assert pushed.stdout.strip() == "清瀬市の座談会を追加"
