"""Youth-recruitment scoring: the trained TF-IDF + logistic regression model, with evidence.

The score is the model's probability; the label is ``score >= threshold`` (stored with the
model). Evidence lists the cue phrases of ``config/lexicons/recruitment.yaml`` found in the
normalised text, so an analyst sees why, even when the model alone decided.

scikit-learn and joblib are imported on first use (``load_model``; ``warm_up`` calls it): importing
``extractors`` must not cost every CLI call and subprocess the ~4 s CPU of loading scikit-learn.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

from extractors._lexicons import lexicon_dir
from extractors._recruit_features import act_evidence
from extractors._recruit_text import normalise
from extractors.exceptions import ModelError
from extractors.model import Mention, Recruitment

__all__ = ["load_model", "score_many", "score_recruitment"]

_MIN_CHARS = 12


@functools.cache
def load_model() -> dict[str, Any]:
    """The model file written by ``python -m extractors.train_recruitment``."""
    import joblib
    import sklearn

    from extractors.train_recruitment import MODEL_PATH, MODEL_VERSION

    try:
        bundle = joblib.load(MODEL_PATH)
    except (OSError, EOFError, ValueError, AttributeError, ImportError) as exc:
        raise ModelError(f"cannot load {MODEL_PATH}: {exc}; run python -m extractors.train_recruitment") from exc
    if not isinstance(bundle, dict) or bundle.get("version") != MODEL_VERSION:
        raise ModelError(f"{MODEL_PATH}: model version differs from {MODEL_VERSION}; retrain")
    if bundle.get("sklearn", "").split(".")[:2] != sklearn.__version__.split(".")[:2]:
        raise ModelError(f"{MODEL_PATH} was trained with scikit-learn {bundle.get('sklearn')}, "
                         f"this is {sklearn.__version__}; retrain")
    return bundle


@functools.cache
def _cues() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(rule, normalised phrase, regex) of every cue; the phrase is a cheap pre-test (a regex
    match needs it as a substring)."""
    data = yaml.safe_load((lexicon_dir() / "recruitment.yaml").read_text(encoding="utf-8"))
    out = []
    for kind, phrases in data["cues"].items():
        for phrase in phrases:
            norm = normalise(str(phrase))
            out.append((f"{kind}:{norm}", norm, re.compile(r"(?<!\w)" + re.escape(norm) + r"(?!\w)")))
    return tuple(out)


def _evidence(text: str, norm: str) -> tuple[Mention, ...]:
    found = []
    lower = text.casefold()
    for rule, cue, regex in _cues():
        if cue not in norm:
            continue
        m = regex.search(norm)
        if m:
            phrase = m.group(0)
            start = lower.find(phrase)
            found.append(Mention(phrase, start, start + len(phrase) if start >= 0 else -1, f"cue:{rule.split(':')[0]}"))
    known = {m.value for m in found}
    for rule, phrase in act_evidence(norm):
        if phrase not in known:
            known.add(phrase)
            start = lower.find(phrase)
            found.append(Mention(phrase, start, start + len(phrase) if start >= 0 else -1, rule))
    return tuple(found[:12])


def score_recruitment(text: str) -> Recruitment:
    """Label, probability and evidence phrases for one post or message."""
    return score_many([text])[0]


def score_many(texts: list[str]) -> list[Recruitment]:
    """``score_recruitment`` for many texts in one model call (much faster than one by one)."""
    norms = [normalise(text) for text in texts]
    todo = [i for i, norm in enumerate(norms) if len(norm) >= _MIN_CHARS]
    out = [Recruitment(label=False, score=0.0, evidence=(), rule="too short") for _ in texts]
    if not todo:
        return out
    bundle = load_model()
    from extractors._recruit_model import probabilities

    probs = probabilities(bundle["pipeline"], [texts[i][:20000] for i in todo])
    rule = f"tfidf-logreg v{bundle['version']}"
    for i, prob in zip(todo, probs, strict=True):
        score = float(prob)
        out[i] = Recruitment(label=score >= bundle["threshold"], score=round(score, 4),
                             evidence=_evidence(texts[i], norms[i]), rule=rule)
    return out
