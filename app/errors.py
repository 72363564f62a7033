"""Errors of the application layer; the API answers each with its HTTP status and
``{"error": message}``, as Kapacitor does."""

from __future__ import annotations

from leyden.kernel import LeydenError


class AppError(LeydenError):
    """Base: a request the server refuses; ``status`` is the HTTP answer."""

    status = 500


class InvalidRequestError(AppError):
    """The request is malformed or names something invalid (400)."""

    status = 400


class NotFoundError(AppError):
    """The request names something that does not exist (404)."""

    status = 404


class StartError(AppError):
    """The task is stored but could not be started (500, as Kapacitor answers)."""

    status = 500
