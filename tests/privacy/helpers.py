"""Helpers the data-rights tests share: searching every text column of every table, every
file under MEDIA_ROOT, the figures an erasure must keep, and reading a data download."""

import io
import json
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import connection

from exchange.models import (
    Application,
    Attendance,
    Certificate,
    MatchGroup,
    ProgramCity,
)
from messaging.models import Message

TEXT_TYPES = ("text", "character varying", "json", "jsonb")


def text_columns() -> list[tuple[str, str]]:
    """Every text, varchar and JSON column of every table, as the database describes it."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND data_type = ANY(%s)"
            " ORDER BY table_name, column_name",
            [list(TEXT_TYPES)],
        )
        return [(table, column) for table, column in cursor.fetchall() if table in tables]


def find_in_database(needles: list[str]) -> list[str]:
    """`table.column: needle` for every column holding one of the needles anywhere."""
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            quote = connection.ops.quote_name
            # Table and column names come from the database's own catalogue, quoted.
            query = f"SELECT count(*) FROM {quote(table)} WHERE {quote(column)}::text ILIKE %s"  # noqa: S608
            for needle in needles:
                cursor.execute(query, [f"%{needle}%"])
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}: {needle}")
    return found


def find_in_media(needles: list[str]) -> list[str]:
    found = []
    for path in sorted(Path(settings.MEDIA_ROOT).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {n}" for n in needles if n.encode() in data]
    return found


def numbers(program) -> dict:
    """What an erasure keeps: applications per city and state, places, group sizes,
    attendance, valid certificates, message numbers."""
    return {
        "applications": sorted(
            Application.objects.filter(program=program).values_list("city_id", "state")
        ),
        "places": sorted(
            ProgramCity.objects.filter(program=program).values_list("city_id", "quota")
        ),
        "groups": sorted(
            (group.number, group.members.count())
            for group in MatchGroup.objects.filter(matching__program=program)
        ),
        "attendance": sorted(
            Attendance.objects.filter(session__program=program).values_list(
                "session_id", "seconds_present"
            )
        ),
        "valid_certificates": Certificate.objects.filter(
            application__program=program, revoked_at__isnull=True
        ).count(),
        "messages": sorted(
            Message.objects.filter(room__program=program).values_list("room_id", "seq")
        ),
    }


def read_zip(body: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["data.json"]), files
