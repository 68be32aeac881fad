"""A memory limit for the tasks that render certificates.

A render that runs away (a pathological document, an image that slipped past the upload
checks) must fail on its own instead of swapping the worker's machine to death. Celery gives
the tasks time limits (`RENDER_TIME_LIMIT`); for memory, the task lowers the process's
address-space limit (RLIMIT_AS) to what the process maps now plus a budget while it renders.
An allocation beyond it raises MemoryError; a C library that cannot report one (GLib aborts)
ends the worker child instead, which Celery replaces. Either way nothing is stored: a PDF is
written to storage only once it is complete.

The budget counts address space, not resident memory: a worker's first render maps about
200 MB (font files and the caches of fontconfig and Pango, a thread stack), of which ~60 MB
become resident. CERTIFICATE_RENDER_MEMORY_MB (512) leaves room for that.

RLIMIT_AS belongs to the whole process, so a task sets it only when a worker runs it alone
in its process: in the worker's main thread, as in a prefork child (Celery's default pool)
or a solo worker. Eager tasks and tasks called as functions run inside the web server's or a
command's process, and thread pools run several tasks at once: there a limit would fail
other work, so those run without one. Run the workers with the prefork pool: in a solo
worker, a GLib abort under the limit ends the worker itself.

The limit is put back when the block ends and, in case a signal (Celery's soft time limit)
lands between setting it and the block, again after every task (`restore_after_task`).
"""

import resource
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def address_space() -> int:
    """The bytes this process has mapped now (VmSize)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("No VmSize in /proc/self/status")


# The process's own limit, which every worker child inherits.
BASELINE = resource.getrlimit(resource.RLIMIT_AS)


def runs_alone(request) -> bool:
    """Whether the task of this Celery request has its process to itself: a worker runs it
    (not eager, not called as a function) in its main thread."""
    return (
        not request.is_eager
        and not request.called_directly
        and threading.current_thread() is threading.main_thread()
    )


@contextmanager
def address_space_limit(budget: int, *, enabled: bool = True) -> Iterator[None]:
    """Inside the block the process may map at most `budget` more bytes (when `enabled`)."""
    if not enabled:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = address_space() + budget
    for existing in (soft, hard):  # never loosen a limit someone else set
        if existing != resource.RLIM_INFINITY:
            limit = min(limit, existing)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def restore_after_task(**kwargs) -> None:
    """Celery's task_postrun: put the process's own limit back if a task left another."""
    if resource.getrlimit(resource.RLIMIT_AS) != BASELINE:
        resource.setrlimit(resource.RLIMIT_AS, BASELINE)
