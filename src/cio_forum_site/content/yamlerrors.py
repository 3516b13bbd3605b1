"""A YAML error as an editor can act on it: one position and what to do, in Japanese.

PyYAML (and libyaml) say where the parser gave up and, often, where the construct it was
reading began ("did not find expected ',' or ']'" at line 9, "while parsing a flow
sequence" at line 7). ``explain(exc)`` picks the one position where the fix goes (the
opening bracket of an unclosed list, the colon that should not be there) and says what is
wrong and what to do. Unknown messages still get a position and a general hint.
"""

from __future__ import annotations

import yaml

# (words in the problem, words in the context or "") → (message, use the context's mark)
_KNOWN: list[tuple[str, str, str, bool]] = [
    ("expected ',' or ']'", "", "閉じ括弧 `]` がありません: `[` で始めたリストは同じ行のうちに `]` で閉じてください"
                                 "（項目は `,` で区切ります。例: tags: [窓口, DX推進]）", True),
    ("expected ',' or '}'", "", "閉じ括弧 `}` がありません: `{` で始めた組は `}` で閉じてください"
                                 "（例: credits: {author: 山田 太郎}）", True),
    ("mapping values are not allowed", "", "ここに `:` は書けません: 値に `:` を含めるときは値全体を"
                                           "\"…\" で囲んでください（例: title: \"DX: 次の一歩\"）", False),
    ("could not find expected ':'", "", "`項目: 値` の `:` がありません: 項目名のあとに `:` と半角スペースを"
                                        "書いてください", True),
    ("block sequence entries are not allowed", "", "ここで `- ` のリストは始められません: 前の行の字下げと"
                                                   "そろえてください", False),
    ("did not find expected key", "", "字下げがそろっていません: 同じ組の項目は同じ数の半角スペースで"
                                      "字下げしてください", False),
    ("did not find expected '-' indicator", "", "リストの項目がそろっていません: 各項目を同じ字下げの `- ` で"
                                                "始めてください", False),
    ("found character that cannot start any token", "", "この文字では値を始められません（`@`、`` ` ``、"
                                                        "タブなど）: 値全体を \"…\" で囲んでください", False),
    ("tab character", "", "字下げにタブは使えません: 半角スペースにしてください", False),
    ("found unexpected end of stream", "", "引用符が閉じられていません: \" や ' で始めた値は同じ引用符で"
                                           "閉じてください", True),
    ("found unknown escape character", "", "\"…\" の中の \\ のあとの文字が読めません: \\ を \\\\ に"
                                           "するか、値を '…' で囲んでください", False),
    ("found undefined alias", "", "`*` で始まる値は、同じ名前の `&` がないと書けません: 値全体を \"…\" で"
                                  "囲んでください", False),
    ("expected alphabetic or numeric character", "", "`&` や `*` のあとには名前が要ります: 値全体を "
                                                     "\"…\" で囲んでください", False),
    ("found duplicate anchor", "", "同じ名前の `&` が2つあります: どちらかの名前を変えてください", False),
    ("found unhashable key", "", "項目名にリストや組は使えません: 項目名を文字で書いてください", False),
    ("could not determine a constructor", "", "`!` で始まる型の指定は使えません: `!…` を消してください", False),
    ("control characters are not allowed", "", "見えない制御文字が入っています: その文字を消してください", False),
    ("special characters are not allowed", "", "見えない制御文字が入っています: その文字を消してください", False),
    ("expected comment or line break", "", "値のあとに余計な文字があります: 値全体を \"…\" で囲むか、"
                                           "余計な文字を消してください", False),
    ("maximum nesting depth", "", "`[` や `{` の入れ子が深すぎます: 閉じ忘れた括弧がないか確かめてください",
     False),
    ("expected <document start>", "", "front matter は1つの「項目: 値」の組にしてください", False),
    ("did not find expected node content", "", "値がありません: `:` や `-` のあとに値を書いてください", False),
]


def _char_at(text: str, mark) -> str:
    lines = text.split("\n")
    if mark is None or mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]


def explain(exc: yaml.YAMLError, text: str = "") -> tuple[yaml.Mark | None, str]:
    """The position (0-based line and column within the YAML ``text``) and the message."""
    problem = getattr(exc, "problem", None) or ""
    context = getattr(exc, "context", None) or ""
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    if problem.startswith("value-for-tag "):  # raised by frontmatter._Loader
        tag = problem.split()[1]
        if problem.endswith(" digits"):
            return problem_mark, ("数が長すぎて読めません: 数でなく文字として書くときは、値全体を \"…\" で"
                                  "囲んでください")
        return problem_mark, f"この値は `{tag}` として読めません: `{tag}` を消すか、値を直してください"
    if "cannot start any token" in problem and _char_at(text, problem_mark) == "\t":
        problem = "tab character"
    for words, in_context, message, at_context in _KNOWN:
        if words in problem and in_context in context:
            mark = context_mark if at_context and context_mark is not None else problem_mark
            return mark or context_mark, message
    detail = problem or context or str(exc).splitlines()[0]
    return problem_mark or context_mark, (f"YAML として読めません（{detail}）: この位置の書き方を確かめてください"
                                          "（値に記号を含めるときは \"…\" で囲みます）")
