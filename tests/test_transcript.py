"""Speaker turns in every form the editors paste, and questions, headings and prose."""

from __future__ import annotations

from cio_forum_site.content.model import Heading, Participant, Prose, Question, Turn
from cio_forum_site.content.transcript import speaker_turns

PEOPLE = (
    Participant(name="山田 太郎", organization="清瀬市", role="CIO", speaker="山田"),
    Participant(name="佐藤 花子", organization="東京都", role="CIO", speaker="佐藤"),
)


def turns(body: str) -> list[tuple[str, str]]:
    return [(b.speaker, b.markdown) for b in speaker_turns(body, PEOPLE).blocks if isinstance(b, Turn)]


def test_label_alone_on_a_line_with_a_blank_line_after_it():
    assert turns("山田\n\nはい、進めています。\n") == [("山田", "はい、進めています。")]


def test_label_alone_on_a_line_without_a_blank_line():
    assert turns("山田\nはい。\n佐藤\nそうですね。\n") == [("山田", "はい。"), ("佐藤", "そうですね。")]


def test_label_with_a_note_in_full_width_and_ascii_brackets():
    assert turns("山田（清瀬市）\nはい。\n\n佐藤(東京都)\nええ。\n") == [("山田", "はい。"), ("佐藤", "ええ。")]


def test_role_colon_name_introducing_the_label():
    body = "清瀬市CIO：山田 太郎（以下「山田」）\nはい。\n\n都CIO:佐藤\nええ。\n"
    assert turns(body) == [("山田", "はい。"), ("佐藤", "ええ。")]


def test_label_colon_words_on_the_same_line_in_both_widths():
    assert turns("山田：はい。\n佐藤: ええ。\n") == [("山田", "はい。"), ("佐藤", "ええ。")]


def test_a_turn_runs_across_paragraphs_until_the_next_speaker():
    assert turns("山田\n一つ目。\n\n二つ目。\n\n佐藤：三つ目。\n") == [
        ("山田", "一つ目。\n\n二つ目。"), ("佐藤", "三つ目。"),
    ]


def test_a_heading_ends_a_turn():
    blocks = speaker_turns("山田：はい。\n\n## 次の話題\n\n続きの文章。\n", PEOPLE).blocks
    assert [type(b) for b in blocks] == [Turn, Heading, Prose]
    assert blocks[1].text == "次の話題" and blocks[1].anchor == "h1"


def test_lines_beginning_with_a_dash_are_the_interviewers_questions():
    blocks = speaker_turns("― 今後はどうしますか。\n\n山田：続けます。\n—別の質問。\n", PEOPLE).blocks
    assert [type(b) for b in blocks] == [Question, Turn, Question]
    assert blocks[0].markdown == "― 今後はどうしますか。"


def test_an_unknown_label_is_prose_and_noted_as_suspect():
    transcript = speaker_turns("鈴木：こんにちは。\n", PEOPLE, first_line=10)
    assert [type(b) for b in transcript.blocks] == [Prose]
    assert transcript.suspects == ((10, "鈴木：こんにちは。"),)


def test_a_label_inside_a_code_block_is_not_a_turn():
    assert turns("```\n山田：これはコード\n```\n") == []


def test_ordinary_sentences_are_not_turns():
    assert turns("山田さんは、はい、と答えた。\n山田市の話。\n") == []


def test_turns_keep_the_line_they_start_on():
    blocks = speaker_turns("\n\n佐藤：はい。\n", PEOPLE, first_line=20).blocks
    assert blocks[0].line == 22


def test_a_long_paragraph_after_the_label_and_colon_is_still_a_turn():
    words = "標準化の作業は、" * 60
    assert turns(f"佐藤：{words}\n") == [("佐藤", words)]


def test_an_introduction_may_have_a_comma_after_ika():
    blocks = speaker_turns("府中市CIO：森 大地（以下、「森」）\nよろしくお願いします。\n",
                           (Participant("森 大地", speaker="森"),)).blocks
    assert [(b.speaker, b.markdown) for b in blocks] == [("森", "よろしくお願いします。")]
