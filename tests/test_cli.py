"""The command line as a whole: plain-language --help with an example for every command,
--quiet and --verbose everywhere, and progress only on a terminal."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, TEMPLATES

from cio_forum_site.cli import main

COMMANDS = ["build", "new", "check", "serve", "import", "init"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cio_forum_site", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_the_top_help_lists_every_command_and_the_usual_workflow():
    out = run("--help").stdout
    assert out.startswith("使い方: cio-forum-site")
    for command in COMMANDS:
        assert f"  cio-forum-site {command}" in out
    assert "ふだんの使い方:" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_in_japanese_with_an_example(command: str):
    result = run(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"使い方: cio-forum-site {command}")
    assert f"例: cio-forum-site {command}" in result.stdout
    assert "この説明を表示する" in result.stdout
    assert "show this help" not in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_quiet_and_verbose(command: str):
    out = run(command, "--help").stdout
    assert "--quiet, -q" in out and "--verbose, -v" in out


@pytest.fixture
def workdir(archive_copy: Path, monkeypatch) -> Path:
    monkeypatch.chdir(archive_copy.parent)
    return archive_copy.parent


def test_build_quiet_prints_nothing_when_all_is_well(workdir, capsys):
    assert main(["build", "--templates", str(TEMPLATES), "--no-search", "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")


def test_build_verbose_prints_the_time_of_each_stage(workdir, capsys):
    main(["build", "--templates", str(TEMPLATES), "--no-search", "--verbose"])
    out = capsys.readouterr().out
    assert "load " in out and "render " in out and "4本の記事から" in out


def test_check_quiet_prints_the_problems_only(workdir, capsys):
    assert main(["check", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("content/0101-hinode.md:15:12: 警告: タグ「ＤＸ推進」と「DX推進」")


def test_new_quiet_prints_the_path_only(workdir, capsys):
    assert main(["new", "--municipality", "清瀬市", "--quiet"]) == 0
    assert capsys.readouterr() == ("content/0104-kiyose.md\n", "")


def test_import_quiet_still_prints_what_was_written_and_what_to_check(workdir, capsys):
    main(["import", "--quiet", str(FIXTURES / "import" / "kiyose_part2.txt")])
    out, err = capsys.readouterr()
    assert "→ content/0005-kiyose.md" in out and "確認してください" in out
    assert err == ""


def test_build_shows_no_progress_when_not_on_a_terminal(workdir):
    result = run("build", "--templates", str(TEMPLATES), "--no-search", cwd=workdir)
    assert result.returncode == 0
    assert result.stderr == ""
    assert "\x1b" not in result.stdout


def test_a_reader_that_stops_early_is_no_error(workdir):
    """`cio-forum-site build -v | head -1`: the reader has gone when the summary comes."""
    read, write = os.pipe()
    os.close(read)  # gone before anything is written
    try:
        result = subprocess.run([sys.executable, "-m", "cio_forum_site", "build", "-v",
                                 "--templates", str(TEMPLATES), "--no-search"], cwd=workdir,
                                stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert result.stderr == ""
    assert result.returncode == 141


def test_build_shows_progress_on_a_terminal(workdir):
    """stderr is a pseudo-terminal here, as when an editor runs the build by hand."""
    many = workdir / "content"
    shutil.rmtree(many)
    subprocess.run([sys.executable, "-m", "cio_forum_site.synthetic", "60", str(many)],
                   check=True, capture_output=True)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cio_forum_site", "build", "--templates", str(TEMPLATES), "--no-search"],
        cwd=workdir, stdout=subprocess.PIPE, stderr=follower, text=False,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
    )
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the build ended and closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0
    assert "ページを作成中".encode() in seen
