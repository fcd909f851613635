"""Typed errors of the SmartMoving integration.

Messages never contain the API key: they name the path and the HTTP status only.
"""

from __future__ import annotations

import builtins
from typing import Any


class SmartMovingError(Exception):
    """Base of every error raised by this package."""


class AuthenticationError(SmartMovingError):
    """401/403: the API key is missing, wrong or lacks the tier. Never retried."""


class NotFoundError(SmartMovingError):
    """The record does not exist (404, or the spec's 400 "... not found")."""


class RequestError(SmartMovingError):
    """Any other 4xx: the request itself is wrong. Never retried."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class RateLimitedError(SmartMovingError):
    """429 still answered after every retry."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerError(SmartMovingError):
    """5xx still answered after every retry."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class NetworkError(SmartMovingError):
    """The connection failed after every retry."""


class RequestTimeoutError(NetworkError, builtins.TimeoutError):
    """No answer within the timeout after every retry (also a builtin TimeoutError)."""


class MalformedRecord(SmartMovingError, ValueError):
    """A payload (usually one record of a list) that cannot be turned into a record.

    `raw` is the offending JSON value so the caller can log or store it.
    """

    def __init__(self, reason: str, raw: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


class UnreachableError(SmartMovingError):
    """A call failed for good and no call has succeeded for the client's `unreachable_after`
    seconds: SmartMoving is down (or unreachable from here), not one record. Ends a sync run."""
