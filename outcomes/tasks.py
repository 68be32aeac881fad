"""Celery tasks of the outcomes: thin, they take ids and call a service."""

# --- Surveys (issue 16, point 1) ---------------------------------------------------------

from celery import shared_task


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
