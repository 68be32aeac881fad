"""Logging pieces the settings name.

An expected refusal (a 403 when someone opens what isn't theirs, a 404 for a guessed id) is one
line in the log: Django attaches the whole traceback of the PermissionDenied or Http404 to
every such line, which buries real errors under hundreds of lines a day.
"""

import logging

EXPECTED = frozenset({403, 404})


class ExpectedRefusalsOnOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in EXPECTED:
            record.exc_info = None
            record.exc_text = None
        return True
