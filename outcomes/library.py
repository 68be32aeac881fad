"""The question library: the questions a coordinator adds to a program's surveys, as data.

Each entry has a `code` (kept on the copied SurveyQuestion as `library_code`, so the same
question asked before and after the program can be compared), a `set` ("satisfaction" or
"learning"), a `kind` (outcomes.models.QuestionKind), what it `measures` ("satisfaction", or
"competence" with a `competence` code) and its wording in the five languages; choice
questions carry `choices`, a list of options each worded in the five languages.

The wording is ours, written for a 15-year-old. A survey copies it, and its coordinators may
then change it.
"""

from dataclasses import dataclass, field

from outcomes.competences import Competence

LANGUAGES = ("en", "ko", "zh-hans", "vi", "ja")

# The five points of every Likert question, in each language.
LIKERT_LABELS = {
    "en": ["Not at all", "A little", "Somewhat", "Quite a lot", "Very much"],
    "ko": ["전혀 아니다", "조금", "보통", "꽤 많이", "매우 많이"],
    "zh-hans": ["完全没有", "有一点", "一般", "比较多", "非常多"],
    "vi": ["Hoàn toàn không", "Một chút", "Bình thường", "Khá nhiều", "Rất nhiều"],
    "ja": ["まったくない", "少し", "ふつう", "かなり", "とても"],
}


@dataclass(frozen=True)
class LibraryQuestion:
    code: str
    set: str
    kind: str
    text: dict
    measures: str = ""
    competence: str = ""
    choices: list = field(default_factory=list)


def _t(en, ko, zh, vi, ja) -> dict:
    return {"en": en, "ko": ko, "zh-hans": zh, "vi": vi, "ja": ja}


# Each competence's short name, worded as the end of "How confident are you at …".
COMPETENCE_WORDING = {
    Competence.INTERCULTURAL: _t(
        "understanding people from other cultures?",
        "다른 문화의 사람들을 이해하는 것에",
        "理解来自其他文化的人",
        "hiểu những người đến từ nền văn hóa khác",
        "ほかの文化の人を理解すること",
    ),
    Competence.LANGUAGE: _t(
        "using a language that is not your own?",
        "내 모국어가 아닌 언어를 사용하는 것에",
        "使用不是母语的语言",
        "sử dụng một ngôn ngữ không phải tiếng mẹ đẻ",
        "母語ではない言葉を使うこと",
    ),
    Competence.DIGITAL: _t(
        "working together with others online?",
        "온라인으로 다른 사람과 함께 일하는 것에",
        "在网上和别人一起合作",
        "làm việc cùng người khác qua mạng",
        "オンラインでほかの人といっしょに作業すること",
    ),
    Competence.SOCIAL: _t(
        "getting on with people you have just met?",
        "처음 만난 사람들과 잘 지내는 것에",
        "和刚认识的人相处",
        "hòa đồng với những người mới gặp",
        "初めて会った人と仲よくすること",
    ),
    Competence.LEARNING: _t(
        "learning new things on your own?",
        "혼자서 새로운 것을 배우는 것에",
        "自己学习新东西",
        "tự học những điều mới",
        "自分で新しいことを学ぶこと",
    ),
    Competence.CITIZENSHIP: _t(
        "taking part in your community?",
        "지역 사회 활동에 참여하는 것에",
        "参与你所在社区的活动",
        "tham gia vào cộng đồng của bạn",
        "地域の活動に参加すること",
    ),
    Competence.INITIATIVE: _t(
        "turning your ideas into action?",
        "내 생각을 행동으로 옮기는 것에",
        "把自己的想法变成行动",
        "biến ý tưởng của bạn thành hành động",
        "自分のアイデアを実行に移すこと",
    ),
    Competence.EXPRESSION: _t(
        "expressing yourself through culture and the arts?",
        "문화와 예술로 나를 표현하는 것에",
        "通过文化和艺术表达自己",
        "thể hiện bản thân qua văn hóa và nghệ thuật",
        "文化や芸術で自分を表現すること",
    ),
}

# Each competence as an option of "Which did you develop most?".
COMPETENCE_OPTIONS = {
    Competence.INTERCULTURAL: _t(
        "Understanding other cultures",
        "다른 문화 이해하기",
        "理解其他文化",
        "Hiểu các nền văn hóa khác",
        "ほかの文化を理解すること",
    ),
    Competence.LANGUAGE: _t(
        "Using other languages",
        "다른 언어 사용하기",
        "使用其他语言",
        "Sử dụng ngôn ngữ khác",
        "ほかの言葉を使うこと",
    ),
    Competence.DIGITAL: _t(
        "Working together online",
        "온라인으로 함께 일하기",
        "在网上一起合作",
        "Làm việc cùng nhau qua mạng",
        "オンラインでいっしょに作業すること",
    ),
    Competence.SOCIAL: _t(
        "Getting on with new people",
        "새로운 사람들과 잘 지내기",
        "和新朋友相处",
        "Hòa đồng với người mới",
        "新しい人と仲よくすること",
    ),
    Competence.LEARNING: _t(
        "Learning on my own",
        "혼자서 배우기",
        "自己学习",
        "Tự học",
        "自分で学ぶこと",
    ),
    Competence.CITIZENSHIP: _t(
        "Taking part in my community",
        "지역 사회에 참여하기",
        "参与社区活动",
        "Tham gia cộng đồng",
        "地域に参加すること",
    ),
    Competence.INITIATIVE: _t(
        "Turning ideas into action",
        "생각을 행동으로 옮기기",
        "把想法变成行动",
        "Biến ý tưởng thành hành động",
        "アイデアを実行すること",
    ),
    Competence.EXPRESSION: _t(
        "Expressing myself through culture and the arts",
        "문화와 예술로 나를 표현하기",
        "通过文化和艺术表达自己",
        "Thể hiện bản thân qua văn hóa và nghệ thuật",
        "文化や芸術で自分を表現すること",
    ),
}

_CONFIDENT = _t(
    "How confident are you at {}",
    "{} 얼마나 자신이 있나요?",
    "你对{}有多大信心？",
    "Bạn tự tin đến mức nào khi {}?",
    "{}に、どのくらい自信がありますか？",
)


def _competence_question(competence: str) -> LibraryQuestion:
    return LibraryQuestion(
        code=f"confidence-{competence}",
        set="learning",
        kind="likert",
        measures="competence",
        competence=competence,
        text={
            lang: _CONFIDENT[lang].format(COMPETENCE_WORDING[competence][lang])
            for lang in LANGUAGES
        },
    )


SATISFACTION = [
    LibraryQuestion(
        code="satisfaction-overall",
        set="satisfaction",
        kind="likert",
        measures="satisfaction",
        text=_t(
            "How much did you enjoy the program overall?",
            "프로그램 전체가 얼마나 즐거웠나요?",
            "总的来说，你有多喜欢这个项目？",
            "Nhìn chung, bạn thích chương trình này đến mức nào?",
            "プログラム全体はどのくらい楽しかったですか？",
        ),
    ),
    LibraryQuestion(
        code="satisfaction-hosts",
        set="satisfaction",
        kind="likert",
        measures="satisfaction",
        text=_t(
            "How happy were you with your host family or partner group?",
            "호스트 가족이나 파트너 그룹에 얼마나 만족했나요?",
            "你对接待家庭或伙伴小组有多满意？",
            "Bạn hài lòng thế nào với gia đình chủ nhà hoặc nhóm bạn đồng hành?",
            "ホストファミリーやパートナーのグループにどのくらい満足しましたか？",
        ),
    ),
    LibraryQuestion(
        code="satisfaction-activities",
        set="satisfaction",
        kind="likert",
        measures="satisfaction",
        text=_t(
            "How much did you like the activities?",
            "활동들이 얼마나 마음에 들었나요?",
            "你有多喜欢这些活动？",
            "Bạn thích các hoạt động đến mức nào?",
            "活動はどのくらい気に入りましたか？",
        ),
    ),
    LibraryQuestion(
        code="satisfaction-organisation",
        set="satisfaction",
        kind="likert",
        measures="satisfaction",
        text=_t(
            "How well was the program organised (information, timing, travel)?",
            "프로그램 준비(안내, 일정, 이동)는 얼마나 잘 되었나요?",
            "项目的组织（信息、时间安排、交通）做得怎么样？",
            "Chương trình được tổ chức tốt đến mức nào (thông tin, thời gian, đi lại)?",
            "プログラムの準備（お知らせ、時間、移動）はどのくらいよかったですか？",
        ),
    ),
    LibraryQuestion(
        code="satisfaction-recommend",
        set="satisfaction",
        kind="likert",
        measures="satisfaction",
        text=_t(
            "Would you tell a friend to take part?",
            "친구에게 참여해 보라고 추천하고 싶나요?",
            "你会推荐朋友参加吗？",
            "Bạn có muốn rủ bạn bè tham gia không?",
            "友だちに参加をすすめたいですか？",
        ),
    ),
    LibraryQuestion(
        code="satisfaction-best-change",
        set="satisfaction",
        kind="long",
        text=_t(
            "What was the best part, and what should we change next time?",
            "가장 좋았던 점은 무엇이고, 다음에는 무엇을 바꾸면 좋을까요?",
            "最好的部分是什么？下次我们应该改变什么？",
            "Điều gì tuyệt nhất, và lần sau chúng tôi nên thay đổi điều gì?",
            "いちばんよかったことは何ですか？次は何を変えたらいいですか？",
        ),
    ),
]

LEARNING = [_competence_question(c) for c in Competence.values] + [
    LibraryQuestion(
        code="competences-developed",
        set="learning",
        kind="multiple",
        text=_t(
            "Which did you develop most? Choose all that fit.",
            "무엇을 가장 많이 키웠나요? 해당하는 것을 모두 고르세요.",
            "你在哪些方面进步最大？可以多选。",
            "Bạn đã phát triển điều gì nhiều nhất? Chọn tất cả những gì phù hợp.",
            "いちばん伸びたのはどれですか？当てはまるものをすべて選んでください。",
        ),
        choices=[COMPETENCE_OPTIONS[c] for c in Competence.values],
    ),
    LibraryQuestion(
        code="learning-reflection",
        set="learning",
        kind="long",
        text=_t(
            "In your own words: what did you learn about yourself and others?",
            "내 말로 적어 보세요: 나 자신과 다른 사람들에 대해 무엇을 배웠나요?",
            "用你自己的话说：你对自己和别人有了哪些了解？",
            "Bằng lời của bạn: bạn đã học được gì về bản thân và người khác?",
            "自分の言葉で：自分やほかの人について何を学びましたか？",
        ),
    ),
]

QUESTIONS = {q.code: q for q in SATISFACTION + LEARNING}

# The standard set: the pre-survey asks the competences; the post-survey asks satisfaction,
# the competences again (same codes, so pre and post compare), the competences developed
# and a reflection.
COMPETENCE_CODES = [f"confidence-{c}" for c in Competence.values]
STANDARD_PRE = COMPETENCE_CODES
STANDARD_POST = (
    [q.code for q in SATISFACTION]
    + COMPETENCE_CODES
    + ["competences-developed", "learning-reflection"]
)


def wording(texts: dict, language: str) -> str:
    """The wording in `language`, falling back to English."""
    return texts.get(language) or texts.get("en", "")
