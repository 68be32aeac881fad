"""Celery tasks of the outcomes: thin, they take ids and call a service."""
