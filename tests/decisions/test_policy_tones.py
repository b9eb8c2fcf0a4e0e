"""The policy's tones have their own wording in every supported language, and their SMS stay within one
GSM-7 segment with a long creditor name, a large amount and a full pay link."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from paypage import i18n
from paypage.engine.channels.sms_segments import gsm7_segments

TONES = ("empathetic", "loss_aversion", "social_proof")


def values(language: str, tone: str) -> dict[str, Any]:
    return {
        "language": language,
        "template": "notice",
        "tone": tone,
        "creditor_short": "Versandhaus Mustermann & Söhne",
        "outstanding_sms": "12345,67 EUR",
        "pay_url": "https://pay.example.com/p/AbCdEfGhIjKlMnOpQrStUv",
        "deadline": "15. März 2026",
        "sms_opt_out": False,
    }


def render(app: Flask, source: str, language: str, tone: str) -> str:
    with app.app_context():
        i18n.activate(language)
        return app.jinja_env.from_string(source).render(m=values(language, tone)).strip()


@pytest.mark.parametrize("language", i18n.SUPPORTED)
def test_each_tone_reads_differently_in_every_language(app: Flask, language: str) -> None:
    request = '{% import "messages/_blocks.txt" as b %}{{ b.request(m) }}'
    texts = {tone: render(app, request, language, tone) for tone in (*TONES, "neutral", "firm")}
    assert len(set(texts.values())) == len(texts), texts
    assert "15. März 2026" in texts["loss_aversion"]
    sms = {tone: render(app, '{% include "messages/sms.txt" %}', language, tone) for tone in (*TONES, "neutral")}
    assert len(set(sms.values())) == len(sms), sms
    for tone, text in sms.items():
        assert "12345,67 EUR" in text and text.endswith("AbCdEfGhIjKlMnOpQrStUv"), (tone, text)
        assert gsm7_segments(text) == ("GSM-7", 1), (tone, text)
