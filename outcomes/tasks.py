"""Celery tasks of the outcomes: thin, they take ids and call a service."""


# --- Annual reports (issue 16, reports) -----------------------------------------------------

from celery import shared_task

from exchange.models.certificates import RENDER_SOFT_TIME_LIMIT, RENDER_TIME_LIMIT


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
