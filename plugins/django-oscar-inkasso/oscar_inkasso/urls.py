from __future__ import annotations

from django.urls import path

from oscar_inkasso import views

app_name = "oscar_inkasso"

urlpatterns = [path("webhook/", views.webhook, name="webhook")]
