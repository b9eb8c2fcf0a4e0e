"""A real Oscar shop, set up the way Oscar's documentation builds one, with the plugin installed.

The database is a SQLite file in a temporary directory of this test run (`OSCAR_INKASSO_TEST_DIR`), or
the PostgreSQL database `OSCAR_INKASSO_DATABASE_URL` names (`postgresql://user@host:port/name`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import oscar
from oscar.defaults import *  # noqa: F403 - Oscar's documented way to get its default settings

DATA_DIR = Path(os.environ.get("OSCAR_INKASSO_TEST_DIR") or tempfile.mkdtemp(prefix="oscar-inkasso-"))

SECRET_KEY = "oscar-inkasso-test-shop-key-not-secret-0123456789"  # noqa: S105 - the test shop's own key
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
ROOT_URLCONF = "testshop.urls"
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "Europe/Berlin"
LANGUAGE_CODE = "en"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "shop.sqlite3"),
        # A throwaway file: no need to wait for the disk on every commit.
        "OPTIONS": {"init_command": "PRAGMA synchronous=OFF"},
    }
}
if os.environ.get("OSCAR_INKASSO_DATABASE_URL"):
    _url = urlsplit(os.environ["OSCAR_INKASSO_DATABASE_URL"])
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": _url.username or "",
        "PASSWORD": _url.password or "",
        "HOST": _url.hostname or "",
        "PORT": str(_url.port or 5432),
    }
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# The plugin before Oscar's apps, so its order page template is found first and extends Oscar's.
INSTALLED_APPS = ["oscar_inkasso", *oscar.INSTALLED_APPS]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
]

AUTHENTICATION_BACKENDS = (
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    },
]

HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
# The simple backend searches the database itself and keeps no index to update on save.
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

STATIC_URL = "/static/"
MEDIA_ROOT = str(DATA_DIR / "media")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests only

OSCAR_SHOP_NAME = "Testshop"
OSCAR_DEFAULT_CURRENCY = "EUR"
OSCAR_INITIAL_ORDER_STATUS = "Pending"
OSCAR_INITIAL_LINE_STATUS = "Pending"
OSCAR_ORDER_STATUS_PIPELINE = {
    "Pending": ("Paid", "In collection", "Cancelled"),
    "In collection": ("Paid", "Written off", "Cancelled"),
    "Paid": (),
    "Written off": ("Paid",),
    "Cancelled": (),
}

# The plugin. Tests point INKASSO_BASE_URL and INKASSO_API_KEY at a service of their own.
INKASSO_API_KEY = ""
INKASSO_BASE_URL = ""
INKASSO_WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - the tests' endpoint secret
INKASSO_PAYMENT_TERMS_DAYS = 14
INKASSO_HANDOVER_AFTER_DAYS = 10
INKASSO_UNPAID_STATUSES = ["Pending"]
INKASSO_HANDED_OVER_STATUS = "In collection"
INKASSO_ORDER_STATUS_FOR_STATE = {"paid": "Paid", "written_off": "Written off", "cancelled": "Cancelled"}
