"""A memo that lives for one request and no longer.

Roles are read from the database, never cached on an object that outlives a request (a
user object on a WebSocket lives for hours). Inside one HTTP request the same answer is
asked for many times (every template tag, every predicate), so `RequestMemoMiddleware`
opens a memo for the request and `remember` keeps answers in it until the response is
sent. Outside a request (a socket frame, a task, a shell) there is no memo: every call
reads the database. A service that changes what a memo holds calls `forget()`.
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("request_memo", default=None)


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget() -> None:
    memo = _memo.get()
    if memo is not None:
        memo.clear()


class RequestMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
