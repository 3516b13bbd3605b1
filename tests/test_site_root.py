"""The site's folder is found as Hugo and Zola find it: up from the current folder to the
nearest site.toml (or --root DIR); content/, templates/, build/ and .cache/ are resolved
against it, so every command works from content/ and from any subfolder."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import FIXTURES

from cio_forum_site.site.root import find_site_root


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cio_forum_site", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "archive", root)
    (root / "notes" / "deep").mkdir(parents=True)
    return root


def test_the_root_is_the_nearest_folder_up_with_site_toml(tmp_path: Path):
    (tmp_path / "outer" / "site" / "content" / "x").mkdir(parents=True)
    (tmp_path / "outer" / "site.toml").write_text("", "utf-8")
    (tmp_path / "outer" / "site" / "site.toml").write_text("", "utf-8")
    found = find_site_root(tmp_path / "outer" / "site" / "content" / "x")
    assert (found.folder, found.found) == ((tmp_path / "outer" / "site").resolve(), True)
    assert found.content == found.folder / "content" and found.cache == found.folder / ".cache"
    assert find_site_root(tmp_path / "outer").folder == (tmp_path / "outer").resolve()


def test_without_site_toml_the_current_folder_is_the_root_and_messages_say_so(tmp_path: Path):
    found = find_site_root(tmp_path)
    assert (found.folder, found.found) == (tmp_path.resolve(), False)
    assert "site.toml が見つからないため" in found.how_found()


def test_root_given_on_the_command_line_wins(tmp_path: Path):
    (tmp_path / "site.toml").write_text("", "utf-8")
    (tmp_path / "other").mkdir()
    assert find_site_root(tmp_path, tmp_path / "other").folder == (tmp_path / "other").resolve()


@pytest.mark.parametrize("where", ["content", "notes/deep"])
def test_build_and_check_work_from_inside_the_site(site: Path, where: str):
    built = run("build", "--no-search", "-q", cwd=site / where)
    assert built.returncode == 0, built.stderr
    assert (site / "build" / "index.html").is_file() and not (site / where / "build").exists()
    checked = run("check", cwd=site / where)
    assert checked.returncode == 0, checked.stderr
    assert "4本の記事を確かめました" in checked.stderr


@pytest.mark.parametrize("where", ["content", "notes/deep"])
def test_new_and_import_write_into_the_sites_content_from_inside_the_site(site: Path, where: str):
    made = run("new", "--municipality", "清瀬市", "-q", cwd=site / where)
    assert made.returncode == 0, made.stderr
    assert (site / "content" / "0104-kiyose.md").is_file()
    imported = run("import", str(FIXTURES / "import" / "kiyose_part2.txt"), "-q", cwd=site / where)
    assert imported.returncode == 0, imported.stderr
    assert (site / "content" / "0005-kiyose.md").is_file()


def test_the_search_cache_goes_to_the_sites_cache_folder(site: Path):
    built = run("build", "-q", cwd=site / "notes")
    assert built.returncode == 0, built.stderr
    assert (site / ".cache" / "search-keys.bin").is_file()
    assert not (site / "notes" / ".cache").exists()


def test_serve_works_from_inside_the_site_and_its_search_without_a_templates_folder(site: Path):
    assert not (site / "templates").exists()
    process = subprocess.Popen([sys.executable, "-m", "cio_forum_site", "serve", "--port", "0",
                                "--verbose"], cwd=site / "content", stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        url = None
        for line in process.stdout:
            if line.startswith("プレビュー: "):
                url = line.split()[1]
            assert "検索インデックスを更新できませんでした" not in line
            if "検索インデックスを更新しました" in line:
                break
        assert url is not None, "serve did not start"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url + "articles/0101-hinode/", timeout=30) as response:
            assert response.status == 200
        with opener.open(url + "pagefind/pagefind-entry.json", timeout=30) as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert not (site / "build").exists()


def test_root_option_and_a_missing_content_folder_named_in_full(site: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    built = run("build", "--root", str(site), "--no-search", "-q", cwd=elsewhere)
    assert built.returncode == 0, built.stderr
    assert (site / "build" / "index.html").is_file()

    missing = run("build", "--no-search", cwd=elsewhere)
    assert missing.returncode == 1
    assert f"記事のフォルダ {elsewhere.resolve() / 'content'} がありません" in missing.stderr
    assert "site.toml が見つからないため" in missing.stderr and "--root" in missing.stderr
    nowhere = run("check", "--root", str(tmp_path / "nowhere"), cwd=elsewhere)
    assert nowhere.returncode == 2
    assert f"--root に指定したフォルダ {(tmp_path / 'nowhere').resolve()} がありません" in nowhere.stderr
