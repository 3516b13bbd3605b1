"""Speaker turns (発言) in a pasted transcript.

Transcripts are pasted as they were spoken, so a turn starts at a line that names a
participant by their label in one of four forms (full-width or ASCII punctuation):

1. ``山田`` — the label alone on a line;
2. ``山田（架空市）`` — the label with a note in brackets;
3. ``架空市CIO：山田（以下「山田」）`` or ``都CIO：山田`` — a role, a colon, then the label;
4. ``山田：はい、そう思います。`` — the label, a colon, and the words.

A turn runs until the next speaker line or heading. Lines beginning with ― or — are the
interviewer's questions (聞き手).

A turn has words. Speaker lines with none before the next speaker line, heading or question
(a participant list pasted into the body) are not turns: a run of them that names every
participant repeats the front matter and is dropped; any other run is kept as a plain list
(one line: a plain paragraph). They are recorded in ``Transcript.wordless`` for ``check``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from cio_forum_site.content.model import Block, Heading, Participant, Prose, Question, Turn

HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
QUESTION_MARKS = ("―", "—", "──")
NOTE_RE = re.compile(r"^(?P<who>[^()]+?)\s*\((?P<note>[^()]*)\)$")
INTRO_RE = re.compile(r"^(?P<who>.+?)\s*\(以下[、,]?\s*[「『\"](?P<label>[^」』\"]+)[」』\"]\)$")
# What an unrecognised speaker label looks like: a short run of name-like characters.
NAME_RE = re.compile(r"[\w・\u3005\u30fc]{1,8}")


@dataclass(frozen=True)
class Transcript:
    blocks: tuple[Block, ...]
    suspects: tuple[tuple[int, str], ...]  # (line, text) of label-like lines naming no one
    wordless: tuple[tuple[int, str], ...] = ()  # (line, text) of speaker lines with no words


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class _Labels:
    """Recognises participants by label, or by full name with or without the space."""

    def __init__(self, participants: Sequence[Participant]):
        self.by_key: dict[str, str] = {}
        for p in participants:
            self.by_key.setdefault(_squash(_norm(p.name)), p.speaker)
        for p in participants:  # labels win over names
            self.by_key[_squash(_norm(p.speaker))] = p.speaker

    def get(self, text: str) -> str | None:
        return self.by_key.get(_squash(text)) if text else None

    def who(self, text: str) -> str | None:
        """A label, alone or with a note in brackets: 山田 / 山田（架空市）."""
        label = self.get(text)
        if label is None and (m := NOTE_RE.match(text)):
            label = self.get(m["who"])
        return label


def _colon(text: str) -> int:
    """Index of the first colon, full-width or ASCII, or -1."""
    positions = [i for i in (text.find("："), text.find(":")) if i >= 0]
    return min(positions) if positions else -1


LINE_LABEL_MAX = 80  # forms 1–3 are a label line, short by nature
PREFIX_MAX = 40  # in form 4 the colon comes right after the label (and its note)


def recognise(line: str, labels: _Labels) -> tuple[str, str] | None:
    """(label, words on the same line) if ``line`` starts a speaker turn."""
    cut = _colon(line[: PREFIX_MAX + 1])
    if cut >= 0 and (label := labels.who(_norm(line[:cut]))) is not None:  # form 4
        return label, line[cut + 1 :].strip()
    if len(line) > LINE_LABEL_MAX:
        return None
    norm = _norm(line)
    if not norm:
        return None
    if (label := labels.who(norm)) is not None:  # forms 1 and 2
        return label, ""
    cut = _colon(line)
    if cut < 0:
        return None
    after = _norm(line[cut + 1 :])
    if m := INTRO_RE.match(after):  # form 3, introducing the label
        label = labels.get(m["label"]) or labels.who(m["who"])
        if label is not None:
            return label, ""
    return (labels.who(after), "") if labels.who(after) is not None else None  # form 3


def _suspect(line: str) -> bool:
    """A line shaped like a speaker label (a short name with a colon or a note) — for
    warnings about labels that name no participant."""
    norm = _norm(line[:LINE_LABEL_MAX])
    cut = norm.find(":")
    if cut >= 0:
        who = norm[:cut].strip()
        if m := NOTE_RE.match(who):
            who = m["who"].strip()
        return bool(NAME_RE.fullmatch(who))
    if m := NOTE_RE.match(norm):
        return bool(NAME_RE.fullmatch(m["who"].strip()))
    return False


def speaker_turns(body: str, participants: Sequence[Participant], first_line: int = 1) -> Transcript:
    """Split a body into headings, prose, questions and speaker turns."""
    labels = _Labels(participants)
    blocks: list[Block] = []
    suspects: list[tuple[int, str]] = []
    current: dict | None = None  # {"kind", "speaker", "lines", "line"}
    fence: str | None = None
    heading_count = 0

    def close() -> None:
        nonlocal current
        if current is None:
            return
        text = "\n".join(current["lines"]).strip("\n")
        if current["kind"] == "turn":
            blocks.append(Turn(current["speaker"], text, current["line"]))
        elif text.strip():
            cls = Question if current["kind"] == "question" else Prose
            blocks.append(cls(text, current["line"]))
        current = None

    def start(kind: str, line_no: int, speaker: str = "", first: str = "") -> None:
        nonlocal current
        close()
        current = {"kind": kind, "speaker": speaker, "lines": [first] if first else [],
                   "line": line_no}

    for offset, line in enumerate(body.split("\n")):
        line_no = first_line + offset
        stripped = line.strip()
        if fence is not None:
            current["lines"].append(line)
            if stripped.startswith(fence):
                fence = None
            continue
        if m := FENCE_RE.match(line):
            if current is None:
                start("prose", line_no)
            current["lines"].append(line)
            fence = m.group(1)[0] * 3
            continue
        if m := HEADING_RE.match(stripped):
            close()
            heading_count += 1
            blocks.append(Heading(len(m.group(1)), m.group(2), line_no, f"h{heading_count}"))
            continue
        if stripped.startswith(QUESTION_MARKS):
            start("question", line_no, first=stripped)
            continue
        if stripped == "":
            if current is not None:
                if current["kind"] == "question":
                    close()
                else:
                    current["lines"].append("")
            continue
        turn = recognise(stripped, labels)
        if turn is not None:
            start("turn", line_no, speaker=turn[0], first=turn[1])
            continue
        if _suspect(stripped):
            suspects.append((line_no, stripped))
        if current is None:
            start("prose", line_no)
        current["lines"].append(line)
    close()
    kept, wordless = _without_wordless_turns(blocks, participants, body.split("\n"), first_line)
    return Transcript(kept, tuple(suspects), wordless)


def _without_wordless_turns(blocks: list[Block], participants: Sequence[Participant], lines: list[str],
                            first_line: int) -> tuple[tuple[Block, ...], tuple[tuple[int, str], ...]]:
    """Runs of turns without words → dropped (they name everyone: the front matter again),
    a plain list, or (a single line) a plain paragraph."""
    everyone = {p.speaker for p in participants}
    kept: list[Block] = []
    wordless: list[tuple[int, str]] = []
    run: list[Turn] = []

    def flush() -> None:
        if not run:
            return
        texts = [lines[t.line - first_line].strip() for t in run]
        wordless.extend(zip((t.line for t in run), texts, strict=True))
        if len(run) == 1:
            kept.append(Prose(texts[0], run[0].line))
        elif not {t.speaker for t in run} >= everyone:  # else it repeats the front matter
            kept.append(Prose("\n".join(f"- {text}" for text in texts), run[0].line))
        run.clear()

    for block in blocks:
        if isinstance(block, Turn) and not block.markdown.strip():
            run.append(block)
            continue
        flush()
        kept.append(block)
    flush()
    return tuple(kept), tuple(wordless)
