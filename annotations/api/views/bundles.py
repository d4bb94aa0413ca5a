"""Evidence bundles: a verdict's signed zip (manifest, hash chain, WARC files) and the
desk's public key that verifies it. The public may fetch the bundle of a verdict its
report shows; the newsroom any."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from ... import bundle, bundle_keys, policy, selectors
from ...models import Verdict
from .. import serializers as s
from .base import ID, ApiView, schema_responses
from .exports import IgnoreAccept

ZIP_MEDIA_TYPE = "application/zip"


class ArchiveUnavailable(exceptions.APIException):
    status_code = 503
    default_code = "archive_unavailable"


def _signing_key():
    """The desk's key, or 503 when its file can neither be read nor made (a full disk, a
    read-only var/): the cause is logged by nobody else, so it is named here."""
    try:
        return bundle_keys.signing_key()
    except (OSError, ValueError) as error:
        raise ArchiveUnavailable(
            _("The bundle signing key cannot be read: %(error)s") % {"error": error}
        ) from None


def _refuse(request: Request) -> None:
    """The public's answer for a verdict no report they may read shows (or none at all):
    401 without credentials, 403 with them; never whether the verdict exists."""
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    raise exceptions.PermissionDenied(_("This verdict's evidence bundle is not public."))


class VerdictBundleView(ApiView):
    # Public where the report is: the verdict's rule replaces the API's newsroom-only one.
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "bundle"
    content_negotiation_class = IgnoreAccept

    @extend_schema(
        operation_id="verdicts_bundle",
        parameters=[ID],
        description=(
            "The verdict's evidence bundle, a zip: `manifest.json` (the claim, the span "
            "text, the verdict and rationale, who proposed and approved it and when, the "
            "evidence with its captures, each file's SHA-256, and a hash chain over the "
            "verdict's history events), `signature.json` (Ed25519 over the exact manifest "
            "bytes, with the public key; see /api/v1/bundle-key/) and the WARC files under "
            "`warc/`. Verify it offline: `python -m annotations.bundle verify BUNDLE.zip "
            "--public-key KEY`. Anyone may fetch the bundle of a verdict a published (or "
            "withdrawn) report shows, holding what the report shows (`audience: public`: no "
            "evidence notes, no logins, no decision note, nothing of a double review's other "
            "verdict); the newsroom any verdict's, whole (`audience: desk`)."
        ),
        responses=schema_responses(
            {
                (200, ZIP_MEDIA_TYPE): OpenApiTypes.BINARY,
                503: OpenApiResponse(
                    s.ErrorSerializer,
                    description="An archived file cannot be read, or is not the file its "
                    "capture recorded; or the signing key cannot be read.",
                ),
            },
            404,
            429,
        ),
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        is_member = policy.is_newsroom_member(request.user)
        try:
            verdict = selectors.verdict_for_bundle(pk)
        except Verdict.DoesNotExist:
            if is_member:
                raise
            _refuse(request)
        article = verdict.annotation.article
        is_public = pk in selectors.public_verdict_ids(verdict)
        # The public is refused first, the same for every verdict it may not read: a
        # sealed one answers as a missing one.
        if not policy.can_download_bundle(request.user, article, is_on_public_report=is_public):
            _refuse(request)
        if not policy.can_see_verdict(request.user, verdict):
            # A sealed blind proposal (double review) is its author's alone until revealed.
            raise Verdict.DoesNotExist
        report_url = request.build_absolute_uri(
            reverse("annotations:article-report", args=[article.pk])
        )
        desk = {"name": settings.FACTCHECK_ORG_NAME, "url": settings.FACTCHECK_ORG_URL}
        try:
            source = selectors.verdict_bundle_source(
                verdict,
                report_url=report_url,
                desk=desk,
                # The newsroom gets the whole record; the public what the report shows.
                audience=selectors.AUDIENCE_DESK if is_member else selectors.AUDIENCE_PUBLIC,
            )
        except selectors.ArchiveDamaged as damaged:
            raise ArchiveUnavailable(
                _("The archived file of capture %(capture)s is not the one recorded.")
                % {"capture": damaged.args[0]}
            ) from None
        except OSError:
            raise ArchiveUnavailable(
                _("The archived files cannot be read right now; try again later.")
            ) from None
        data = bundle.bundle_zip(
            source,
            key=_signing_key(),
            generated_at=timezone.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        )
        response = HttpResponse(data, content_type=ZIP_MEDIA_TYPE)
        response["Content-Disposition"] = f'attachment; filename="verdict-{verdict.pk}-bundle.zip"'
        return response


class BundleKeyView(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="bundle_key",
        description=(
            "The desk's public key that verifies evidence bundles (Ed25519, the base64 of "
            "its raw 32 bytes) and its id, as `signature.json` in a bundle names it."
        ),
        responses=schema_responses(
            {
                503: OpenApiResponse(s.ErrorSerializer, description="No signing key."),
                200: inline_serializer(
                    "BundleKey",
                    {
                        "algorithm": serializers.CharField(),
                        "key_id": serializers.CharField(),
                        "public_key": serializers.CharField(),
                    },
                ),
            }
        ),
    )
    def get(self, request: Request) -> Response:
        _signing_key()
        return Response(bundle_keys.public_key_document())
