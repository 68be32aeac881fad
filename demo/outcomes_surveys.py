"""The demo's surveys (issue 16): the past programs' standard pre- and post-surveys, sent and
answered through the services by all their participants, with a few quotes chosen; and the
running ceramics visit's pre-survey, sent to its confirmed participants, some answered.

Idempotent: run it again and nothing is added, sent or answered twice. The lead calls
seed_surveys() from the seed_demo command.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from demo import demo_data
from exchange.models import Application, Program
from outcomes.models import Survey, SurveyAnswer, SurveyRequest
from outcomes.services import surveys as services

PARTICIPANTS = (Application.State.CONFIRMED, Application.State.COMPLETED)
CERAMICS = demo_data.CHAT_PROGRAM
QUOTES_CHOSEN = 3

# Written answers in each participant's own language, by their city's main language.
BEST_CHANGE = {
    "ko": [
        (
            "호스트 가족과 함께 김치를 만든 것이 제일 좋았어요. "
            "다음에는 자유 시간이 조금 더 있으면 좋겠어요."
        ),
        "청자 만들기 체험이 최고였어요. 버스 이동 시간이 너무 길었어요.",
        "새 친구들과 밤에 이야기한 시간이 좋았어요. 안내 문자를 더 일찍 받고 싶어요.",
    ],
    "zh": [
        "最喜欢和寄宿家庭一起包饺子。希望下次有更多自由活动的时间。",
        "做青瓷的工作坊太棒了！就是每天起得太早了。",
        "闭幕晚会很难忘。希望翻译可以多一点。",
    ],
    "vi": [
        "Mình thích nhất buổi nấu ăn cùng gia đình chủ nhà. Lần sau nên có thêm thời gian tự do.",
        "Làm gốm men ngọc rất vui! Nhưng lịch trình hơi dày.",
        "Đêm bế mạc thật đáng nhớ. Mong có thêm hoạt động thể thao chung.",
    ],
}
# The media camp's participants write about the camp, not about ceramics.
MEDIA_CAMP_BEST_CHANGE = {
    "ko": [
        "지린 친구와 함께 갯벌에서 영상을 찍은 날이 제일 좋았어요. 편집 시간이 더 있으면 좋겠어요.",
        "서로의 가족을 인터뷰한 것이 최고였어요. 통역이 조금 더 있었으면 해요.",
        "우리 기사가 두 도시에 함께 실린 게 뿌듯했어요. 일정이 조금 빡빡했어요.",
    ],
    "zh": [
        "最喜欢和始兴的朋友一起在滩涂拍视频。希望剪辑的时间再多一点。",
        "采访对方的家人最有意思。希望多一些翻译帮忙。",
        "我们的报道同时在两个城市发表，太自豪了！就是日程有点紧。",
    ],
}
REFLECTION = {
    "ko": [
        "말이 잘 안 통해도 웃으면서 마음을 나눌 수 있다는 걸 배웠어요.",
        "처음에는 부끄러웠지만 먼저 말을 거는 용기가 생겼어요.",
        "다른 나라 친구들도 나와 같은 고민을 한다는 걸 알게 됐어요.",
    ],
    "zh": [
        "我学会了即使语言不通，也可以用微笑和手势交朋友。",
        "我发现自己比想象中更勇敢，敢在大家面前介绍家乡。",
        "我明白了不同文化之间有很多相同的地方。",
    ],
    "vi": [
        "Mình học được rằng không cần nói giỏi vẫn có thể kết bạn bằng nụ cười.",
        "Mình tự tin hơn khi giới thiệu quê hương trước nhiều người.",
        "Mình hiểu rằng các bạn ở nước khác cũng có nhiều điều giống mình.",
    ],
}


def _language(application: Application) -> str:
    return application.city.main_language_id or "ko"


def _at(day, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _participants(program: Program) -> list[Application]:
    return list(
        Application.objects.filter(program=program, state__in=PARTICIPANTS)
        .select_related("city", "student")
        .order_by("city__slug", "pk")
    )


def _raw(survey: Survey, n: int, application: Application, *, post: bool) -> dict:
    """Plausible answers for participant `n`: confidence rises after the program on most
    competences; one question in every few is skipped."""
    lang = _language(application)
    raw = {}
    for index, question in enumerate(survey.questions.all()):
        if (index + n) % 7 == 6:
            continue  # skipped
        if question.measures == "competence":
            before = 2 + (index + n) % 2
            value = before + (1 + (index * n) % 2 if (index + n) % 5 else 0) if post else before
            raw[question.pk] = [str(min(value, 5))]
        elif question.measures == "satisfaction":
            raw[question.pk] = [str(4 + (index + n) % 2)]
        elif question.kind == "multiple":
            raw[question.pk] = [str(n % 8), str((n + 3) % 8)]
        elif question.library_code == "satisfaction-best-change":
            texts = (
                MEDIA_CAMP_BEST_CHANGE
                if survey.program.title == demo_data.MEDIA_CAMP["title"]
                else BEST_CHANGE
            )
            raw[question.pk] = [texts.get(lang, texts["ko"])[n % 3]]
        elif question.library_code == "learning-reflection":
            raw[question.pk] = [REFLECTION.get(lang, REFLECTION["ko"])[n % 3]]
    return raw


def _answer(survey: Survey, applications: list[Application], *, post: bool, when) -> None:
    for n, application in enumerate(applications):
        request = SurveyRequest.objects.filter(survey=survey, application=application).first()
        if request is None or request.status == SurveyRequest.Status.SUBMITTED:
            continue
        services.survey_submit(
            request=request,
            raw=_raw(survey, n, application, post=post),
            share_quotes=n % 4 != 3,  # most agree to be quoted
            by=application.student,
        )
        if when is not None:
            SurveyRequest.objects.filter(pk=request.pk).update(
                submitted_at=when + timedelta(hours=n)
            )


def _send(survey: Survey, applications: list[Application], *, sent_on=None) -> None:
    ids = services.survey_requests_create(survey=survey, applications=applications)
    services.survey_requests_send(request_ids=ids)
    if sent_on is not None:
        SurveyRequest.objects.filter(survey=survey, sent_at__isnull=False).update(
            sent_at=_at(sent_on), created_at=_at(sent_on)
        )


def seed_past_programs() -> None:
    for spec, _participants, _signatories in demo_data.PAST_PROGRAMS:
        seed_past_program(spec)


def seed_past_program(spec: dict) -> None:
    program = Program.objects.get(title=spec["title"])
    by = User.objects.get(email=spec["by"])
    applications = _participants(program)
    with transaction.atomic():
        pre, post = services.survey_use_standard_set(program=program, by=by)
        _send(pre, applications, sent_on=program.starts_on - timedelta(days=20))
        _send(post, applications, sent_on=program.ends_on)
    _answer(pre, applications, post=False, when=_at(program.starts_on - timedelta(days=18)))
    _answer(post, applications, post=True, when=_at(program.ends_on + timedelta(days=1)))
    chosen = SurveyAnswer.objects.filter(request__survey=post, quoted=True).count()
    quotable = (
        SurveyAnswer.objects.filter(request__survey=post, request__share_quotes=True, quoted=False)
        .exclude(text="")
        .order_by("pk")
    )
    for answer in quotable[: max(QUOTES_CHOSEN - chosen, 0)]:
        services.survey_answer_quote(answer=answer, quoted=True, by=by)


def seed_ceramics() -> None:
    program = Program.objects.get(title=CERAMICS)
    by = User.objects.get(email=program.created_by.email) if program.created_by else None
    applications = _participants(program)
    with transaction.atomic():
        pre, _post = services.survey_use_standard_set(program=program, by=by)
        _send(pre, applications)
    # Some have answered already.
    _answer(pre, applications[::2], post=False, when=None)


def seed_surveys() -> None:
    seed_past_programs()
    seed_ceramics()
