"""A deterministic synthetic archive, for tests and benchmarks.

    python -m cio_forum_site.synthetic N OUT

writes N plausible article files (see docs/content-format.md) into the directory OUT.
The same N always gives byte-identical files: every random choice comes from
``random.Random`` with a fixed seed, and nothing depends on the clock or on set order.

Everything here is invented: the people are fictional (family and given names drawn from
lists), and the transcripts are composed from sentence templates and word lists. Only the
62 municipalities are real. The bodies use all four speaker-line forms of the spec, in
full-width and ASCII punctuation, and interviewer questions on lines beginning with ―.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from cio_forum_site.content.dates import wareki
from cio_forum_site.content.municipalities import Municipality, all_municipalities

SEED = 20190401
PERIOD_START = dt.date(2019, 4, 1)
PERIOD_END = dt.date(2026, 3, 31)
TARGET_CHARS = 8000  # body length, give or take 600
SAME_LINE_MAX = 190  # longest `LABEL：words` line (form 4)

# --------------------------------------------------------------------------- people


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Common family names, chosen so that none is a prefix of another or of a municipality's
# name (a speaker label must not be mistaken for part of another word at a line start).
FAMILY_NAMES = _words(
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 "
    "清水 山崎 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 "
    "遠藤 青木 坂本 斉藤 福田 太田 西村 藤井 金子 岡本 藤原 三浦 原田 松田 竹内 中山 和田 "
    "石田 上田 森田 小島 柴田 宮崎 酒井 工藤 横山 宮本 内田 高木 安藤 島田 谷口 大野 丸山 "
    "今井 高田 藤本 武田 村田 上野 杉山 増田 小山 大塚 平野 菅原 久保 松井 千葉 岩崎 桜井 "
    "木下 野口 松尾 菊地 野村 新井 渡部 佐野 杉本 古川 大西 市川 浅野 服部 片山 荒木 永井 "
    "北村 菅野 河野 水野 星野 川口 秋山 望月 土屋 本田 飯田 吉川 平田"
)

GIVEN_NAMES = _words(
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


# --------------------------------------------------------------------------- vocabulary

# (heading, tags, first fiscal year it can come up)
TOPICS = (
    ("業務標準化への対応", ("標準化",), 2019),
    ("ガバメントクラウドへの移行", ("ガバメントクラウド", "標準化"), 2021),
    ("デジタル人材の育成", ("人材育成",), 2019),
    ("テレワークと新しい働き方", ("テレワーク", "働き方改革"), 2020),
    ("情報セキュリティ対策の強化", ("セキュリティ",), 2019),
    ("生成AIの業務活用", ("生成AI", "AI"), 2023),
    ("ノーコードツールによる現場発の改善", ("ノーコード", "DX"), 2021),
    ("書かない窓口の実現", ("窓口改革", "マイナンバーカード"), 2021),
    ("マイナンバーカードの普及と利活用", ("マイナンバーカード",), 2019),
    ("行政手続のオンライン化", ("電子申請", "DX"), 2019),
    ("オープンデータとデータ利活用", ("オープンデータ", "データ活用"), 2019),
    ("区市町村の広域連携", ("広域連携",), 2019),
    ("システムの共同調達", ("共同調達",), 2019),
    ("業務改革（BPR）の進め方", ("BPR",), 2019),
    ("RPAとAI-OCRの定着", ("RPA", "AI"), 2019),
    ("キャッシュレス決済の導入", ("キャッシュレス",), 2019),
    ("防災分野のデジタル化", ("防災",), 2019),
    ("子育て支援のデジタル化", ("子育て支援",), 2019),
    ("福祉の現場とデジタル", ("福祉",), 2019),
    ("学校教育の情報化", ("教育DX",), 2020),
    ("島しょ地域の通信環境", ("島しょ", "5G"), 2019),
    ("ペーパーレス化の取り組み", ("ペーパーレス", "働き方改革"), 2019),
    ("ゼロトラストへの転換", ("ゼロトラスト", "セキュリティ"), 2021),
    ("スマートシティの構想", ("スマートシティ", "官民連携"), 2019),
    ("民間企業との協働", ("官民連携",), 2019),
    ("デジタルデバイド対策", ("デジタルデバイド",), 2020),
    ("CIOの役割と庁内体制", ("組織づくり",), 2019),
    ("首長のリーダーシップ", ("組織づくり", "DX"), 2019),
    ("都と区市町村の連携", ("広域連携", "DX"), 2019),
    ("DX推進計画の策定", ("DX",), 2020),
    ("5Gと地域のネットワーク", ("5G",), 2019),
    ("データに基づく政策立案", ("データ活用",), 2019),
    ("職員の意識改革", ("人材育成", "組織づくり"), 2019),
    ("住民との対話とデザイン思考", ("DX",), 2019),
    ("これからの自治体DXに向けて", ("DX",), 2019),
)

# The tag vocabulary, in display order (every tag used by TOPICS, plus a few extras).
TAGS = (
    "DX", "ガバメントクラウド", "標準化", "テレワーク", "人材育成", "セキュリティ", "生成AI",
    "ノーコード", "窓口改革", "マイナンバーカード", "電子申請", "オープンデータ", "データ活用",
    "広域連携", "共同調達", "BPR", "RPA", "AI", "キャッシュレス", "防災", "子育て支援", "福祉",
    "教育DX", "島しょ", "働き方改革", "ゼロトラスト", "5G", "スマートシティ", "官民連携",
    "デジタルデバイド", "ペーパーレス", "組織づくり",
)  # fmt: skip

# (term, first fiscal year it can come up, usable as a tool: "…で共有する", "…を使い")
TECH = (
    ("DX", 2019, False), ("ガバメントクラウド", 2021, False),
    ("自治体情報システムの標準化", 2020, False), ("生成AI", 2023, True),
    ("ノーコードツール", 2021, True), ("ローコード開発", 2021, False), ("RPA", 2019, True),
    ("AI-OCR", 2019, True), ("マイナンバーカード", 2019, False), ("電子申請", 2019, True),
    ("キャッシュレス決済", 2019, False), ("テレワーク", 2020, False), ("Web会議", 2020, True),
    ("ビジネスチャット", 2020, True), ("LGWAN", 2019, False), ("三層分離の見直し", 2020, False),
    ("ゼロトラスト", 2021, False), ("クラウドサービス", 2019, True), ("オープンデータ", 2019, False),
    ("データ連携基盤", 2020, True), ("GIS", 2019, True), ("書かない窓口", 2021, False),
    ("スマートフォン", 2019, True), ("タブレット端末", 2019, True), ("庁内無線LAN", 2019, False),
    ("アジャイル開発", 2020, False), ("チャットボット", 2019, True), ("5G", 2020, False),
    ("電子契約", 2021, False), ("文書管理システム", 2019, True), ("公金受取口座", 2022, False),
    ("メタバース", 2022, False), ("オンライン相談", 2020, True), ("IoTセンサー", 2019, True),
)  # fmt: skip

# Katakana loanwords and others, by what a sentence can do with them.
THINGS = _words(  # made, shared, used
    "ダッシュボード ポータルサイト プロトタイプ チェックリスト マニュアル ガイドライン "
    "ロードマップ FAQ集 テンプレート 業務フロー図 データカタログ 研修動画 ナレッジベース"
)
ACTIVITIES = _words(  # held, tried
    "ワークショップ ハッカソン アンケート調査 実証実験 勉強会 ユーザーテスト 意見交換会 "
    "アイデアソン オンライン説明会 ハンズオン研修"
)
CONCEPTS = _words(  # needed, valued
    "アクセシビリティ ユーザビリティ ガバナンス ナレッジ共有 インシデント対応 リスク管理 "
    "ユーザー目線 全体最適 スピード感 透明性 コミュニケーション セキュリティ意識"
)
SKILLS = _words("リテラシー 意識 関心 理解度 スキル 期待")

KANJI = _words(
    "業務改革 住民サービス 職員体制 予算要求 調達手続 情報共有 意思決定 庁内調整 事務分掌 "
    "基幹業務 共同調達 広域連携 移行計画 運用保守 費用対効果 個人情報保護 災害対応 防災情報 "
    "子育て支援 高齢者福祉 地域包括ケア 税務事務 住民記録 国民健康保険 介護保険 福祉総合窓口 "
    "職員研修 人事異動 財政負担 議会対応 窓口業務 証明書交付 公共施設予約 道路維持管理 "
    "ごみ収集 図書館運営 学校事務 保育所入所 健康診断 選挙事務"
)

REGIONS = _words(
    "多摩地域 島しょ地域 西多摩 北多摩 南多摩 区部 伊豆諸島 小笠原 山間部 湾岸エリア "
    "ニュータウン 駅前の商店街 丘陵地 河川沿いの地域"
)

GROUPS = _words(
    "住民 高齢者 子育て世代 若手職員 管理職 情報システム部門 現場の職員 事業者 地域の企業 "
    "大学の研究者 町会・自治会 学生 障害のある方 外国人住民 議員 窓口担当 ベテラン職員"
)

SUPPORT = _words(
    "技術的な助言 専門人材の派遣 共同調達の枠組み 補助制度 研修プログラム 伴走支援 "
    "相談窓口 先行事例の共有 検証環境の提供"
)

VENUES = ("都庁第一本庁舎", "都庁第二本庁舎", "オンライン会議", "都庁の会議室")

YEAR_PHRASES = ("今年度", "来年度", "昨年度", "この春", "この秋", "年度の後半", "年度当初")

# Sentence templates, one per line. Slots: {self} (当市, 都 …), {muni}, {omuni}, {omuni2},
# {region}, {tech}, {tech2}, {tool}, {thing}, {activity}, {concept}, {skill}, {kanji},
# {group}, {support}, {num}, {pct}, {hours}, {year}, {topic}, {other} (another speaker's
# label). No template starts with {other} or contains a colon, so no prose line can look
# like a speaker line.
COMMON = """\
{self}では{tech}の導入を{year}から段階的に進めてきました。
最初は{group}から{concept}が足りないという声が多く、{kanji}の見直しから手を付けました。
{tech}については、{kanji}とセットで考えないと効果が出にくいと感じています。
庁内で小さな{thing}を作り、{group}に実際に使ってもらいながら改善を重ねました。
{omuni}の取り組みを参考にさせていただき、{kanji}の手順を{num}段階に整理しました。
職員のおよそ{pct}パーセントが{tool}を日常的に使うようになりました。
{kanji}にかかる時間は、目に見えて減ってきています。
一方で、{region}のように人材の確保が難しい地域もあり、一律の進め方では無理があります。
{tech}を入れること自体が目的になると、{group}にとっての価値が見えなくなります。
だからこそ、{kanji}の段階から{group}の声を聞くことを大切にしています。
{year}には、{tool}と{tech2}を組み合わせた新しい{activity}を予定しています。
正直に申し上げると、{kanji}では何度も壁にぶつかりました。
ただ、その経験があったからこそ{tech}への対応が円滑に進んだのだと思います。
{group}に向けた{activity}を{num}回開き、{tech}の意味を丁寧に伝えました。
先ほど{other}さんがおっしゃった{concept}の話は、{self}でもまさに課題になっています。
{tech}の効果を測るため、{kanji}の件数や処理時間を毎月{thing}で見える化しています。
{omuni}や{omuni2}とは担当者同士で勉強会を作り、気軽に相談できる関係ができています。
技術の話よりも、{kanji}をどう変えるかという組織の話のほうがずっと難しいですね。
{tech}に関する{thing}が示されたことで、庁内の議論が一気に進みました。
ベンダー任せにせず、仕様書を自分たちで書ける職員を増やしたいと考えています。
窓口に来られる{group}の待ち時間を、{tool}によって{num}割ほど短くできました。
{kanji}のデータを{tool}でつなぐと、これまで見えなかった課題が浮かび上がってきます。
失敗を恐れずに試せる{activity}の仕組みを、庁内に根付かせたいと思っています。
{region}では{kanji}の担い手不足が深刻で、{tech}への期待は年々高まっています。
セキュリティと使いやすさのバランスをどう取るかは、今も悩ましいところです。
{tech}の導入後、{group}からは「手続きが分かりやすくなった」という声をいただきました。
当初は{year}の完了を目指していましたが、{kanji}の調整に思いのほか時間がかかりました。
{thing}を一から作るのではなく、他団体の成果を再利用する発想が大事だと思います。
最近は{tool}を使い、{kanji}に関する問い合わせへの回答案を作る実験もしています。
{num}年前と比べると、{group}の{skill}は確実に高まってきていると感じます。
一つの部署だけでは完結しない{kanji}こそ、全庁的な{concept}が求められます。
{tech}の費用は決して小さくないので、{kanji}の観点から議会にも丁寧に説明しています。
都と区市町村が同じ方向を向いて進めることが、結果的に{group}の利便性につながります。
{omuni}のように{tech}で先行している団体の話を聞くと、大いに刺激を受けます。
島しょ部では通信環境の制約もあり、{tech}の活用にも独自の工夫が必要です。
{thing}づくりには若手からベテランまで{num}人が参加し、部署を越えた議論が生まれました。
{tech}の研修は座学だけでなく、実際の{kanji}を題材にした演習を中心にしています。
庁内の{thing}を整えたうえで、次は{group}と一緒に{kanji}を考える段階に進みたいです。
{tech}に取り組むなかで、{kanji}の前提そのものを問い直すことになりました。
紙の申請書を前提にした{kanji}を、デジタル前提で作り直すのは簡単ではありません。
{tech}に不安を感じる{group}もいるので、対面での支援も並行して続けています。
{year}の{kanji}に向けて、{thing}の見直しを急いでいるところです。
{tech}は導入して終わりではなく、使われ続けるための{concept}が欠かせません。
{support}を活用して、{kanji}の現状を外部の目で点検してもらいました。
結果として、年間でおよそ{hours}時間分の作業を削減できる見込みです。
{kanji}に関わる{group}の負担を減らすことが、最終的には住民サービスの質を高めます。
小さく始めて大きく育てるという考え方で、{tool}の適用範囲を広げてきました。
{omuni}の担当者から教わった{thing}は、いまでも{self}の財産になっています。
{topic}という切り口で見ると、{kanji}にはまだ改善の余地が大きいと思います。
{group}の困りごとを起点に考えると、{tool}の使いどころが自然と見えてきます。
個人情報の扱いについては、{kanji}の担当と早い段階から協議するようにしています。
{tool}を試した部署では、{kanji}の処理件数がおよそ{pct}パーセント増えました。
会議の資料を{tool}で共有するようにしてから、印刷の量が大きく減りました。
{num}つの部署が同じ{thing}を使うことで、{kanji}の引き継ぎも楽になりました。
外部の専門家にも入っていただき、{kanji}の課題を一緒に洗い出しました。
{region}の事情を踏まえると、{tool}は{kanji}の維持にも役立つはずです。
{group}のなかにも詳しい方が多く、教えていただくことがたくさんあります。
やってみて初めて分かることが多いので、まずは{activity}から始めるようにしています。
{activity}では、{group}から思いがけない意見をたくさんいただきました。
{concept}を高めるには、{thing}のような地道な道具立てが効いてきます。
{kanji}の現場を歩いて話を聞くと、机の上では分からない課題が見えてきます。
"""

TOKYO = """\
都としては、{tech}の共通基盤を整え、区市町村の皆さんが使いやすい環境をつくりたいと考えています。
{region}を含めた都内全域で、{kanji}の底上げを図ることが私たちの役割です。
区市町村の皆さんから寄せられた意見は、都の施策にも積極的に反映しています。
都庁の中でも{tech}の活用を進めており、その知見を惜しみなく共有していきます。
{support}の枠を広げ、規模の小さな団体でも{tech}に取り組めるようにしました。
国の動きも見ながら、{kanji}について都と区市町村で足並みをそろえることが重要です。
いま{other}さんのお話を伺って、都が果たすべき役割がより明確になりました。
{year}からは、{tech}に関する相談窓口を都に常設しています。
{muni}の取り組みは、ほかの区市町村にとっても大いに参考になると思います。
都が先に失敗しておくことで、区市町村の皆さんの負担を少しでも減らしたいのです。
{tool}の調達を都がまとめて行えば、一団体あたりの費用を抑えられます。
都庁の職員にも{tech}の素養を身につけてもらうため、{num}か月の研修を始めました。
"""

OPENERS = """\
はい。
そうですね。
ありがとうございます。
おっしゃる通りです。
まさにそこが大事なところだと思います。
少し補足させてください。
少し視点を変えてお話しします。
実は、{self}でも同じような経験があります。
私からも一言よろしいでしょうか。
いい質問をいただきました。
"""

# Interviewer questions: to anyone, to municipal CIOs, to the Tokyo side.
QUESTIONS = """\
― {topic}について、まずは現状をお聞かせください。
― {tech}を進めるうえで、一番の課題は何でしょうか。
― {group}の反応はいかがでしたか。
― 今後、{kanji}の分野ではどんな展開を考えていますか。
― {topic}に関して、ほかの団体と協力していることはありますか。
― 職員の皆さんの受け止め方に変化はありましたか。
― {region}ならではの難しさはありますか。
― {activity}を通じて、どんな気づきがありましたか。
"""

MUNI_QUESTIONS = """\
― {muni}ではどのような体制で{tech}に取り組んでいますか。
― 都からの支援については、どのように受け止めていますか。
― {muni}の規模ならではの工夫はありますか。
"""

TOKYO_QUESTIONS = """\
― 都として、区市町村をどのように支えていきますか。
― 都庁の中では{tech}の活用がどこまで進んでいますか。
― 区市町村ごとの事情の違いには、どう向き合っていますか。
"""

LAST_QUESTION = "― 最後に、ほかの区市町村の皆さんへのメッセージをお願いします。"

SUBHEADINGS = ("現場からの声", "数字で見る成果", "残された課題", "次の一歩", "連携のかたち")


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line for line in text.splitlines() if line)


COMMON_T = _lines(COMMON)
TOKYO_T = _lines(TOKYO)
OPENERS_T = _lines(OPENERS)
QUESTIONS_T = _lines(QUESTIONS)
MUNI_QUESTIONS_T = _lines(MUNI_QUESTIONS)
TOKYO_QUESTIONS_T = _lines(TOKYO_QUESTIONS)

_SLOT = re.compile(r"\{(\w+)\}")


# --------------------------------------------------------------------------- plan


@dataclass
class Event:
    """One roundtable (one or two articles) or one interview."""

    kind: str  # "roundtable" or "interview"
    parts: int
    date: dt.date = PERIOD_START
    munis: list[Municipality] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    topics: list[list[tuple[str, tuple[str, ...], int]]] = field(default_factory=list)


def _fiscal_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _tokyo_cio(day: dt.date) -> tuple[str, str]:
    family, given = TOKYO_CIOS[0][1:]
    for start, f, g in TOKYO_CIOS:
        if day >= start:
            family, given = f, g
    return family, given


def _term(day: dt.date) -> int:
    """Municipal CIOs and bureau staff change every two fiscal years."""
    return (_fiscal_year(day) - 2019) // 2


class _Cast:
    """Who holds which post in each term, chosen once so people recur across articles.

    Within a term all 62 municipal CIOs and the bureau staff have distinct family names,
    none shared with the 都CIO, so the labels within any article are unique."""

    def __init__(self, rng: random.Random):
        self._rng = rng
        self._terms: dict[int, tuple[dict[str, Person], dict[str, Person]]] = {}
        reserved = {family for _, family, _ in TOKYO_CIOS}
        self._pool = [f for f in FAMILY_NAMES if f not in reserved]

    def _term_cast(self, term: int) -> tuple[dict[str, Person], dict[str, Person]]:
        if term not in self._terms:
            rng = random.Random(SEED * 7919 + term)
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
        p = self._term_cast(_term(day))[0][m.name]
        return Person(p.family, p.given, p.organization, p.position, p.role, p.side, p.muni)

    def bureau(self, day: dt.date) -> Person:
        staff = self._term_cast(_term(day))[1]
        p = staff[self._rng.choice(BUREAU_POSITIONS)]
        return Person(p.family, p.given, p.organization, p.position, p.role, p.side)

    @staticmethod
    def tokyo_cio(day: dt.date) -> Person:
        family, given = _tokyo_cio(day)
        return Person(family, given, "東京都", "副知事", "CIO", "tokyo")


def _weekday(day: dt.date) -> dt.date:
    """Move a weekend day to the Friday before (or the Monday after, at the period start)."""
    if day.weekday() < 5:
        return day
    back = day - dt.timedelta(days=day.weekday() - 4)
    if back >= PERIOD_START and back.month == day.month:
        return back
    return day + dt.timedelta(days=7 - day.weekday())


def _plan(n: int, rng: random.Random) -> list[Event]:
    """The events, dated and cast, in date order."""
    n_interviews = round(n / 10) if n >= 5 else 0
    events = [Event("interview", 1) for _ in range(n_interviews)]
    remaining = n - n_interviews
    while remaining > 0:
        parts = 2 if remaining >= 2 and rng.random() < 0.18 else 1
        events.append(Event("roundtable", parts))
        remaining -= parts
    rng.shuffle(events)

    # Dates: evenly spread with jitter; the first event in April 2019 (平成31年), the second
    # in May 2019 (令和元年), the last in March 2026 — so era and fiscal-year edges occur.
    span = (PERIOD_END - PERIOD_START).days
    count = len(events)
    for k, event in enumerate(events):
        if k == 0:
            day = dt.date(2019, 4, rng.randint(8, 26))
        elif k == 1:
            day = dt.date(2019, 5, rng.randint(7, 28))
        elif k == count - 1 and count >= 3:
            day = dt.date(2026, 3, rng.randint(2, 25))
        else:
            day = PERIOD_START + dt.timedelta(days=int((k + rng.uniform(0.1, 0.9)) * span / count))
        event.date = _weekday(day)
    events.sort(key=lambda e: e.date)

    # Municipalities: walk a shuffled cycle of all 62 so that every one comes up early.
    order = list(all_municipalities())
    rng.shuffle(order)
    cursor = 0

    def draw(taken: list[Municipality]) -> Municipality:
        nonlocal cursor
        while True:
            m = order[cursor % len(order)]
            cursor += 1
            if m not in taken:
                return m

    for event in events:
        if event.kind == "roundtable":
            k = rng.choices((1, 2, 3), weights=(5, 4, 2))[0]
        else:
            k = 1 if rng.random() < 0.6 else 0
        for _ in range(k):
            event.munis.append(draw(event.munis))
    # If there were too few draws to cover all 62, add the rest to small roundtables.
    if cursor < len(order):
        missing = order[cursor:]
        for event in events:
            while missing and event.kind == "roundtable" and len(event.munis) < 3:
                event.munis.append(missing.pop(0))
    for event in events:
        event.munis.sort(key=lambda m: m.code)

    cast = _Cast(rng)
    for event in events:
        people = [cast.muni_cio(m, event.date) for m in event.munis]
        if event.kind == "roundtable" or not people:
            people.append(cast.tokyo_cio(event.date))
        wants_bureau = rng.random() < (0.45 if event.kind == "roundtable" else 0.25)
        if event.date >= BUREAU_FOUNDED and wants_bureau:
            people.append(cast.bureau(event.date))
        for p in people:
            p.explicit_speaker = rng.random() < 0.1
        event.people = people

        fy = _fiscal_year(event.date)
        available = [t for t in TOPICS if t[2] <= fy]
        chosen = rng.sample(available, rng.randint(3, 5) * event.parts)
        size = len(chosen) // event.parts
        event.topics = [chosen[i * size : (i + 1) * size] for i in range(event.parts)]
    return events


# --------------------------------------------------------------------------- text


class _Writer:
    """Composes one article body."""

    def __init__(self, rng: random.Random, event: Event, topics: list[str], last: bool):
        self.rng = rng
        self.event = event
        self.topics = topics
        self.last = last
        self.fy = _fiscal_year(event.date)
        self.tech = [t for t, since, _ in TECH if since <= self.fy]
        self.tools = [t for t, since, tool in TECH if tool and since <= self.fy]
        self.asked: list[str] = []
        self.introduced: set[str] = set()
        self.lines: list[str] = []
        self.size = 0
        self.topic = topics[0]
        self.forms_used: list[int] = []

    # -- words

    def fill(self, template: str, speaker: Person | None) -> str:
        rng = self.rng
        # Only people who have already spoken can be referred to.
        others = [
            p for p in self.event.people if p is not speaker and p.label in self.introduced
        ]

        def slot(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "self":
                return speaker.self_ref if speaker else "都"
            if name == "muni":
                if speaker is not None and speaker.muni is not None:
                    return speaker.muni.name
                if self.event.munis:
                    return rng.choice(self.event.munis).name
                return "区市町村"
            if name in ("omuni", "omuni2"):
                return rng.choice(all_municipalities()).name
            if name == "other":
                return rng.choice(others).label if others else "皆"
            if name in ("tech", "tech2"):
                return rng.choice(self.tech)
            if name == "tool":
                return rng.choice(self.tools)
            if name == "num":
                return str(rng.randint(2, 9))
            if name == "pct":
                return str(rng.randrange(10, 95, 5))
            if name == "hours":
                return f"{rng.randrange(1, 60) * 100:,}"
            if name == "topic":
                return self.topic
            return rng.choice(_WORDS[name])

        return _SLOT.sub(slot, template)

    def paragraph(self, speaker: Person, opener: bool) -> str:
        rng = self.rng
        parts = []
        if opener and rng.random() < 0.45:
            parts.append(self.fill(rng.choice(OPENERS_T), speaker))
        pool = COMMON_T
        if speaker.side != "muni":
            pool = COMMON_T + TOKYO_T + TOKYO_T
        if not any(label != speaker.label for label in self.introduced):
            pool = tuple(t for t in pool if "{other}" not in t)
        parts.extend(self.fill(t, speaker) for t in rng.sample(pool, rng.randint(2, 5)))
        return "".join(parts)

    # -- lines

    def emit(self, *lines: str) -> None:
        for line in lines:
            self.lines.append(line)
            self.size += len(line) + 1

    def speaker_line(self, p: Person) -> tuple[str, int]:
        """The line that opens a turn, and which of the four forms it uses (1–4)."""
        rng = self.rng
        colon = "：" if rng.random() < 0.75 else ":"
        lp, rp = ("（", "）") if rng.random() < 0.75 else ("(", ")")
        first = p.label not in self.introduced
        self.introduced.add(p.label)
        if first and rng.random() < 0.5:
            return f"{self._role(p)}{colon}{p.label}{lp}以下「{p.label}」{rp}", 3
        form = rng.choices((1, 2, 3, 4), weights=(3, 2, 2, 3))[0]
        if form == 1:
            return p.label, 1
        if form == 2:
            return f"{p.label}{lp}{self._note(p)}{rp}", 2
        if form == 3:
            return f"{self._role(p)}{colon}{p.label}", 3
        return f"{p.label}{colon}", 4

    def _role(self, p: Person) -> str:
        if p.side == "tokyo":
            return self.rng.choice(("都CIO", "東京都CIO", "副知事"))
        if p.side == "bureau":
            return "デジタルサービス局" + (p.position or "")
        assert p.muni is not None
        return self.rng.choice((f"{p.muni.name}CIO", f"{p.muni.name}{p.position}", "CIO"))

    def _note(self, p: Person) -> str:
        if p.side == "tokyo":
            return self.rng.choice(("東京都", "都CIO", "副知事"))
        if p.side == "bureau":
            return self.rng.choice(("デジタルサービス局", BUREAU))
        assert p.muni is not None
        return self.rng.choice((p.muni.name, p.position or p.muni.name, f"{p.muni.name}CIO"))

    def turn(self, p: Person, brief: bool = False) -> None:
        rng = self.rng
        head, form = self.speaker_line(p)
        self.forms_used.append(form)
        paragraphs = [self.paragraph(p, True)]
        more = 0 if brief else rng.choices((0, 1, 2), (4, 4, 2))[0]
        paragraphs += [self.paragraph(p, False) for _ in range(more)]
        if form == 4:
            # A short answer on the speaker line, sometimes the whole first paragraph — but
            # kept under 200 characters: transcript.recognise() ignores longer lines.
            if rng.random() < 0.5 or len(head + paragraphs[0]) > SAME_LINE_MAX:
                self.emit(head + self.fill(rng.choice(OPENERS_T), p))
            else:
                self.emit(head + paragraphs.pop(0))
        else:
            self.emit(head)
            if rng.random() < 0.2:
                self.emit("")  # the words after a blank line: still the same turn
        for i, para in enumerate(paragraphs):
            if i or form == 4:
                self.emit("")
            self.emit(para)
        self.emit("")

    def question(self, speaker: Person) -> None:
        """An interviewer's question, put to ``speaker`` (who answers next)."""
        rng = self.rng
        if speaker.side == "muni":
            pool = QUESTIONS_T + MUNI_QUESTIONS_T
        else:
            pool = QUESTIONS_T + TOKYO_QUESTIONS_T
        fresh = [t for t in pool if t not in self.asked] or list(pool)
        template = rng.choice(fresh)
        self.asked.append(template)
        line = self.fill(template, speaker)
        if len(self.event.people) > 1 and rng.random() < 0.3:
            line = f"― {speaker.label}さん、" + line[2:]
        self.emit(line, "")

    # -- the body

    def body(self, target: int) -> str:
        rng = self.rng
        event = self.event
        people = event.people
        interview = event.kind == "interview"
        if rng.random() < 0.7:
            # The lead, and where it was recorded (prose before the first heading: after a
            # turn it would count as that speaker's words).
            place = rng.choice(VENUES)
            if event.munis and rng.random() < 0.3:
                m = rng.choice(event.munis)
                place = m.name[: -len(KIND_SUFFIX[m.kind])] + OFFICE[m.kind]
            self.emit(self.lead(), "", f"（{wareki(event.date)}、{place}にて収録）", "")
        if self.last:  # leave room for everyone's closing words
            target -= 60 + 220 * len(people)
        per_section = target / len(self.topics)
        previous: Person | None = None
        for index, topic in enumerate(self.topics):
            self.topic = topic
            self.emit(f"## {topic}", "")
            goal = per_section * (index + 1)
            # In the first section everyone speaks once, in a shuffled order.
            order = people[:] if index == 0 else []
            rng.shuffle(order)
            asked = False
            subheading = rng.random() < 0.12
            while self.size < goal or order:
                if order:
                    speaker = order.pop()
                else:
                    choices = [p for p in people if p is not previous] or people
                    weights = [1.2 if p.side == "muni" else 0.9 for p in choices]
                    speaker = rng.choices(choices, weights)[0]
                if subheading and asked and self.size > goal - per_section / 2:
                    self.emit(f"### {rng.choice(SUBHEADINGS)}", "")
                    subheading = False
                if interview or not asked or rng.random() < 0.15:
                    self.question(speaker)
                    asked = True
                self.turn(speaker)
                previous = speaker
        if self.last:
            self.emit(LAST_QUESTION, "")
            for p in people:
                self.turn(p, brief=True)
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    def lead(self) -> str:
        event = self.event
        day = wareki(event.date)
        topics = "、".join(self.topics[:2])
        if event.kind == "interview":
            p = event.people[0]
            return f"{day}、{p.organization}の{p.position}に、{topics}について話を伺いました。"
        names = "・".join(m.name for m in event.munis)
        return (
            f"{day}、{names}のCIOと都CIOが集まり、{topics}などをテーマに語り合いました。"
            f"その模様を{'前後編に分けて' if event.parts > 1 else ''}お届けします。"
        )


_WORDS: dict[str, tuple[str, ...]] = {
    "region": REGIONS,
    "thing": THINGS,
    "activity": ACTIVITIES,
    "concept": CONCEPTS,
    "skill": SKILLS,
    "kanji": KANJI,
    "group": GROUPS,
    "support": SUPPORT,
    "year": YEAR_PHRASES,
}


# --------------------------------------------------------------------------- front matter

_PLAIN = re.compile(r"[^\s:#,\[\]{}&*!|>'\"%@`?-][^:#,\[\]{}&*!|>'\"%@`]*")


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that is safe, double-quoted otherwise."""
    if _PLAIN.fullmatch(text) and text == text.strip():
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(_scalar(i) for i in items) + "]"


def _front_matter(fields: list[tuple[str, object]]) -> str:
    out = ["---"]
    for key, value in fields:
        if isinstance(value, list) and value and isinstance(value[0], Person):
            out.append(f"{key}:")
            for p in value:
                out.append(f"  - name: {_scalar(p.name)}")
                out.append(f"    organization: {_scalar(p.organization)}")
                if p.position:
                    out.append(f"    position: {_scalar(p.position)}")
                if p.role:
                    out.append(f"    role: {_scalar(p.role)}")
                if p.explicit_speaker:
                    out.append(f"    speaker: {_scalar(p.label)}")
        elif isinstance(value, list):
            out.append(f"{key}: {_flow(value)}")
        elif isinstance(value, dict):
            out.append(f"{key}:")
            out.extend(f"  {k}: {_scalar(v)}" for k, v in value.items())
        elif isinstance(value, (int, dt.date)):
            out.append(f"{key}: {value}")
        else:
            out.append(f"{key}: {_scalar(str(value))}")
    out.append("---")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- articles


def generate(n: int) -> dict[str, str]:
    """``n`` article files: file name → text. Pure: the same ``n`` gives the same result."""
    if n < 0:
        raise ValueError("n must be ≥ 0")
    rng = random.Random(SEED)
    events = _plan(n, rng)
    files: dict[str, str] = {}
    session = 0
    interview_no = 0
    series_ids: set[str] = set()
    for event_no, event in enumerate(events):
        erng = random.Random(SEED * 1_000_003 + event_no)
        slugs = "-".join(m.slug for m in event.munis)
        series = None
        if event.parts > 1:
            base = f"{event.munis[0].slug}-{event.date.year}"
            series, suffix = base, 2
            while series in series_ids:
                series, suffix = f"{base}-{suffix}", suffix + 1
            series_ids.add(series)
        published = event.date + dt.timedelta(days=erng.randint(14, 35))
        for part in range(1, event.parts + 1):
            topic_rows = event.topics[part - 1]
            topics = [t[0] for t in topic_rows]
            if event.kind == "roundtable":
                session += 1
                filename = f"{session:04d}-{slugs}.md"
            else:
                interview_no += 1
                filename = f"interview-{interview_no:03d}-{slugs or 'tokyo'}.md"
            writer = _Writer(erng, event, topics, last=part == event.parts)
            body = writer.body(TARGET_CHARS + erng.randint(-600, 600))
            fields = _fields(erng, event, topics, topic_rows, session, part, series, published)
            text = _front_matter(fields) + "\n" + body
            files[filename] = unicodedata.normalize("NFC", text)
            published += dt.timedelta(days=erng.randint(7, 21))
    return files


def _fields(
    rng: random.Random,
    event: Event,
    topics: list[str],
    topic_rows: list[tuple[str, tuple[str, ...], int]],
    session: int,
    part: int,
    series: str | None,
    published: dt.date,
) -> list[tuple[str, object]]:
    names = "・".join(m.name for m in event.munis)
    suffix = ("（前編）", "（後編）")[part - 1] if series else ""
    if event.kind == "interview":
        p = event.people[0]
        who = "都CIO" if p.side == "tokyo" else f"{p.organization}CIO"
        title = rng.choice((f"{who}に聞く「{topics[0]}」", f"{who}インタビュー　{topics[0]}"))
        summary = f"{p.organization}の{p.position}に、{topics[0]}や{topics[1]}について聞きました。"
    else:
        title = rng.choice(
            (
                f"{names}CIO×都CIO座談会「{topics[0]}」{suffix}",
                f"{topics[0]}を語る　{names}CIO×都CIO{suffix}",
                f"{names}と東京都のCIO座談会{suffix}",
            )
        )
        summary = f"{names}と東京都のCIOが、{topics[0]}や{topics[1]}について語り合いました。"
    wanted = {tag for row in topic_rows for tag in row[1]}
    wanted.update(rng.sample(TAGS, rng.randint(0, 2)))
    tags = [t for t in TAGS if t in wanted][:6]

    fields: list[tuple[str, object]] = [("title", title)]
    if event.kind == "interview":
        fields.append(("kind", "interview"))
    else:
        if rng.random() < 0.6:
            fields.append(("kind", "roundtable"))
        fields.append(("session", session))
    fields.append(("date", event.date))
    if rng.random() < 0.8:
        fields.append(("published", published))
    if event.munis or rng.random() < 0.5:
        fields.append(("municipalities", [m.name for m in event.munis]))
    fields.append(("participants", event.people))
    if rng.random() < 0.5:
        fields.append(("topics", topics))
    fields.append(("tags", tags))
    if series:
        fields += [("series", series), ("part", part)]
        if rng.random() < 0.8:
            fields.append(("parts", event.parts))
    if rng.random() < 0.85:
        fields.append(("credits", {"author": rng.choice(AUTHORS), "editor": rng.choice(EDITORS)}))
    if rng.random() < 0.7:
        fields.append(("summary", summary))
    return fields


def write(n: int, out_dir: Path | str) -> list[Path]:
    """Write ``generate(n)`` into ``out_dir`` (created; must be empty). Never overwrites."""
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an empty directory")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generate(n).items():
        path = out / name
        with path.open("x", encoding="utf-8", newline="\n") as f:
            f.write(text)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cio_forum_site.synthetic",
        description="Write N deterministic synthetic article files into OUT.",
    )
    parser.add_argument("n", metavar="N", type=int, help="number of articles")
    parser.add_argument("out", metavar="OUT", type=Path, help="output directory (new or empty)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be ≥ 0")
    try:
        written = write(args.n, args.out)
    except FileExistsError as e:
        print(f"synthetic: refusing to write: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} articles to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
