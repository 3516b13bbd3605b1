"""The synthetic archive's people: fictional names, posts and who holds them when.

Municipal CIOs and the bureau staff change every two fiscal years (a term); the 都CIO by
period. ``Cast`` chooses each term's holders once, so people recur across articles.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from cio_forum_site.content.municipalities import Municipality, all_municipalities
from cio_forum_site.synthetic.vocabulary import word_list

# Common family names, chosen so that none is a prefix of another or of a municipality's
# name (a speaker label must not be mistaken for part of another word at a line start).
FAMILY_NAMES = word_list(
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 "
    "清水 山崎 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 "
    "遠藤 青木 坂本 斉藤 福田 太田 西村 藤井 金子 岡本 藤原 三浦 原田 松田 竹内 中山 和田 "
    "石田 上田 森田 小島 柴田 宮崎 酒井 工藤 横山 宮本 内田 高木 安藤 島田 谷口 大野 丸山 "
    "今井 高田 藤本 武田 村田 上野 杉山 増田 小山 大塚 平野 菅原 久保 松井 千葉 岩崎 桜井 "
    "木下 野口 松尾 菊地 野村 新井 渡部 佐野 杉本 古川 大西 市川 浅野 服部 片山 荒木 永井 "
    "北村 菅野 河野 水野 星野 川口 秋山 望月 土屋 本田 飯田 吉川 平田"
)

GIVEN_NAMES = word_list(
    "健一 浩二 誠 剛 隆 修 博之 和彦 直樹 拓也 大輔 健太 聡 哲也 雅人 英明 秀樹 正彦 康弘 "
    "達也 恵子 由美 直子 真理子 裕子 明美 智子 美穂 麻衣 彩 佳奈 陽子 久美子 千尋 理恵 典子 "
    "早苗 香織 純子 亜希子"
)

# 都CIO (副知事) by period: (from, family, given). Their family names are kept out of the
# pool above so that nobody else in an article shares the label.
TOKYO_CIOS = (
    (dt.date(2019, 4, 1), "榊原", "達彦"),
    (dt.date(2023, 7, 1), "真壁", "由紀子"),
)

# The editorial team (credits); not participants.
AUTHORS = ("片桐 奈緒", "早川 亮", "立花 美咲", "白石 恭平")
EDITORS = ("桑原 修一", "結城 さやか", "野々村 淳")

BUREAU = "東京都デジタルサービス局"
BUREAU_FOUNDED = dt.date(2021, 4, 1)
BUREAU_POSITIONS = ("局長", "次長", "デジタル改革担当部長")

KIND_SUFFIX = {"特別区": "区", "市": "市", "町": "町", "村": "村"}
OFFICE = {"特別区": "区役所", "市": "市役所", "町": "町役場", "村": "村役場"}


@dataclass
class Person:
    family: str
    given: str
    organization: str
    position: str | None
    role: str | None
    side: str  # "muni", "tokyo" or "bureau"
    muni: Municipality | None = None
    explicit_speaker: bool = False

    @property
    def label(self) -> str:
        return self.family

    @property
    def name(self) -> str:
        return f"{self.family} {self.given}"

    @property
    def self_ref(self) -> str:
        """How the speaker refers to their own organization: 当市, 当区, 本町, 都."""
        if self.muni is None:
            return "都"
        suffix = KIND_SUFFIX[self.muni.kind]
        return ("当" if suffix in ("区", "市") else "本") + suffix


def fiscal_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def tokyo_cio_name(day: dt.date) -> tuple[str, str]:
    family, given = TOKYO_CIOS[0][1:]
    for start, f, g in TOKYO_CIOS:
        if day >= start:
            family, given = f, g
    return family, given


def term_of(day: dt.date) -> int:
    """Municipal CIOs and bureau staff change every two fiscal years."""
    return (fiscal_year(day) - 2019) // 2


class Cast:
    """Who holds which post in each term, chosen once so people recur across articles.

    Within a term all 62 municipal CIOs and the bureau staff have distinct family names,
    none shared with the 都CIO, so the labels within any article are unique."""

    def __init__(self, rng: random.Random, seed: int):
        self._rng = rng
        self._seed = seed
        self._terms: dict[int, tuple[dict[str, Person], dict[str, Person]]] = {}
        reserved = {family for _, family, _ in TOKYO_CIOS}
        self._pool = [f for f in FAMILY_NAMES if f not in reserved]

    def _term_cast(self, term: int) -> tuple[dict[str, Person], dict[str, Person]]:
        if term not in self._terms:
            rng = random.Random(self._seed * 7919 + term)
            munis = all_municipalities()
            families = rng.sample(self._pool, len(munis) + len(BUREAU_POSITIONS))
            by_muni: dict[str, Person] = {}
            for m, family in zip(munis, families, strict=False):
                vice = "副" + KIND_SUFFIX[m.kind] + "長"
                position = rng.choices(
                    (vice, "CIO補佐監", "総務部長", "政策企画部長", "デジタル推進担当部長"),
                    weights=(6, 1, 1, 1, 1),
                )[0]
                by_muni[m.name] = Person(
                    family, rng.choice(GIVEN_NAMES), m.name, position, "CIO", "muni", m
                )
            bureau: dict[str, Person] = {}
            for position, family in zip(BUREAU_POSITIONS, families[len(munis) :], strict=True):
                bureau[position] = Person(
                    family, rng.choice(GIVEN_NAMES), BUREAU, position, None, "bureau"
                )
            self._terms[term] = (by_muni, bureau)
        return self._terms[term]

    def muni_cio(self, m: Municipality, day: dt.date) -> Person:
        p = self._term_cast(term_of(day))[0][m.name]
        return Person(p.family, p.given, p.organization, p.position, p.role, p.side, p.muni)

    def bureau(self, day: dt.date) -> Person:
        staff = self._term_cast(term_of(day))[1]
        p = staff[self._rng.choice(BUREAU_POSITIONS)]
        return Person(p.family, p.given, p.organization, p.position, p.role, p.side)

    @staticmethod
    def tokyo_cio(day: dt.date) -> Person:
        family, given = tokyo_cio_name(day)
        return Person(family, given, "東京都", "副知事", "CIO", "tokyo")

