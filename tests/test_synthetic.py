"""The synthetic archive generator (cio_forum_site.synthetic)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import yaml

from cio_forum_site import synthetic
from cio_forum_site.content.municipalities import all_municipalities, find

N = 80  # ≥ 62 so that every municipality must appear


@cache
def archive(n: int = N) -> dict[str, str]:
    return synthetic.generate(n)


def split(text: str) -> tuple[dict, str]:
    """(front matter, body) of one article file."""
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    data = yaml.safe_load(front)
    assert isinstance(data, dict)
    return data, body


def labels(data: dict) -> list[str]:
    return [p.get("speaker") or p["name"].split(" ")[0] for p in data.get("participants", [])]


def test_deterministic():
    first = synthetic.generate(40)
    second = synthetic.generate(40)
    assert first == second
    assert list(first) == list(second)


def test_count_and_file_names():
    for n in (0, 1, 2, 7, 62, N):
        files = synthetic.generate(n)
        assert len(files) == n
        for name in files:
            assert re.fullmatch(r"[a-z0-9-]+\.md", name), name


def test_every_municipality_covered():
    for n in (62, 63, N):
        seen = set()
        for text in synthetic.generate(n).values():
            data, _ = split(text)
            seen.update(data.get("municipalities") or [])
        assert seen == {m.name for m in all_municipalities()}, n


def test_front_matter_fields():
    sessions = []
    for name, text in archive().items():
        data, _ = split(text)
        assert isinstance(data["title"], str) and data["title"], name
        assert isinstance(data["date"], dt.date), name
        assert dt.date(2019, 4, 1) <= data["date"] <= dt.date(2026, 3, 31), name
        kind = data.get("kind", "roundtable")
        assert kind in ("roundtable", "interview"), name
        munis = data.get("municipalities") or []
        assert all(find(m) is not None and find(m).name == m for m in munis), name
        assert 0 <= len(munis) <= 3, name
        people = data["participants"]
        assert all(isinstance(p["name"], str) and " " in p["name"] for p in people), name
        if kind == "roundtable":
            assert isinstance(data["session"], int) and data["session"] >= 1, name
            sessions.append(data["session"])
            assert 1 <= len(munis) <= 3, name
            orgs = {p["organization"] for p in people}
            assert "東京都" in orgs, name  # a Tokyo-side participant in every roundtable
            assert set(munis) <= orgs, name
        else:
            assert "session" not in data, name
        assert len(labels(data)) == len(set(labels(data))), name  # unique speaker labels
        if "part" in data:
            assert data["series"] and 1 <= data["part"] <= data.get("parts", 2), name
        assert isinstance(data.get("tags", []), list), name
    assert sorted(sessions) == list(range(1, len(sessions) + 1))


def test_shape_of_the_archive():
    datas = [split(text)[0] for text in archive(300).values()]
    kinds = [d.get("kind", "roundtable") for d in datas]
    assert 20 <= kinds.count("interview") <= 40  # about 1 in 10
    assert sum(1 for d in datas if d.get("part") == 2) >= 10  # some two-part series
    months = {(d["date"].year, d["date"].month) for d in datas}
    assert (2019, 4) in months and (2019, 5) in months  # 平成31年 and 令和元年
    assert len({d["date"].year if d["date"].month >= 4 else d["date"].year - 1 for d in datas}) == 7
    tags = {t for d in datas for t in d.get("tags", [])}
    assert 25 <= len(tags) <= 40
    assert all(unicodedata.normalize("NFKC", t) == t for t in tags)  # canonical tags


def test_small_archives_hit_the_era_boundary():
    dates = sorted(split(t)[0]["date"] for t in synthetic.generate(2).values())
    assert (dates[0].year, dates[0].month) == (2019, 4)
    assert (dates[1].year, dates[1].month) == (2019, 5)


def test_body_length_and_text():
    for name, text in archive().items():
        _, body = split(text)
        assert 6000 <= len(body) <= 10000, (name, len(body))
        assert unicodedata.is_normalized("NFC", text), name
        assert body.count("\n## ") + body.startswith("## ") >= 3, name


# The four speaker-line forms of docs/content-format.md, for one label.
def forms(label: str) -> dict[int, re.Pattern[str]]:
    lab = re.escape(label)
    return {
        1: re.compile(rf"{lab}"),
        2: re.compile(rf"{lab}[（(][^（）()]+[）)]"),
        3: re.compile(rf"[^：:\s]+[：:]{lab}(?:[（(]以下「{lab}」[）)])?"),
        4: re.compile(rf"{lab}[：:].+"),
    }


def test_speaker_forms_and_no_accidental_labels():
    seen: set[int] = set()
    widths = {"：": 0, ":": 0, "（": 0, "(": 0}
    intro = 0
    for name, text in archive().items():
        data, body = split(text)
        patterns = {label: forms(label) for label in labels(data)}
        for line in body.split("\n"):
            if not line or line.startswith(("#", "―")):
                continue
            matched = [
                form
                for per_label in patterns.values()
                for form, pattern in per_label.items()
                if pattern.fullmatch(line)
            ]
            if matched:
                seen.update(matched)
                intro += "以下「" in line
                for ch in widths:
                    widths[ch] += ch in line
                continue
            # Prose: no colon, and it does not start with anyone's label.
            assert "：" not in line and ":" not in line, (name, line)
            assert not any(line.startswith(label) for label in patterns), (name, line)
    assert seen == {1, 2, 3, 4}
    assert intro > 0
    assert all(widths.values()), widths  # full-width and ASCII punctuation both occur


def test_questions_and_multi_paragraph_turns():
    text = "\n".join(archive().values())
    assert re.search(r"^― .+", text, re.M)
    # A turn that goes on after a blank line: a speaker line, words, blank, more words.
    assert re.search(r"^[^\n―#]+\n[^\n―#]{60,}\n\n[^\n―#]{60,}$", text, re.M)


def test_transcripts_parse_into_turns():
    model = pytest.importorskip("cio_forum_site.content.model")
    transcript = pytest.importorskip("cio_forum_site.content.transcript")
    for name, text in archive(30).items():
        data, body = split(text)
        people = [
            model.Participant(name=p["name"], speaker=p.get("speaker") or p["name"].split()[0])
            for p in data["participants"]
        ]
        result = transcript.speaker_turns(body, people)
        assert result.suspects == (), name
        after_heading = False
        speakers = set()
        for block in result.blocks:
            if isinstance(block, model.Heading):
                after_heading = True
            elif isinstance(block, model.Turn):
                speakers.add(block.speaker)
            elif isinstance(block, model.Prose):
                assert not after_heading, (name, block)  # every paragraph belongs to a turn
        assert speakers == {p.speaker for p in people}, name  # everyone speaks


def test_generated_archive_loads_without_errors(tmp_path: Path):
    content = pytest.importorskip("cio_forum_site.content.files")
    out = tmp_path / "content"
    synthetic.write(30, out)
    articles, errors = content.load_archive(out)
    assert [str(e) for e in errors] == []
    assert len(articles) == 30


def test_write_and_main_refuse_a_non_empty_directory(tmp_path: Path, capsys):
    out = tmp_path / "out"
    assert synthetic.main(["3", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(synthetic.generate(3))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert synthetic.main(["5", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refusing" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    with pytest.raises(FileExistsError):
        synthetic.write(1, out)
    # The files on disk are the generated text, byte for byte.
    for name, text in synthetic.generate(3).items():
        assert (out / name).read_bytes() == text.encode("utf-8")


def test_realistic_vocabulary_has_many_more_words_and_the_same_shape(tmp_path: Path):
    pytest.importorskip("wordfreq")  # the `bench` extra (make setup installs it)
    toy = synthetic.generate(20)
    realistic = synthetic.generate(20, "realistic")
    assert realistic == synthetic.generate(20, "realistic")  # deterministic too
    assert list(realistic) == list(toy)  # the same articles, file by file
    noun_runs = re.compile(r"[\u4e00-\u9fff\u30a1-\u30fa\u30fc々]{2,}")

    def vocabulary(files: dict[str, str]) -> set[str]:
        return {w for text in files.values() for w in noun_runs.findall(split(text)[1])}

    assert len(vocabulary(realistic)) > 4 * len(vocabulary(toy))
    for name, text in realistic.items():
        data, body = split(text)
        assert 6000 <= len(body) <= 11000, (name, len(body))
        assert data["participants"] == split(toy[name])[0]["participants"], name
    out = tmp_path / "content"
    synthetic.write(20, out, "realistic")
    from cio_forum_site.content.files import load_archive

    articles, errors = load_archive(out)
    assert [str(e) for e in errors] == [] and len(articles) == 20
    assert all(a.suspect_labels == () for a in articles)


def test_unknown_vocabulary_is_refused():
    with pytest.raises(ValueError):
        synthetic.generate(3, "huge")
