"""Settings for the test suite: the project's settings with fixed test keys and an on-disk SQLite.

The SQLite test database lives on disk (not in memory) so that a test can search the
raw file and its WAL for personal data in clear.
"""

import base64
import os
import tempfile

os.environ.setdefault("ANXIN_PII_KEYS", "1:" + base64.b64encode(b"k" * 32).decode())
os.environ.setdefault("ANXIN_PSEUDONYM_KEY", base64.b64encode(b"p" * 32).decode())
os.environ.setdefault("ANXIN_VAR", tempfile.mkdtemp(prefix="anxin-test-var-"))

from anxin.settings import *  # noqa: E402,F403
from anxin.settings import DATABASES, VAR_DIR  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-anxin.sqlite3")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
EMAIL_FILE_PATH = VAR_DIR / "mail"
