from __future__ import annotations

from typing import Any

from django.apps import apps
from django.urls import include, path

shop: Any = apps.get_app_config("oscar")  # Oscar's app config carries its URLconf

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("inkasso/", include("oscar_inkasso.urls")),
    path("", include(shop.urls[0])),
]
