"""Surveys, read: a program's surveys, their requests as a coordinator may see them, their
results (figures through the under-5 rule, written answers without names) and the quotes
chosen for reports.

Return shapes (other parts rely on them; keep the names):

survey_results(survey=) -> dict:
    {"survey": Survey,
     "requested": int | None,      # requests sent, through small_groups.count
     "submitted": int | None,      # answered, through small_groups.count
     "questions": [
        {"question": SurveyQuestion, "kind": str, "measures": str, "competence": str,
         "code": str,              # library code or ""
         "answered": int | None,   # how many answered it (small_groups.count)
         "distribution": [(label: str, count: int | None), ...],   # likert 1–5 / options
         "mean": float | None,     # likert only, small_groups.mean
         "pre_mean": float | None, # post-survey competence questions: the same code's mean
                                   # in the pre-survey (None when hidden or not asked)
         "texts": [{"answer_id": int, "text": str, "language": str, "quotable": bool,
                    "quoted": bool}, ...],   # written answers, no names, original language
        }, ...]}

chosen_quotes(program_ids=[...]) -> list of
    {"answer_id": int, "program_id": int, "phase": str, "question_code": str,
     "question": dict (wording per language), "text": str, "language": str}
    (quoted answers whose author agreed to be quoted; never a name).
"""

from collections import Counter

from django.db.models import Count, Prefetch, Q
from django.utils.translation import get_language

from accounts.rules import coordinator_city_ids
from exchange.rules import is_blind_for
from outcomes import library, small_groups
from outcomes.models import QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyRequest

TEXT_KINDS = (QuestionKind.SHORT, QuestionKind.LONG)


def program_surveys(*, program) -> dict[str, Survey | None]:
    surveys = {
        s.phase: s for s in Survey.objects.filter(program=program).prefetch_related("questions")
    }
    return {phase: surveys.get(phase) for phase in Survey.Phase.values}


def survey_requests_for(*, survey: Survey, user) -> dict:
    """The requests a coordinator sees: their own cities' participants by name (unless blind
    for them); the other cities' as counts per status only."""
    mine = coordinator_city_ids(user)
    requests = list(
        survey.requests.select_related(
            "application__student", "application__city", "application__program"
        ).order_by("application__city__name_en", "pk")
    )
    rows = []
    others = Counter()
    for request in requests:
        if request.application.city_id in mine:
            rows.append({"request": request, "named": not is_blind_for(user, request.application)})
        else:
            others[(request.application.city, request.status)] += 1
    by_city = {}
    for (city, status), n in others.items():
        by_city.setdefault(city, Counter())[status] = n
    other_cities = [
        {
            "city": city,
            "counts": [
                (label, small_groups.count(counts.get(value, 0)))
                for value, label in SurveyRequest.Status.choices
            ],
        }
        for city, counts in sorted(by_city.items(), key=lambda item: item[0].name_en)
    ]
    return {"rows": rows, "other_cities": other_cities}


def survey_results(*, survey: Survey, language: str | None = None) -> dict:
    """The results, worded in `language` (the reader's, by default; English where a wording
    is missing)."""
    language = language or get_language() or "en"
    likert = library.LIKERT_LABELS.get(language, library.LIKERT_LABELS["en"])
    requests = survey.requests.aggregate(
        requested=Count("pk"),
        submitted=Count("pk", filter=Q(status=SurveyRequest.Status.SUBMITTED)),
    )
    questions = list(
        survey.questions.prefetch_related(
            Prefetch(
                "answers",
                queryset=SurveyAnswer.objects.select_related("request__application__student"),
            )
        )
    )
    pre_means = {}
    if survey.phase == Survey.Phase.POST:
        pre = Survey.objects.filter(program_id=survey.program_id, phase=Survey.Phase.PRE).first()
        if pre is not None:
            for question in pre.questions.filter(measures=SurveyQuestion.Measure.COMPETENCE):
                numbers = [a.number for a in question.answers.all() if a.number is not None]
                if question.library_code:
                    pre_means[question.library_code] = _mean(numbers)
    out = []
    for question in questions:
        answers = list(question.answers.all())
        row = {
            "question": question,
            "wording": library.wording(question.text, language),
            "kind": question.kind,
            "measures": question.measures,
            "competence": question.competence,
            "code": question.library_code,
            "answered": small_groups.count(len(answers)),
            "distribution": [],
            "mean": None,
            "pre_mean": pre_means.get(question.library_code)
            if question.measures == SurveyQuestion.Measure.COMPETENCE
            else None,
            "texts": [],
        }
        if question.kind == QuestionKind.LIKERT:
            counts = Counter(a.number for a in answers if a.number is not None)
            shown = small_groups.breakdown({n: counts.get(n, 0) for n in range(1, 6)})
            row["distribution"] = [(f"{n} – {likert[n - 1]}", shown[n]) for n in range(1, 6)]
            row["mean"] = _mean([a.number for a in answers if a.number is not None])
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = Counter()
            for a in answers:
                if question.kind == QuestionKind.SINGLE and a.number is not None:
                    counts[a.number] += 1
                for index in a.picked if question.kind == QuestionKind.MULTIPLE else []:
                    counts[index] += 1
            indexes = range(len(question.choices))
            if question.kind == QuestionKind.SINGLE:
                shown = small_groups.breakdown({i: counts.get(i, 0) for i in indexes})
            else:
                # Several choices: no total to work a hidden cell back from.
                shown = {i: small_groups.count(counts.get(i, 0)) for i in indexes}
            row["distribution"] = [
                (library.wording(question.choices[i], language), shown[i]) for i in indexes
            ]
        else:
            row["texts"] = [
                {
                    "answer_id": a.pk,
                    "text": a.text,
                    "language": a.request.application.student.preferred_language,
                    "quotable": a.request.share_quotes,
                    "quoted": a.quoted,
                }
                for a in answers
                if a.text
            ]
        out.append(row)
    return {
        "survey": survey,
        "requested": small_groups.count(requests["requested"]),
        "submitted": small_groups.count(requests["submitted"]),
        "questions": out,
    }


def _mean(numbers: list[int]) -> float | None:
    if not numbers:
        return None
    return small_groups.mean(round(sum(numbers) / len(numbers), 2), len(numbers))


def chosen_quotes(*, program_ids: list[int]) -> list[dict]:
    answers = (
        SurveyAnswer.objects.filter(
            quoted=True,
            request__share_quotes=True,
            request__survey__program_id__in=program_ids,
        )
        .exclude(text="")
        .select_related("question", "request__survey", "request__application__student")
        .order_by(
            "request__survey__program_id", "request__survey__phase", "question__position", "pk"
        )
    )
    return [
        {
            "answer_id": a.pk,
            "program_id": a.request.survey.program_id,
            "phase": a.request.survey.phase,
            "question_code": a.question.library_code,
            "question": a.question.text,
            "text": a.text,
            "language": a.request.application.student.preferred_language,
        }
        for a in answers
    ]


def my_survey_requests(*, user):
    return (
        SurveyRequest.objects.filter(application__student=user)
        .select_related("survey__program", "application")
        .order_by("-created_at", "-pk")
    )


def person_surveys_data(*, student) -> dict:
    """A participant's survey requests, answers and learning outcome, for their data download."""
    from outcomes.models import LearningOutcome

    requests = (
        SurveyRequest.objects.filter(application__student=student)
        .select_related("survey__program")
        .prefetch_related("answers__question")
        .order_by("pk")
    )
    outcomes = LearningOutcome.objects.filter(application__student=student).order_by("pk")
    return {
        "surveys": [
            {
                "program": r.survey.program.title,
                "phase": r.survey.phase,
                "status": r.status,
                "sent_at": r.sent_at.isoformat() if r.sent_at else None,
                "reminded_at": r.reminded_at.isoformat() if r.reminded_at else None,
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
                "share_quotes": r.share_quotes,
                "answers": [
                    {
                        "question": library.wording(a.question.text, student.preferred_language),
                        "number": a.number,
                        "picked": a.picked,
                        "text": a.text,
                        "quoted": a.quoted,
                    }
                    for a in r.answers.all()
                ],
            }
            for r in requests
        ],
        "learning_outcomes": [
            {
                "application_id": o.application_id,
                "competences": o.competences,
                "reflection": o.reflection,
                "print_on_certificate": o.print_on_certificate,
                "confirmation": o.confirmation,
                "confirmed_at": o.confirmed_at.isoformat() if o.confirmed_at else None,
            }
            for o in outcomes
        ],
    }
