"""Celery tasks of the outcomes: thin, they take ids and call a service."""

from celery import shared_task

from exchange.models.certificates import RENDER_SOFT_TIME_LIMIT, RENDER_TIME_LIMIT

# --- Surveys --------------------------------------------------------------------------------


@shared_task
def send_survey_requests(request_ids: list[int]) -> int:
    from outcomes.services.surveys import survey_requests_send

    return survey_requests_send(request_ids=request_ids)


@shared_task
def send_post_surveys() -> int:
    from outcomes.services.surveys import post_surveys_send_due

    return len(post_surveys_send_due())


@shared_task
def send_survey_reminders() -> int:
    from outcomes.services.surveys import survey_reminders_send_due

    return survey_reminders_send_due()


# --- Annual reports -------------------------------------------------------------------------


@shared_task(bind=True, time_limit=RENDER_TIME_LIMIT, soft_time_limit=RENDER_SOFT_TIME_LIMIT)
def render_annual_report(self, report_id: int) -> str:
    """Render and store an annual report; its final state, or "" if there was nothing to do
    (gone, or another delivery of this task has it)."""
    from outcomes.models import AnnualReport
    from outcomes.services import reports as report_services

    report = AnnualReport.objects.filter(pk=report_id).first()
    if report is None:
        return ""
    report = report_services.annual_report_render(report=report)
    return report.state if report is not None else ""
