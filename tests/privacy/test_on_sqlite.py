"""What `make run` does: the data-rights journey on the embedded defaults (SQLite, eager
Celery), in a process of its own, on the demo data. Found on PostgreSQL is not found on
SQLite: the erasure's bulk updates, row locks and the search must hold on both."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

ERASE_ON_SQLITE = """
import django, io, json, zipfile
django.setup()
from django.db import connection
from accounts.models import User
from privacy import services

minji = User.objects.get(email="minji@demo.example")
coordinator = User.objects.get(email="coord.gwangju@demo.example")
out = {}
body = services.person_data_export(student=minji, by=minji)
data = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("data.json"))
out["exported"] = data["profile"]["email"]
request = services.deletion_request_create(student=minji, by=minji)
services.deletion_request_approve(deletion_request=request, by=coordinator)
out["status"] = type(request).objects.get(pk=request.pk).status
needles = ["김민지", "Kim Minji", "minji@demo.example"]
found = []
with connection.cursor() as cursor:
    for table in connection.introspection.table_names(cursor):
        for column in connection.introspection.get_table_description(cursor, table):
            kind = (column.type_code or "").lower()
            if not any(word in kind for word in ("char", "text", "json")):
                continue
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column.name}" LIKE %s',
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}: {needle}")
out["found"] = found
out["active"] = User.objects.get(pk=minji.pk).is_active
print(json.dumps(out, ensure_ascii=False))
"""


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "exchange.settings",
        "VAR_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_data_rights_journey_on_sqlite(tmp_path):
    assert run(tmp_path, "manage.py", "migrate", "--noinput", "-v0").returncode == 0
    seeded = run(tmp_path, "manage.py", "seed_demo")
    assert seeded.returncode == 0, seeded.stderr

    erased = run(tmp_path, "-c", ERASE_ON_SQLITE)

    assert erased.returncode == 0, erased.stderr
    assert json.loads(erased.stdout.strip().splitlines()[-1]) == {
        "exported": "minji@demo.example",
        "status": "approved",
        "found": [],
        "active": False,
    }
