"""JSON errors everywhere under /api/: service errors map to their status codes."""

import logging

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from ..services import ServiceError

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        if exc.field and exc.status_code == 400:
            body = {exc.field: [exc.message], "detail": exc.message}
        else:
            body = {"detail": exc.message}
        body.update(exc.extra)
        return Response(body, status=exc.status_code)
    if isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": str(exc)}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        # A bug of ours: logged with its traceback, answered as JSON like every API error.
        logger.error("API error", exc_info=exc)
        set_rollback()
        return Response(
            {"detail": _("Internal error; it has been logged.")},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.NotFound) and response.data.get("detail") == _("Not found."):
        response.data = {"detail": _("Not found.")}
    return response
