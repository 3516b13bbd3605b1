"""Body HTML: paragraphs of plain text are written directly, exactly as markdown-it writes
them; anything that may be markup goes through markdown-it."""

from __future__ import annotations

import random

import pytest

from cio_forum_site.site.body import _md, has_no_markup, markdown, plain_html


@pytest.mark.parametrize("text", [
    "一行目\n二行目\n\n　字下げした段落\n   \n最後 ",
    "先頭の空白\n  続きの行\n\n\n\n次の段落",
    '引用符"と\'の入った文',
    "\n\n前後に空行\n\n",
])
def test_plain_paragraphs_are_written_as_markdown_it_writes_them(text):
    assert has_no_markup(text)
    assert plain_html(text) == _md.render(text)


def test_markup_goes_through_markdown_it():
    assert markdown("**強調**と[リンク](/articles/x/)", "/articles/y/") == \
        '<p><strong>強調</strong>と<a href="../x/">リンク</a></p>\n'


def test_the_html_shortcut_agrees_with_markdown_it_on_random_text():
    """Random fragments over an alphabet rich in markup characters: wherever the shortcut
    is taken, it gives what markdown-it gives."""
    rng = random.Random(20261201)
    alphabet = ["あ", "漢", "ア", "a", "1", "。", " ", " ", "  ", "\n", "\n", "\n\n", "　",
                "-", "#", "*", "|", ">", "1.", "=", "[", "&", "\t", "2)", "    ", "\\", "_",
                '"', "'", ":", "!", "(", ")", "http://", "\u00a0", "<"]
    shortcuts = 0
    for _ in range(6000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        if has_no_markup(text):
            shortcuts += 1
            assert plain_html(text) == _md.render(text), repr(text)
    assert shortcuts > 300  # the comparison really ran on many fragments
