"""A speaker turn has words: speaker lines with none between them (a participant list
pasted into the body) are no turn. A run that names everyone repeats the front matter and
is dropped; any other run is a plain list; `check` warns once per article. And no built
page of any fixture archive has a ``data-speaker`` element without words."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from conftest import FIXTURES, TEMPLATES

from cio_forum_site.commands.build import build
from cio_forum_site.commands.check import run_check
from cio_forum_site.content.model import Participant, Prose, Turn
from cio_forum_site.content.transcript import speaker_turns

WORDLESS = FIXTURES / "wordless_turns" / "content"
PEOPLE = (Participant("森 大地", speaker="森"), Participant("宮田 直子", speaker="宮田"),
          Participant("北条 拓也", speaker="北条"))


def test_a_pasted_list_that_names_everyone_is_dropped():
    body = "府中市CIO：森\n都CIO：宮田\nデジタル戦略部長：北条\n\n森：始めます。\n"
    transcript = speaker_turns(body, PEOPLE)
    assert transcript.blocks == (Turn("森", "始めます。", 5),)
    assert transcript.wordless == ((1, "府中市CIO：森"), (2, "都CIO：宮田"), (3, "デジタル戦略部長：北条"))


def test_a_pasted_list_of_some_is_a_plain_list_and_a_lone_label_a_paragraph():
    body = "## 第二部\n\n府中市CIO：森\n都CIO：宮田\n\n## 次\n\n森\n\n## 終わり\n\n宮田：以上です。\n"
    blocks = speaker_turns(body, PEOPLE).blocks
    assert Prose("- 府中市CIO：森\n- 都CIO：宮田", 3) in blocks
    assert Prose("森", 8) in blocks
    assert [b.speaker for b in blocks if isinstance(b, Turn)] == ["宮田"]


def test_a_label_with_its_words_on_the_next_paragraph_is_still_a_turn():
    blocks = speaker_turns("森\n\n始めます。\n\n宮田\nはい。\n", PEOPLE).blocks
    assert [(b.speaker, b.markdown) for b in blocks] == [("森", "始めます。"), ("宮田", "はい。")]


def test_check_warns_once_per_article():
    report = run_check(WORDLESS)
    found = [p for p in report.problems if "の後に発言がありません" in p.message]
    assert [(p.path.rsplit("/", 1)[-1], p.line, p.col, p.severity) for p in found] == [
        ("0401-fuchu.md", 21, 1, "warning")]
    assert found[0].message.startswith("話者の行「府中市CIO：森」ほか5行の後に発言がありません")
    assert not [p for p in report.problems if p.severity == "error"]


def _wordless_speakers(out: Path) -> list[str]:
    """(page, speaker) of every data-speaker element without words in a built site."""
    empty = []
    for html in sorted(out.rglob("*.html")):
        tree = lxml.html.fromstring(html.read_bytes())
        for element in tree.xpath("//*[@data-speaker]"):
            speech = element.xpath(".//*[contains(concat(' ', @class, ' '), ' turn-speech ')]")
            if not speech or not "".join(speech[0].itertext()).strip():
                empty.append(f"{html.relative_to(out)}: {element.get('data-speaker')}")
    return empty


def test_the_wordless_fixture_builds_with_no_empty_turn(tmp_path):
    build(WORDLESS, TEMPLATES, tmp_path / "out", search=False)
    page = lxml.html.fromstring((tmp_path / "out/articles/0401-fuchu/index.html").read_bytes())
    assert page.xpath("//*[@data-speaker]")  # the turns with words are there
    assert _wordless_speakers(tmp_path / "out") == []
    items = [" ".join(li.text_content().split()) for li in page.xpath("//main//ul/li")]
    assert "府中市CIO：森" in items and "都CIO：宮田" in items  # the second list, as a list
    assert "デジタル戦略部長：北条" not in page.text_content()  # the first repeated the front matter


def _archives(tmp: Path) -> list[Path]:
    """Every fixture archive that builds, and the import fixtures imported."""
    found = [p for p in sorted(FIXTURES.glob("*/content")) if p.is_dir()]
    blog = tmp / "blog"
    blog.mkdir()
    for file in sorted((FIXTURES / "import").glob("*.txt")):
        shutil.copy(file, blog / file.name)
        os.utime(blog / file.name, (1581681600, 1581681600))
    (tmp / "content").mkdir()
    result = subprocess.run([sys.executable, "-m", "cio_forum_site", "import", *map(str, sorted(blog.iterdir()))],
                            cwd=tmp, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return [*found, tmp / "content"]


def test_no_built_page_of_any_fixture_archive_has_a_turn_without_words(tmp_path):
    archives = _archives(tmp_path)
    assert len(archives) >= 4
    for i, content in enumerate(archives):
        out = tmp_path / f"out{i}"
        build(content, TEMPLATES, out, search=False)
        assert list(out.rglob("*.html")), content
        assert _wordless_speakers(out) == [], content


@pytest.mark.parametrize("body", ["森\n", "府中市CIO：森\n都CIO：宮田\n", "森\n\n## 次\n"])
def test_no_turn_is_ever_empty(body):
    assert all(b.markdown.strip() for b in speaker_turns(body, PEOPLE).blocks if isinstance(b, Turn))
