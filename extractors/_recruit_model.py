"""The recruitment model's probabilities without scikit-learn's per-call machinery.

``pipeline.predict_proba`` on a page's few posts spends most of its time outside the model:
FeatureUnion's joblib dispatch (config and warning filters copied per transformer), input
validation and dataframe sniffing at every step. ``probabilities`` runs the same steps by hand,
in the same order and with the same numeric routines (CountVectorizer's own counting,
``log``/``+1``/``idf`` in place, scikit-learn's compiled row L2 normaliser, a sparse dot with
the coefficients, ``expit``): the numbers are bit-identical (tests/extractors/test_recruit_model.py
compares them). A pipeline of any other shape takes the plain ``predict_proba`` path.

Character n-grams (``char_wb``) never cross a word, so their counts are summed per distinct word
from a cache of the vectorizer's own n-grams of that word: integer counts, the same matrix.

Imported only by ``_recruit.score_many`` once the model is loaded (numpy/scipy/scikit-learn).
"""

from __future__ import annotations

import functools
import weakref
from typing import Any

import numpy as np
import scipy.sparse
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

__all__ = ["direct_steps", "probabilities"]

_Step = tuple[str, Any, float | None]
_WORD_CACHE_MAX = 20_000  # distinct words kept per vectorizer, ~1 kB each (~20 MB); cleared when full
_word_cache: weakref.WeakKeyDictionary[Any, dict[str, tuple[tuple[int, int], ...]]] = weakref.WeakKeyDictionary()


@functools.cache
def _steps_of(pipeline: Any) -> tuple[tuple[_Step, ...], Any] | None:
    """(feature steps, classifier) when the pipeline has the shape the direct path handles."""
    if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2:
        return None
    union, model = pipeline.steps[0][1], pipeline.steps[1][1]
    if not isinstance(union, FeatureUnion) or not isinstance(model, LogisticRegression):
        return None
    if len(getattr(model, "classes_", ())) != 2 or model.coef_.shape[0] != 1:
        return None
    weights = union.transformer_weights or {}
    steps: list[_Step] = []
    for name, trans in union.transformer_list:
        if isinstance(trans, TfidfVectorizer):
            tfidf = getattr(trans, "_tfidf", None)
            if trans.binary or tfidf is None or tfidf.norm != "l2" or not hasattr(trans, "_count_vocab") or \
                    not hasattr(trans, "_char_wb_ngrams"):
                return None
        elif isinstance(trans, FunctionTransformer):
            if trans.func is None or trans.validate or trans.kw_args or trans.accept_sparse:
                return None
        else:
            return None
        steps.append((name, trans, weights.get(name)))
    return tuple(steps), model


def direct_steps(pipeline: Any) -> bool:
    """Whether ``probabilities`` computes ``pipeline`` by hand (else it delegates)."""
    return _steps_of(pipeline) is not None


def _char_wb_counts(vectorizer: TfidfVectorizer, texts: list[str]) -> Any:
    """``vectorizer._count_vocab(texts, fixed_vocab=True)[1]`` for a ``char_wb`` analyzer."""
    vocabulary = vectorizer.vocabulary_
    preprocess = vectorizer.build_preprocessor()
    cache = _word_cache.setdefault(vectorizer, {})
    if len(cache) > _WORD_CACHE_MAX:
        cache.clear()
    indices: list[int] = []
    values: list[int] = []
    indptr = [0]
    for text in texts:
        counter: dict[int, int] = {}
        for word in preprocess(vectorizer.decode(text)).split():
            features = cache.get(word)
            if features is None:
                grams: dict[int, int] = {}
                for gram in vectorizer._char_wb_ngrams(word):
                    idx = vocabulary.get(gram)
                    if idx is not None:
                        grams[idx] = grams.get(idx, 0) + 1
                features = cache[word] = tuple(grams.items())
            for idx, count in features:
                counter[idx] = counter.get(idx, 0) + count
        indices.extend(counter)
        values.extend(counter.values())
        indptr.append(len(indices))
    counts = scipy.sparse.csr_matrix(
        (np.asarray(values, dtype=np.float64), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int32)),
        shape=(len(texts), len(vocabulary)))
    counts.sort_indices()
    return counts


def _tfidf(vectorizer: TfidfVectorizer, texts: list[str]) -> Any:
    """``vectorizer.transform(texts)`` (TfidfTransformer.transform's arithmetic, in place)."""
    if vectorizer.analyzer == "char_wb" and vectorizer.input == "content":
        counts = _char_wb_counts(vectorizer, texts)
    else:
        _, counts = vectorizer._count_vocab(texts, fixed_vocab=True)
    tfidf = vectorizer._tfidf
    x = scipy.sparse.csr_matrix(counts, dtype=np.float64)
    if tfidf.sublinear_tf:
        np.log(x.data, x.data)
        x.data += 1.0
    if hasattr(tfidf, "idf_"):
        x.data *= tfidf.idf_[x.indices]
    inplace_csr_row_normalize_l2(x)
    return x


def probabilities(pipeline: Any, texts: list[str]) -> Any:
    """``pipeline.predict_proba(texts)[:, 1]`` (an array of floats, one per text)."""
    found = _steps_of(pipeline)
    if found is None:
        return pipeline.predict_proba(texts)[:, 1]
    steps, model = found
    parts = []
    for _name, trans, weight in steps:
        part = _tfidf(trans, texts) if isinstance(trans, TfidfVectorizer) else trans.func(texts)
        if weight is not None and part.dtype == np.float64:
            part.data *= weight  # the values of ``part * weight``, without another matrix
        elif weight is not None:
            part = part * weight
        parts.append(part)
    features = scipy.sparse.hstack(parts).tocsr()
    scores = features @ model.coef_.T + model.intercept_
    return expit(np.asarray(scores).reshape(-1))
