"""The statistical parts of the NLU, learned at build time from the interaction model:

- an intent classifier (a linear SVM over character and word n-grams of the expanded samples
  and built-in phrases; its margins, through a sharpened softmax, are the confidence);
- one value classifier per custom slot type (the same features, trained on the type's
  synonyms against sentences that carry no value), which reads spans of an utterance and so
  finds a value said in other words ("my bum cheeks have gone dead").

Training takes some seconds per locale, so the trained models are kept on disk, keyed by a hash
of everything they were learned from (the model, the built-in phrases, this code, data.py,
text.py and the scikit-learn version) (BACKCARE_NLU_CACHE, default ~/.cache/backcare/nlu).
"""

from __future__ import annotations

import hashlib
import inspect
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from backcare_tools.nlu import data as _data_module
from backcare_tools.nlu import text as _text_module
from backcare_tools.nlu.data import NONE, ModelData, intent_examples, value_examples

CACHE_ENV = "BACKCARE_NLU_CACHE"
SHARPNESS = 4.0  # margins are about -1..1; x4 makes a clear winner score above 0.9


def _features() -> FeatureUnion:
    return FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                  token_pattern=r"[a-z']+")),
    ])


def _classifier(balanced: bool) -> Pipeline:
    """A linear SVM: seconds to train on a few thousand sentences, and as accurate here as a
    logistic regression that takes ten times longer."""
    svm = LinearSVC(C=1.0, class_weight="balanced" if balanced else None, random_state=0)  # reproducible
    return Pipeline([("features", _features()), ("model", svm)])


def _softmax(margins: np.ndarray) -> np.ndarray:
    """SVM margins as scores that sum to one (a sharpened softmax): thresholds read as shares."""
    scaled = SHARPNESS * (margins - margins.max(axis=-1, keepdims=True))
    weights = np.exp(scaled)
    return weights / weights.sum(axis=-1, keepdims=True)


@dataclass
class Learned:
    intents: Pipeline
    values: dict[str, Pipeline]  # custom slot type -> value classifier (labels: value ids and NONE)

    def intent_scores(self, text: str) -> dict[str, float]:
        scores = _softmax(self.intents.decision_function([text]))[0]
        return dict(zip(self.intents.classes_, (float(x) for x in scores), strict=True))

    def value_scores(self, slot_type: str, spans: list[str]) -> list[tuple[str, float, str, float]]:
        """For each span: its likeliest reading (a value id or NONE) with its score, and its
        likeliest value (never NONE) with its score."""
        model = self.values[slot_type]
        rows = _softmax(model.decision_function(spans))
        classes = [str(c) for c in model.classes_]
        values = np.array([c != NONE for c in classes])
        results = []
        for row in rows:
            best = int(row.argmax())
            value = int(np.where(values, row, -1.0).argmax())
            results.append((classes[best], float(row[best]), classes[value], float(row[value])))
        return results


def train(data: ModelData) -> Learned:
    texts, labels = intent_examples(data)
    intents = _classifier(balanced=True).fit(texts, labels)
    values = {}
    for slot_type in data.values:
        value_texts, value_labels = value_examples(data, slot_type)
        # Unweighted: "no value" is the usual case, and short answers ("a bit") must stay no value.
        values[slot_type] = _classifier(balanced=False).fit(value_texts, value_labels)
    return Learned(intents, values)


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "backcare" / "nlu"


def cache_key(data: ModelData) -> str:
    code = (inspect.getsource(_data_module) + inspect.getsource(_text_module)
            + inspect.getsource(sys.modules[__name__]))
    text = "|".join((data.digest, hashlib.sha256(code.encode()).hexdigest(), sklearn.__version__))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def load_or_train(data: ModelData) -> Learned:
    """The learned model for this data: from the disk cache when it was trained before."""
    path = cache_dir() / f"{cache_key(data)}.pickle"
    if path.is_file():
        try:
            with path.open("rb") as handle:
                learned = pickle.load(handle)
            if isinstance(learned, Learned):
                return learned
        except (OSError, pickle.UnpicklingError, AttributeError, EOFError):
            pass  # a stale or broken cache entry is retrained
    learned = train(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump(learned, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    except OSError:
        pass  # a read-only home still gets a working NLU, trained each time
    return learned
