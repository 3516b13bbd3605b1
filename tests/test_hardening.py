"""Hostile input: every bad file is a `path:line:col: エラー: …` in both `check` and `build`,
never a traceback, a crash, a hang or a file published from outside content/.

Each test is the smallest input that showed a defect (issue 11), run through the real
command in a child process, so that a crash (signal) or a traceback is seen as such.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

VALID = """---
title: 架空市CIO×都CIO座談会
session: 1
date: 2021-10-15
municipalities: [清瀬市]
participants:
  - name: 山田 太郎
    organization: 清瀬市
    role: CIO
tags: [窓口]
---

## 窓口

山田：窓口の手続きを見直しています。
"""

PROBLEM = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>エラー|警告): (?P<message>.+)$")


def article(**fields: str) -> str:
    """VALID with some front-matter lines replaced or added (``field: raw YAML``)."""
    head, body = VALID.split("---\n", 2)[1:]
    lines = [line for line in head.splitlines() if line.split(":")[0] not in fields]
    lines = [line for line in lines if not line.startswith("  ") or "participants" not in fields]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def make_site(root: Path, files: dict[str, str | bytes]) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "content" / "0001-kiyose.md").write_text(VALID, "utf-8")
    for name, text in files.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, "utf-8")
    return root


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The command in ``root``; generous wait, no time limit on the outcome."""
    return subprocess.run([sys.executable, "-m", "cio_forum_site", *args], cwd=root,
                          capture_output=True, text=True, timeout=600)


def problems(stream: str) -> list[re.Match]:
    return [m for line in stream.splitlines() if (m := PROBLEM.match(line))]


def assert_reported(result: subprocess.CompletedProcess, path: str, *words: str,
                    line: int = 1) -> list[re.Match]:
    """A content error (exit 1), no traceback, and an error at ``path`` mentioning ``words``,
    at a line ≥ ``line`` (0: a file with no lines, such as a link)."""
    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    assert "Traceback" not in text, text
    found = [m for m in problems(text) if m["path"] == path and m["severity"] == "エラー"
             and all(w in m["message"] for w in words)]
    assert found and all(int(m["line"]) >= line for m in found), text
    return found


def check_and_build(root: Path, path: str, *words: str, line: int = 1) -> None:
    """`check` and `build` both report the same error, and `build` writes nothing."""
    checked = assert_reported(run(root, "check"), path, *words, line=line)
    built = assert_reported(run(root, "build", "--no-search"), path, *words, line=line)
    assert {(m["line"], m["message"]) for m in checked} == {(m["line"], m["message"]) for m in built}
    assert not (root / "build").exists()


# ---- 1. MeCab gets bounded input only ------------------------------------------------------


def test_a_very_long_tag_is_refused_with_the_limit_and_mecab_never_crashes(tmp_path):
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2", tags="[" + "a" * 200_000 + "]")})
    check_and_build(root, "content/0002-kiyose.md", "タグ", "100文字")


@pytest.mark.parametrize("field", ["title", "series", "summary"])
def test_absurdly_long_text_fields_are_refused_with_the_limit(tmp_path, field):
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2", **{field: "長" * 20_000})})
    check_and_build(root, "content/0002-kiyose.md", f"`{field}`", "文字まで")


def test_a_participant_name_of_absurd_length_is_refused(tmp_path):
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2", participants="[" + "名" * 5_000 + "]")})
    check_and_build(root, "content/0002-kiyose.md", "name", "文字まで")


def test_mecab_cuts_a_body_of_megabytes_of_japanese_without_crashing(tmp_path):
    body = ("区市町村の窓口では、申請の手続きをオンラインで受け付ける仕組みを整えています。" * 40 + "\n\n") * 1_800
    text = VALID + "\n" + body  # about 5.5 MB
    root = make_site(tmp_path, {"0001-kiyose.md": text})
    result = run(root, "build", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert (root / "build" / "pagefind").is_dir()


def test_slugs_of_long_words_are_bounded():
    from cio_forum_site.content.slugs import slugify

    slug = slugify("a" * 200_000)
    assert 0 < len(slug) <= 80


# ---- 2. Symlinks out of content/ -----------------------------------------------------------


def test_a_file_linked_from_outside_content_is_refused_and_never_published(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("ひみつ", "utf-8")
    root = make_site(tmp_path / "site", {})
    (root / "content" / "passwd.txt").symlink_to(secret)
    check_and_build(root, "content/passwd.txt", "content/ の外", line=0)


def test_an_article_linked_from_outside_content_is_refused(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(VALID.replace("session: 1", "session: 2"), "utf-8")
    root = make_site(tmp_path / "site", {})
    (root / "content" / "0002-kiyose.md").symlink_to(outside)
    check_and_build(root, "content/0002-kiyose.md", "content/ の外", line=0)


def test_a_folder_linked_from_outside_content_is_refused(tmp_path):
    outside = tmp_path / "etc"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0", "utf-8")
    root = make_site(tmp_path / "site", {})
    (root / "content" / "images").symlink_to(outside, target_is_directory=True)
    check_and_build(root, "content/images", "content/ の外", line=0)


def test_links_inside_content_are_followed(tmp_path):
    root = make_site(tmp_path, {"images/a.png": b"\x89PNG"})
    (root / "content" / "images" / "b.png").symlink_to("a.png")
    result = run(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    assert (root / "build" / "images" / "b.png").read_bytes() == b"\x89PNG"


# ---- 3. Image and link targets outside the site ---------------------------------------------


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../../etc/passwd", "images/../../site.toml"])
def test_an_image_field_outside_content_is_an_error(tmp_path, target):
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2", image=target)})
    (root / "site.toml").write_text("", "utf-8")
    check_and_build(root, "content/0002-kiyose.md", "`image`", "content/ の外")


@pytest.mark.parametrize("markdown", ["![図](images/../../../etc/passwd)", "![図](../../../../etc/passwd)",
                                      "[資料](../../../../etc/passwd)"])
def test_a_body_target_outside_content_is_an_error(tmp_path, markdown):
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2") + f"\n{markdown}\n"})
    check_and_build(root, "content/0002-kiyose.md", "content/ の外")


# ---- 4. Tracebacks instead of errors ---------------------------------------------------------


@pytest.mark.parametrize("value", ['!!bool "x"', '!!int "x"', '!!float "x"', '!!binary "*"',
                                   "!!timestamp x", "!!str [a]", "1" * 5_000])
def test_a_yaml_value_the_constructor_rejects_is_an_error_and_others_are_still_reported(tmp_path, value):
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2", title=value),
                                "0003-kiyose.md": article(session="3", date="2021-13-40")})
    check_and_build(root, "content/0002-kiyose.md")
    assert_reported(run(root, "check"), "content/0003-kiyose.md", "日付")
    assert_reported(run(root, "build"), "content/0003-kiyose.md", "日付")
    result = run(root, "check", "--format", "json")
    assert result.returncode == 1 and '"content/0002-kiyose.md"' in result.stdout


def test_a_body_image_target_of_100000_characters_is_an_error(tmp_path):
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2") + f"\n![図]({'a' * 100_000}.png)\n"})
    check_and_build(root, "content/0002-kiyose.md", "長すぎ")


def test_a_long_tag_within_the_limit_builds_with_a_short_folder_name(tmp_path):
    tag = "デジタル変革推進計画" * 10  # 100 characters: romaji far longer than a file name may be
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2", tags=f"[{tag}]")})
    assert run(root, "check").returncode == 0
    result = run(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    assert all(len(p.name.encode()) <= 100 for p in (root / "build").rglob("*"))


# ---- 5. Hangs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fields", [{"series": "s", "part": "1", "parts": "20211015"},
                                    {"series": "s", "part": "20211015"}])
def test_a_huge_part_count_is_refused_with_the_limit(tmp_path, fields):
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2", **fields)})
    check_and_build(root, "content/0002-kiyose.md", "100")


def test_a_yaml_alias_bomb_is_never_expanded(tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    bomb = "---\n" + "\n".join(levels) + "\ndate: *a9\ntitle: *a9\ntags: *a9\n---\n本文\n"
    root = make_site(tmp_path, {"0002-kiyose.md": bomb})
    check_and_build(root, "content/0002-kiyose.md", "`date`")


def test_deeply_nested_yaml_is_an_error_not_a_crash(tmp_path):
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2", tags="[" * 100_000)})
    check_and_build(root, "content/0002-kiyose.md")



# ---- 7. serve and long URLs -------------------------------------------------------------------


@pytest.mark.parametrize(("length", "status"), [(300, 404), (1_000, 404), (5_000, 414)])
def test_serve_answers_a_long_url_instead_of_dropping_the_connection(tmp_path, length, status):
    import http.client
    import threading

    from cio_forum_site.commands.serve import LiveState, PreviewServer

    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "404.html").write_text("<html><body>ありません</body></html>", "utf-8")
    server = PreviewServer(0, tmp_path / "build", tmp_path / "copy", LiveState(), None)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=60)
        connection.request("GET", "/articles/" + "a" * length + "/")
        assert connection.getresponse().status == status
        connection.close()
    finally:
        server.shutdown()
        server.server_close()


# ---- 8. Exit codes ------------------------------------------------------------------------------


def test_an_internal_error_exits_2_with_one_line_of_apology_and_where_to_report(tmp_path, monkeypatch, capsys):
    """A bug (here: a stage that raises what no stage should) is not a content problem."""
    from cio_forum_site import cli
    from cio_forum_site.commands import build

    root = make_site(tmp_path, {})
    monkeypatch.chdir(root)

    def broken(*args, **kwargs):
        raise RuntimeError("ありえない状態")

    monkeypatch.setattr(build, "build", broken)
    assert cli.main(["build", "--no-search"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("申し訳ありません。") and "RuntimeError: ありえない状態" in err and "Issues" in err
    assert cli.main(["build", "--no-search", "--verbose"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_exit_codes_tell_content_errors_from_usage_errors(tmp_path):
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="1")})
    assert run(root, "check").returncode == 1  # content: session 1 used twice
    assert run(root, "build").returncode == 1
    assert run(root, "build", "--no-such-option").returncode == 2
    assert run(root, "check", "--format", "xml").returncode == 2
    (root / "content" / "0002-kiyose.md").unlink()
    assert run(root, "check").returncode == 0


# ---- found by the long property run (benchmarks/fuzz_hardening.py) ----------------------------


@pytest.mark.parametrize("field, day", [("date", "0554-09-20"), ("date", "1926-12-24"),
                                        ("published", "0001-01-01")])
def test_a_date_before_showa_is_an_error_not_a_crash_in_the_build(tmp_path, field, day):
    """和暦 starts at 昭和元年 (1926-12-25) here; an earlier date passed `check` and crashed
    `build` with a traceback while making the home page."""
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2", **{field: day})})
    check_and_build(root, "content/0002-kiyose.md", f"`{field}`", "昭和", line=2)


def test_the_first_day_of_showa_builds(tmp_path):
    root = make_site(tmp_path, {"0002-kiyose.md": article(session="2", date="1926-12-25")})
    result = run(root, "build", "--no-search")
    assert result.returncode == 0, result.stderr
    assert "昭和元年12月25日" in (root / "build" / "index.html").read_text("utf-8")
