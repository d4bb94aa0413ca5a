"""JSON errors everywhere under /api/: service errors map to their status codes."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..services import ServiceError


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        if exc.field and exc.status_code == 400:
            body = {exc.field: [exc.message], "detail": exc.message}
        else:
            body = {"detail": exc.message}
        return Response(body, status=exc.status_code)
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.NotFound) and response.data.get("detail") == "Not found.":
        response.data = {"detail": "Not found."}
    return response


def error_response(message: str, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"detail": message}, status=code)
