"""Train the recruitment classifier: ``python -m extractors.train_recruitment [--out PATH]``.

Reads ``extractors/data/recruitment_seed.yaml`` and ``recruitment_more.yaml`` (hand-written examples), adds obfuscated
variants with a fixed seed, fits TF-IDF (words 1-2 + characters 2-5) and a logistic
regression, prints 5-fold cross-validated precision/recall/F1 and writes the model file
(``extractors/data/recruitment_model.joblib``). Same input and library versions, same model.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
from pathlib import Path

import joblib
import sklearn
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from extractors._recruit_features import act_features
from extractors._recruit_text import normalise

__all__ = ["MODEL_PATH", "MODEL_VERSION", "SEED_PATH", "SEED_PATHS", "build_pipeline", "load_examples", "main"]

log = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parent / "data"
SEED_PATH = DATA / "recruitment_seed.yaml"
SEED_PATHS = (SEED_PATH, DATA / "recruitment_more.yaml")
MODEL_PATH = DATA / "recruitment_model.joblib"
MODEL_VERSION = 2
_EMOJI = ["💰", "🔥", "💸", "📲", "🚗", "⚓", "🤫", "💯", "👀"]
_LEET = str.maketrans({"o": "0", "e": "3", "a": "4", "i": "1", "s": "5"})


def _obfuscate(text: str, rng: random.Random) -> str:
    words = text.split()
    if not words:
        return text
    style = rng.randrange(4)
    i = rng.randrange(len(words))
    if style == 0:
        words[i] = words[i].translate(_LEET)
    elif style == 1 and len(words[i]) > 3:
        words[i] = " ".join(words[i])
    elif style == 2:
        words.insert(rng.randrange(len(words) + 1), rng.choice(_EMOJI))
    else:
        words = [w.upper() if rng.random() < 0.3 else w for w in words]
    return " ".join(words)


def load_examples(paths: tuple[Path, ...] = SEED_PATHS, variants: int = 2, seed: int = 13) -> tuple[list[str], list[int]]:
    """(texts, labels): every written example plus ``variants`` obfuscated copies, each example
    followed by its copies (cross-validation keeps them in one fold)."""
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[int] = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, label in (("positive", 1), ("negative", 0)):
            for lang in sorted(data[key]):
                for text in data[key][lang]:
                    texts.append(text)
                    labels.append(label)
                    for _ in range(variants):
                        texts.append(_obfuscate(text, rng))
                        labels.append(label)
    return texts, labels


def build_pipeline() -> Pipeline:
    """Word 1-2 and character 2-5 n-grams plus speech-act features (``_recruit_features``).

    C=16 and the act weight 2 were chosen by 5-fold CV F1 on the written examples (the act
    features lifted CV F1 from 0.79 to 0.83); the dev set played no part.
    """
    features = FeatureUnion([
        ("words", TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
        ("chars", TfidfVectorizer(preprocessor=normalise, analyzer="char_wb", ngram_range=(2, 5),
                                  sublinear_tf=True, min_df=2, max_features=30000)),
        ("acts", FunctionTransformer(act_features)),
    ], transformer_weights={"words": 1.0, "chars": 1.0, "acts": 2.0})
    model = LogisticRegression(C=16.0, class_weight="balanced", max_iter=3000, random_state=0)
    return Pipeline([("features", features), ("model", model)])


def _best_threshold(probs: list[float], labels: list[int]) -> float:
    """Threshold with the best F1 on out-of-fold probabilities (ties: the higher threshold)."""
    best, best_f1 = 0.5, -1.0
    for step in range(30, 81, 2):
        t = step / 100
        tp = sum(1 for p, y in zip(probs, labels, strict=True) if p >= t and y)
        fp = sum(1 for p, y in zip(probs, labels, strict=True) if p >= t and not y)
        fn = sum(1 for p, y in zip(probs, labels, strict=True) if p < t and y)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 >= best_f1:
            best, best_f1 = t, f1
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    texts, labels = load_examples()
    # cross-validation groups an example with its variants by fold on the seed index
    pipe = build_pipeline()
    n_seed = len(texts) // 3
    groups_texts = [texts[i * 3 : i * 3 + 3] for i in range(n_seed)]
    groups_labels = [labels[i * 3] for i in range(n_seed)]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    probs = [0.0] * n_seed
    for train_idx, test_idx in folds.split(range(n_seed), groups_labels):
        x = [t for i in train_idx for t in groups_texts[i]]
        y = [groups_labels[i] for i in train_idx for _ in range(3)]
        fitted = build_pipeline().fit(x, y)
        for i in test_idx:
            probs[i] = float(fitted.predict_proba([groups_texts[i][0]])[0][1])
    threshold = _best_threshold(probs, groups_labels)
    preds = [int(p >= threshold) for p in probs]
    tp = sum(1 for p, y in zip(preds, groups_labels, strict=True) if p and y)
    fp = sum(1 for p, y in zip(preds, groups_labels, strict=True) if p and not y)
    fn = sum(1 for p, y in zip(preds, groups_labels, strict=True) if not p and y)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    sys.stdout.write(f"examples: {n_seed} written, {len(texts)} with variants; "
                     f"5-fold CV on written examples: P={prec:.3f} R={rec:.3f} F1={f1:.3f} "
                     f"at threshold {threshold:.2f} (chosen by CV F1)\n")
    pipe.fit(texts, labels)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"version": MODEL_VERSION, "sklearn": sklearn.__version__, "threshold": threshold, "pipeline": pipe},
                args.out, compress=3)
    sys.stdout.write(f"model written to {args.out} ({args.out.stat().st_size} bytes)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
