"""Recruitment classifier: shipped model loads, scores sentences it was not trained on, explains."""

import pytest

from extractors import extract_text
from extractors._recruit import load_model, score_recruitment
from extractors._recruit_text import normalise
from extractors.train_recruitment import load_examples


def test_model_file_is_small_and_current():
    bundle = load_model()
    assert 0.0 < bundle["threshold"] < 1.0
    texts, labels = load_examples()
    assert len(texts) >= 500 and 0.3 < sum(labels) / len(labels) < 0.7


@pytest.mark.parametrize(
    "text",
    [
        "Zoek jongens die willen uithalen in de haven, 4k per keer, stuur dm",
        "On cherche des guetteurs pour le quartier, payé 120 la journée",
        "Se buscan chavales para vender en el parque, pago diario en efectivo",
        "Runners wanted for our line, phone provided, 250 a day, snap me",
    ],
)
def test_recruitment_posts_are_flagged_with_evidence(text):
    result = score_recruitment(text)
    assert result.label and result.score >= load_model()["threshold"]
    assert result.evidence and any(m.rule.startswith("cue:") for m in result.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "De bakker in onze straat zoekt een zaterdaghulp, 16 jaar of ouder",
        "Article de presse : la police alerte sur le recrutement de mineurs",
        "Vendo hachís de calidad, envío discreto, solo Telegram",
        "Selling 5g of coke, 60 a gram, fast shipping",
    ],
)
def test_hard_negatives_are_not_flagged(text):
    assert not score_recruitment(text).label


def test_obfuscation_is_normalised():
    assert normalise("k 0 e r i e r s gezocht 💰") == normalise("koeriers gezocht")
    assert "runners" in normalise("R.U.N.N.E.R.S needed")


def test_extract_text_carries_the_recruitment_result():
    data = extract_text("Wie wil snel geld? Koeriers gezocht, 300 per dag, app me", source="p").to_dict()
    assert data["recruitment"]["label"] is True and data["recruitment"]["evidence"]
