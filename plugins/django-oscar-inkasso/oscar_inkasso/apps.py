from __future__ import annotations

from django.apps import AppConfig


class InkassoConfig(AppConfig):
    name = "oscar_inkasso"
    label = "oscar_inkasso"
    verbose_name = "inkasso collection"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Read once at start so a mistyped setting stops the shop at boot, not at 3 a.m. in the cron job.
        from oscar_inkasso.conf import plugin_settings

        plugin_settings()
