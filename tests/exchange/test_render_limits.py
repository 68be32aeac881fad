"""The memory limit of the certificate tasks (exchange/limits.py), tried in other processes
with one thread, like a prefork worker child, so the limit is really set there and the test
process keeps its own."""

import os
import resource
import subprocess
import sys
import threading

import pytest
from celery.app.task import Context
from django.db import connections

from exchange.limits import (
    BASELINE,
    address_space,
    address_space_limit,
    restore_after_task,
    runs_alone,
)
from exchange.models import Certificate
from tests.exchange.helpers import completed, issued
from tests.messaging.servers import ROOT, server_env

MIB = 2**20
RENDERED, MEMORY_ERROR, OTHER_ERROR = 0, 3, 4


def in_a_child(work) -> int:
    """Run `work` in a forked child; RENDERED if it returned, MEMORY_ERROR if it raised
    MemoryError, OTHER_ERROR for anything else."""
    pid = os.fork()
    if pid == 0:  # the child: leave by os._exit only, so nothing of the parent is cleaned up
        code = OTHER_ERROR
        try:
            # The parent's database connections are not ours to use or close: drop them, so
            # Django opens the child's own.
            for connection in connections.all(initialized_only=True):
                connection.connection = None
            work()
            code = RENDERED
        except MemoryError:
            code = MEMORY_ERROR
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_address_space_limit_stops_an_allocation_beyond_the_budget():
    def work():
        with address_space_limit(64 * MIB):
            bytearray(16 * MIB)  # within the budget
            bytearray(256 * MIB)  # beyond it: MemoryError

    def after():
        with address_space_limit(64 * MIB):
            pass
        bytearray(256 * MIB)  # the old limit is back

    def disabled():
        with address_space_limit(64 * MIB, enabled=False):
            bytearray(256 * MIB)

    assert (in_a_child(work), in_a_child(after), in_a_child(disabled)) == (
        MEMORY_ERROR,
        RENDERED,
        RENDERED,
    )


def test_a_task_runs_alone_only_in_a_workers_main_thread():
    from_worker = Context(is_eager=False, called_directly=False)
    eager = Context(is_eager=True, called_directly=False)
    as_a_function = Context()  # render_certificate(pk) in a shell or a command
    in_a_thread = []
    thread = threading.Thread(target=lambda: in_a_thread.append(runs_alone(from_worker)))
    thread.start()
    thread.join()
    # A prefork child or a solo worker; an eager task in a web server or a command; a plain
    # call; a task of a thread pool.
    assert (
        runs_alone(from_worker),
        runs_alone(eager),
        runs_alone(as_a_function),
        in_a_thread,
    ) == (True, False, False, [False])


def test_the_limit_a_task_left_is_put_back_after_it():
    # As if Celery's soft time limit had struck between setting the limit and its block.
    def work():
        resource.setrlimit(resource.RLIMIT_AS, (address_space() + 64 * MIB, BASELINE[1]))
        restore_after_task()
        assert resource.getrlimit(resource.RLIMIT_AS) == BASELINE
        bytearray(256 * MIB)

    assert in_a_child(work) == RENDERED


# The task in a new process, as a prefork worker child runs it: one thread, fonts not loaded
# yet, the request a worker pushes. Exits 3 when the task raises, and prints what: where
# memory runs out decides, MemoryError or SystemError (a C extension that could not
# allocate).
TASK_RAISED = 3
RUN_TASK = """
import sys
import django

django.setup()
from exchange.tasks import render_certificate

render_certificate.push_request(is_eager=False, called_directly=False)
try:
    render_certificate.run(int(sys.argv[1]))
except Exception as error:
    print("raised", type(error).__name__, file=sys.stderr)
    sys.exit(3)
"""


def run_task_in_a_new_process(certificate_id: int, env: dict[str, str]) -> tuple[int, str]:
    """The exit code, and what the task raised ("" if nothing)."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_TASK, str(certificate_id)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    raised = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("raised ")]
    return done.returncode, raised[-1] if raised else ""


@pytest.mark.django_db(transaction=True)
def test_render_task_with_no_memory_to_spare_fails_and_stores_nothing(
    settings, tmp_path, program_ab, alice
):
    settings.MEDIA_ROOT = tmp_path
    certificate = issued(completed(program_ab, alice), pdf=None)
    # Issuing committed, and the eager task rendered it here: start again from no PDF.
    certificate.refresh_from_db()
    certificate.pdf.delete(save=True)
    env = {**server_env(redis_url=settings.REDIS_URL), "MEDIA_ROOT": str(tmp_path)}

    starved = run_task_in_a_new_process(
        certificate.pk, {**env, "CERTIFICATE_RENDER_MEMORY_MB": "1"}
    )
    after_starved = (
        Certificate.objects.get(pk=certificate.pk).pdf.name,
        [path for path in tmp_path.rglob("*") if path.is_file()],
    )
    # The default budget covers a cold worker's first render (~200 MB of address space,
    # mostly font files and caches mapped by fontconfig and Pango).
    fed = run_task_in_a_new_process(certificate.pk, env)
    rendered = Certificate.objects.get(pk=certificate.pk).pdf

    assert (starved[0], starved[1] in {"MemoryError", "SystemError"}, after_starved) == (
        TASK_RAISED,
        True,
        ("", []),
    )
    with rendered.open("rb") as file:
        assert (fed, file.read(5)) == ((RENDERED, ""), b"%PDF-")
