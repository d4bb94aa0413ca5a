"""The desk's key for signing evidence bundles: BUNDLE_SIGNING_KEY, else one made once and
kept under var/ (a single-host install)."""

from __future__ import annotations

import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from . import bundle

_lock = threading.Lock()
_loaded: dict[tuple[str, str], Ed25519PrivateKey] = {}


def signing_key() -> Ed25519PrivateKey:
    """The key of the current settings, read once per process.

    Raises OSError when the key file can neither be read nor made, ValueError when it
    holds no key."""
    configured = settings.BUNDLE_SIGNING_KEY.strip()
    path = Path(settings.BUNDLE_SIGNING_KEY_FILE)
    cache_key = (configured, str(path))
    with _lock:
        key = _loaded.get(cache_key)
        if key is None:
            if configured:
                key = bundle.private_key_from_text(configured)
            else:
                key = bundle.load_or_create_key_file(path)
            _loaded[cache_key] = key
    return key


def public_key_document() -> dict[str, str]:
    """What /api/v1/bundle-key/ serves: the algorithm, the key id and the public key."""
    public = signing_key().public_key()
    return {
        "algorithm": bundle.ALGORITHM,
        "key_id": bundle.key_id(public),
        "public_key": bundle.public_key_b64(public),
    }
