"""The recruitment model's direct path equals scikit-learn's predict_proba; sklearn loads lazily."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from extractors._recruit import load_model
from extractors._recruit_model import direct_steps, probabilities
from extractors.train_recruitment import load_examples

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pipeline():
    return load_model()["pipeline"]


def test_shipped_model_takes_the_direct_path(pipeline):
    assert direct_steps(pipeline)


@pytest.mark.parametrize("size", [1, 2, 5, 40])
def test_direct_path_is_bit_identical(pipeline, size):
    texts, _ = load_examples()
    texts = [*texts, "", "x", "r u n n e r s gezocht 4k p/d, snap me!!!", "🚀" * 30]
    for start in range(0, len(texts), max(size, 97)):
        batch = texts[start:start + size]
        assert np.array_equal(probabilities(pipeline, batch), pipeline.predict_proba(batch)[:, 1])


def test_other_pipelines_use_predict_proba():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    other = Pipeline([("tfidf", TfidfVectorizer()), ("model", LogisticRegression())])
    other.fit(["runners wanted cash", "selling coke fast", "need drivers now", "good weed here"], [1, 0, 1, 0])
    assert not direct_steps(other)
    texts = ["drivers wanted", "weed for sale"]
    assert np.array_equal(probabilities(other, texts), other.predict_proba(texts)[:, 1])


def test_importing_extractors_does_not_load_sklearn():
    code = "import sys, extractors; print(sorted(m for m in ('sklearn', 'joblib', 'scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                         cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_warm_up_loads_the_model():
    code = ("import sys, extractors; extractors.warm_up(); "
            "print(all(m in sys.modules for m in ('sklearn', 'extractors._recruit_model')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300,
                         cwd=REPO)
    assert out.stdout.strip() == "True"
