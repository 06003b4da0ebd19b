"""The statistical parts of the NLU, learned at build time from the interaction model:

- an intent classifier (logistic regression over character and word n-grams of the expanded
  samples and built-in phrases);
- one value classifier per custom slot type (the same features, trained on the type's
  synonyms against sentences that carry no value), which reads spans of an utterance and so
  finds a value said in other words ("my bum cheeks have gone dead").

Training takes some seconds per locale, so the trained models are kept on disk, keyed by a hash
of everything they were learned from (the model, the
built-in phrases, this code and the scikit-learn version) (BACKCARE_NLU_CACHE, default ~/.cache/backcare/nlu).
"""

from __future__ import annotations

import hashlib
import inspect
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from backcare_tools.nlu import data as _data_module
from backcare_tools.nlu.data import ModelData, intent_examples, value_examples

CACHE_ENV = "BACKCARE_NLU_CACHE"


def _features() -> FeatureUnion:
    return FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                  token_pattern=r"[a-z']+")),
    ])


def _classifier(c: float, balanced: bool) -> Pipeline:
    weights = "balanced" if balanced else None
    return Pipeline([("features", _features()),
                     ("model", LogisticRegression(C=c, max_iter=3000, class_weight=weights))])


@dataclass
class Learned:
    intents: Pipeline
    values: dict[str, Pipeline]  # custom slot type -> value classifier (labels: value ids and NONE)

    def intent_scores(self, text: str) -> dict[str, float]:
        probabilities = self.intents.predict_proba([text])[0]
        return dict(zip(self.intents.classes_, probabilities, strict=True))

    def value_scores(self, slot_type: str, spans: list[str]) -> list[tuple[str, float]]:
        """For each span, its most likely value id (or NONE) and that probability."""
        model = self.values[slot_type]
        rows = model.predict_proba(spans)
        classes = model.classes_
        return [(str(classes[row.argmax()]), float(row.max())) for row in rows]


def train(data: ModelData) -> Learned:
    texts, labels = intent_examples(data)
    intents = _classifier(c=20.0, balanced=True).fit(texts, labels)
    values = {}
    for slot_type in data.values:
        value_texts, value_labels = value_examples(data, slot_type)
        # Unweighted: "no value" is the usual case, and short answers ("a bit") must stay no value.
        values[slot_type] = _classifier(c=20.0, balanced=False).fit(value_texts, value_labels)
    return Learned(intents, values)


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    return Path(configured) if configured else Path.home() / ".cache" / "backcare" / "nlu"


def cache_key(data: ModelData) -> str:
    code = inspect.getsource(_data_module) + inspect.getsource(sys.modules[__name__])
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
