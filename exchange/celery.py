import os

from celery import Celery
from celery.signals import task_postrun

from exchange.limits import restore_after_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange.settings")

app = Celery("exchange")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# A render task lowers the process's memory limit while it runs; make sure no task leaves it.
task_postrun.connect(restore_after_task, weak=False)
