"""Verify a verdict's evidence bundle offline: the same check as
`python -m annotations.bundle verify`, for operators who think in manage.py commands.

Without --public-key the bundle is checked against the key it carries; with
`--public-key desk` against this installation's own key (BUNDLE_SIGNING_KEY or var/).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from annotations import bundle_keys
from annotations.bundle import verify_file


class Command(BaseCommand):
    help = (
        "Check an evidence bundle's signature, its files' SHA-256, its history chain and "
        "its manifest against its events. Prints 'OK …' (exit 0) or one 'FAILED: …' line "
        "per failure (exit 1). --public-key takes the key (base64), a file holding it, the "
        "URL of /api/v1/bundle-key/, or 'desk' for this installation's own key."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("bundle", help="the bundle's zip file")
        parser.add_argument("--public-key", default=None)

    def handle(self, *args, bundle: str, public_key: str | None, **options) -> None:
        if public_key == "desk":
            public_key = bundle_keys.public_key_document()["public_key"]
        is_ok, report = verify_file(bundle, public_key)
        if is_ok:
            self.stdout.write(report)
            return
        self.stderr.write(report)
        # Not CommandError: the lines go out as they are, with the verifier's exit code.
        raise SystemExit(1)
