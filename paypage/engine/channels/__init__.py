"""Channels that carry dunning messages: e-mail, SMS, WhatsApp, letter, and the demo's outbox sink."""
