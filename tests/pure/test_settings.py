"""Production settings are safe; development settings work over plain http."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(args, **env_overrides) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY="a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghij",
        ALLOWED_HOSTS="factcheck.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run(["manage.py", "check"], DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_settings_do_not_force_https():
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'factcheck.settings');"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    result = run(["-c", code], DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False", "0"]


def test_production_settings_force_https_and_hsts():
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'factcheck.settings');"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    result = run(["-c", code], DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="a.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000"]
