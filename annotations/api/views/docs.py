"""The OpenAPI schema, its viewer, and the JSON 404 for any other path under /api/v1/."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


class JsonErrorsMixin:
    """Errors as JSON, although these views render YAML or HTML when all is well."""

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    pass


class DocsView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    pass


@csrf_exempt
def not_found(request: Any, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/v1/ that no route matches: 404 as JSON, never an HTML page."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
