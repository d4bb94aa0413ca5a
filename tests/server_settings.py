"""Settings for a web server that a test starts as a subprocess: the project's settings with
the tests' fast password hasher, so that it checks the passwords of the tests' personas."""

from factcheck.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
