from __future__ import annotations

import inkasso

from oscar_inkasso.conf import PluginSettings


def client(config: PluginSettings) -> inkasso.Client:
    """The SDK client from the settings; without `INKASSO_API_KEY` in them the SDK reads the environment."""
    return inkasso.Client(api_key=config.api_key, base_url=config.base_url)
