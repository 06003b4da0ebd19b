"""Utterance -> intent and slots, the way Alexa would send them, with a safety-first precedence:

1. Read the invocation ("open back care coach" is a launch; "ask back care coach to X" is X).
2. The learned intent classifier scores every intent; the learned value classifiers (and the
   synonyms said word for word) find slot values.
3. Precedence (SPEC §3, "what counts as an answer"): an emergency request stays EmergencyIntent;
   a symptom said anywhere (inside a tip request, a question, after "no, but") is
   ReportSymptomIntent with that symptom, unless the sentence is confidently a plain denial
   ("no fever", "my legs are fine"); a check-in answer that only says "worse" stays a check-in
   answer. Below the confidence threshold: AMAZON.FallbackIntent.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from backcare_tools.nlu.data import NONE, ModelData
from backcare_tools.nlu.learn import Learned
from backcare_tools.nlu.levels import level
from backcare_tools.nlu.scope import (
    FILLERS,
    NEGATORS,
    QUESTION_WORDS,
    Clause,
    Polarity,
    comparison,
    definition_question,
    double_negative,
    minimising,
    polarity,
    split_clauses,
)
from backcare_tools.nlu.text import drop_now, normalise, parse_invocation, strip_fillers
from backcare_tools.spoken_values import Span, find_durations, find_times

FALLBACK = "AMAZON.FallbackIntent"
LAUNCH = "LaunchRequest"
REPORT = "ReportSymptomIntent"
EMERGENCY = "EmergencyIntent"
CHECK_IN = "HowIsMyBackIntent"
NO = "AMAZON.NoIntent"
YES = "AMAZON.YesIntent"
UNSURE = "UnsureIntent"
WHY = "WhyAskIntent"
SYMPTOM = "SYMPTOM"

# Tuned on the development annotation sets (tests/nlu/), never on the held-out rounds.
INTENT_THRESHOLD = float(os.environ.get("BACKCARE_NLU_THRESHOLD", "0.25"))
SYMPTOM_OVERRIDE = 0.6   # a symptom this likely turns any non-emergency intent into a report
LEARNED_OVER_REQUEST = 0.8  # ... and this likely when read by the value classifier alone, against a sure request
SYMPTOM_FILL = 0.4       # ... and this likely fills the slot of a sentence that is a report anyway
EMERGENCY_OVER_SYMPTOM = 0.5  # an emergency request this likely beats a symptom named with it
EMERGENCY_OVER_NAMED = 0.85   # ... and this likely, a symptom said in the models' own words
DENIAL = 0.75            # a plain denial must be this likely to keep a named symptom out
VALUE_FILL = 0.5         # other custom slot types
MAX_SPAN_WORDS = 9
VOTE_FLOOR = 0.3        # a span votes for a value that is its likeliest reading and this likely
EAGER_FLOOR = 0.15      # in a report, a span votes for its likeliest value when at least this likely
EAGER_ANSWER = 0.3      # an unsure answer turns into a report when a symptom reading is this likely
# Words of answer particles: only these can come before the last answer of a run ("yeah nah").
PARTICLE_WORDS = frozenset(("yes", "yeah", "yep", "yup", "aye", "ya", "yah", "yea", "no", "nope", "nah", "nup", "naw",
                            "nae", "nay", "nahi", "nahin", "haan", "haanji", "hanji", "ji", "bilkul", "uh", "huh", "mm",
                            "hmm", "mhm", "nuh", "mate", "ok", "okay", "right", "sir"))
SHORT_ANSWER_WORDS = 4  # a yes, no or unsure sample this short is a short answer ("nah mate", "a bit")
# Answers (not requests): a sentence that denies a symptom and is one of these is a no.
ANSWERS = frozenset((NO, YES, UNSURE, REPORT, CHECK_IN, "AMAZON.FallbackIntent", "AMAZON.NextIntent",
                     "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.PauseIntent", "AMAZON.NavigateHomeIntent",
                     "AMAZON.RepeatIntent", "AMAZON.ResumeIntent", "GoBackIntent", "SkipIntent"))
# After a denial, a clause opened by these admits something ("no, except ...", "no, apart from ...").
ADMITTING = frozenset(("except", "apart from", "other than", "besides", "aside from", "save for", "the only thing",
                       "only thing", "one thing", "although", "though", "well", "but"))
# After "only"/"just", these open a condition ("only when I cough"), not a thing ("just my back").
CONDITION_WORDS = frozenset(("when", "whenever", "after", "if", "at", "during", "while", "before", "first", "sometimes",
                             "occasionally", "once", "every", "in", "on", "a", "now", "mostly", "usually", "later",
                             "early", "late", "towards", "around", "some", "little", "slightly", "bit", "thoda"))
BACK_WORDS = frozenset(("back", "backache", "spine", "backside_pain", "lumbar"))
ANSWER_REASONS = {YES: "hedged or double-negative yes", NO: "denial with nothing else", UNSURE: "comparison with usual"}
PUNCTUATION = re.compile(r"[,;.!?]+|\s[-–—]+\s")
GENERIC_WORDS = frozenset(("just", "only", "the", "one", "of", "them", "not", "both", "a", "an", "it", "that", "this",
                           "is", "left", "right", "side", "on", "in", "my", "down"))
# "What does my bladder have to do with back pain?": a question about why the question is asked.
RELEVANCE = re.compile(r"^(?:what|how|why)\b.*\b(?:(?:have|has|got) to do with|related to|relevant to|connected to)\b")
BOTH = re.compile(r"\b(?:both|either)(?: of)? (?:my )?(?:legs|feet|sides|thighs|calves)\b|\bboth sides\b")
LASTING = re.compile(r"\b(?:weeks?|months?|fortnight|ages|years?|keeps? getting|keeps? on getting)\b")
# Bladder and bowel kept apart by their vocabulary: a bladder reading in a sentence with bowel words and no urine
# words is the bowel sign, and the other way round (the level is the same, the question differs).
URINE_WORDS = frozenset(("urine", "urinate", "urinating", "urinated", "pee", "pees", "peed", "peeing", "wee", "wees",
                         "weed", "weeing", "bladder", "waterworks", "piss", "pissing", "pissed"))
URINE_PHRASES = re.compile(r"\b(?:number one|pass(?:ing|ed)? water|wet (?:myself|the bed|my(?:self)?))\b")
STOOL_WORDS = frozenset(("poo", "poos", "pooed", "pooing", "poop", "poops", "pooped", "pooping", "stool", "stools",
                         "motion", "motions", "bowel", "bowels", "faeces", "feces", "faecal", "fecal", "soiled",
                         "soiling", "soil", "crap", "shit", "shat"))
STOOL_PHRASES = re.compile(r"\b(?:number two|back passage|messed (?:myself|my pants)|open(?:ed)? my bowels)\b")
# A report that names no symptom, said with these and a negation or a stop: the passing that will not come.
TOILET_WORDS = frozenset(("toilet", "loo", "bathroom", "lavatory", "lav", "potty", "washroom", "restroom"))
STOPPED = frozenset(("stopped", "stop", "stops", "shut", "blocked", "packed", "seized", "dried", "quit", "quits"))
ACCIDENT = frozenset(("accident", "accidents"))
# A saddle reading needs the saddle area or a lost feeling said ("I sit on the loo and no wee will come" is
# the bladder: the toilet read as where one sits).
SADDLE_WORDS = re.compile(r"\b(?:bum|bottom|backside|butt|buttocks|cheeks|groin|crotch|privates|private|genitals|bits"
                          r"|anus|thighs|perineum|vagina|penis|scrotum|saddle|down there|down below|where i sit"
                          r"|numb|numbness|tingl\w*|feel|feeling|felt|sensation|dead|pins and needles)\b")
# Weight said to go down ("my weight is dropping", "my belt is loose"): the weight-loss sign, not the pain worsening.
WEIGHT_WORDS = frozenset(("weight", "weigh", "kilos", "kilo", "kg", "pounds", "lbs", "stone", "scales", "clothes",
                          "trousers", "jeans", "pants", "belt", "waist", "waistband", "dress", "dresses", "shirt",
                          "shirts", "collar", "collars", "skirt", "skirts", "top", "tops", "ring", "rings"))
RETENTION_REACH = 4  # a negation or a stop this near a bladder, bowel or toilet word says the passing will not come
WEIGHT_DOWN = re.compile(r"\b(?:going down|goes down|gone down|went down|dropp(?:ing|ed|s)(?: off)?|drops?|"
                         r"falling(?: off| away)?|fall(?:s|en)? off|fell off|coming off|came off|come off|"
                         r"decreas(?:ing|ed|es)|reduc(?:ing|ed|es)|shrinking|shrunk|loose|looser|baggy|baggier|"
                         r"hanging off|notch(?:es)? tighter|tighter notch|lighter|"
                         r"(?:take|takes|taken|taking|took|pull(?:ed|ing)?|move[ds]?|moving) (?:my |the |it )?belt in|"
                         r"in (?:a|one|two|three|four|another|an extra) (?:more )?notch(?:es)?)\b")
HALF_HOUR_LOCALES = frozenset(("en-GB", "en-AU", "en-IE", "en-NZ"))
# Intents that an unclear sentence naming a symptom is often mistaken for.
UNSURE_OF = frozenset(("AMAZON.NoIntent", "AMAZON.YesIntent", "UnsureIntent", "AMAZON.NextIntent",
                       "AMAZON.FallbackIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "AMAZON.StopIntent",
                       "AMAZON.CancelIntent", "AMAZON.RepeatIntent", "AMAZON.HelpIntent", "GoBackIntent"))


@dataclass(frozen=True)
class SlotValue:
    name: str
    value: str
    type: str
    id: str | None = None
    resolved_name: str | None = None

    def as_output(self) -> str:
        return self.id or self.value

    def envelope_spec(self) -> str | dict[str, Any]:
        """The slot as `backcare_tools.envelopes.intent_request` takes it."""
        if self.type.startswith("AMAZON."):
            return self.value
        if self.id:
            return {"value": self.value, "id": self.id, "name": self.resolved_name or self.value,
                    "type": self.type}
        return {"value": self.value, "no_match": True, "type": self.type}


@dataclass(frozen=True)
class Resolution:
    intent: str
    slots: dict[str, SlotValue] = field(default_factory=dict)
    confidence: float = 0.0
    utterance: str = ""
    invoked: bool = False  # the utterance named the skill ("ask back care coach to ...")
    reason: str = ""       # how the precedence decided (for --explain)

    def to_json(self) -> dict[str, Any]:
        """The `backcare nlu` contract: exactly {"intent": NAME, "slots": {SLOT: VALUE}}."""
        return {"intent": self.intent, "slots": {k: v.as_output() for k, v in self.slots.items()}}

    def envelope_slots(self, declared: list[str] | None = None) -> dict[str, Any]:
        slots: dict[str, Any] = dict.fromkeys(declared or [])
        slots.update({k: v.envelope_spec() for k, v in self.slots.items()})
        return slots


@dataclass(frozen=True)
class Found:
    """A custom slot value found in the utterance."""

    span: Span
    score: float
    exact: bool = False  # one of the models' own synonyms, word for word
    core: tuple[int, int] | None = None  # the shortest words read as the value (for the scope of a negation)

    @property
    def where(self) -> tuple[int, int]:
        return self.core or (self.span.start, self.span.end)


@dataclass(frozen=True)
class Mention:
    """A symptom said in one clause, and whether the clause admits or denies it."""

    found: Found
    polarity: Polarity
    clause: int


class Nlu:
    """Resolves utterances for one locale, from what it learned of that locale's model."""

    def __init__(self, data: ModelData, learned: Learned, *, threshold: float = INTENT_THRESHOLD,
                 locale: str = "") -> None:
        self.data = data
        self.learned = learned
        self.threshold = threshold
        self.locale = locale
        # the models' short answers ("nah mate", "a bit", "not really"), for runs of them
        self._short = {normalise(sample): intent for intent in (YES, NO, UNSURE)
                       for sample in data.samples.get(intent, [])
                       if "{" not in sample and len(normalise(sample).split()) <= SHORT_ANSWER_WORDS}
        self.invocation_name = data.invocation_name
        self.intent_slots = data.intent_slots
        self.intents = list(data.intent_slots)
        self._exact = {
            type_: (re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b"),
                    words)
            for type_, values in data.values.items()
            for words in [{w: v for v in values for w in v.words}]
        }

    # --- slot values ------------------------------------------------------------------------------

    def find_value(self, slot_type: str, text: str, *, eager: bool = False) -> Found | None:
        """The value of a custom type said in the text: a synonym word for word (longest first),
        else the value the spans of the text vote for. Eager (the sentence is a report of this
        type anyway): a span's likeliest value votes even where "no value" is likelier still."""
        pattern, words = self._exact[slot_type]
        # a synonym made only of small words ("just the one", "only on the left") names its value
        # only in an answer made of such words, never inside another sentence ("just the one more tip")
        # (overlapping: "got thin" must not hide "thin bones"; the longest said wins)
        starts = [0] + [m.end() for m in re.finditer(r" ", text)]
        candidates = [pattern.match(text, start) for start in starts]
        side_answer = set(text.split()) - FILLERS <= GENERIC_WORDS
        matches = sorted((m for m in candidates if m and (not set(m.group(1).split()) <= GENERIC_WORDS or side_answer)),
                         key=lambda m: m.end() - m.start(), reverse=True)
        if matches:
            m = matches[0]
            value = words[m.group(1)]
            return Found(Span(m.start(), m.end(), slot_type, m.group(1), value.id, value.name), 1.0, exact=True)
        tokens = text.split()
        starts, position = [], 0
        for token in tokens:
            starts.append(position)
            position += len(token) + 1
        windows = [(i, j) for i in range(len(tokens)) for j in range(i + 1, min(len(tokens), i + MAX_SPAN_WORDS) + 1)]
        if len(tokens) > MAX_SPAN_WORDS:
            windows.append((0, len(tokens)))  # a long sentence also reads as a whole
        if not windows:
            return None
        scores = self.learned.value_scores(slot_type, [" ".join(tokens[i:j]) for i, j in windows])
        # Every span votes for its value, weighted by its probability and its length, so the words
        # of a whole phrase ("my left leg keeps getting weaker") outvote a fragment ("leg").
        votes: dict[str, float] = {}
        readings = []
        for (i, j), (label, score, value_label, value_score) in zip(windows, scores, strict=True):
            if label == NONE and eager and value_score >= EAGER_FLOOR:
                label, score = value_label, value_score
            readings.append((i, j, label, score))
        for i, j, label, score in readings:
            if label != NONE and score >= VOTE_FLOOR:
                votes[label] = votes.get(label, 0.0) + score * (j - i)
        if not votes:
            return None
        label = max(votes, key=votes.__getitem__)
        ranked = [(score, j - i, i, j) for i, j, got, score in readings if got == label]
        top = max(r[0] for r in ranked)
        near_top = [r for r in ranked if r[0] >= top - 0.15]
        _, _, i, j = max(near_top, key=lambda r: (r[1], r[0]))
        _, _, ci, cj = min(near_top, key=lambda r: (r[1], -r[0]))
        value = next(v for v in self.data.values[slot_type] if v.id == label)
        start, end = starts[i], starts[j - 1] + len(tokens[j - 1])
        core = (starts[ci], starts[cj - 1] + len(tokens[cj - 1]))
        return Found(Span(start, end, slot_type, text[start:end], value.id, value.name), top, core=core)

    def _fill_slots(self, intent: str, text: str, symptom: Found | None) -> dict[str, SlotValue]:
        declared = self.intent_slots.get(intent, {})
        slots: dict[str, SlotValue] = {}
        durations = find_durations(text)
        times = find_times(text, durations)
        for slot_type in dict.fromkeys(declared.values()):
            names = [n for n, t in declared.items() if t == slot_type]
            if slot_type == "AMAZON.DURATION":
                found = durations
            elif slot_type == "AMAZON.TIME":
                found = times
            elif slot_type == SYMPTOM:
                found = [symptom.span] if symptom and symptom.score >= SYMPTOM_FILL else []
            else:
                value = self.find_value(slot_type, text)
                found = [value.span] if value and value.score >= VALUE_FILL else []
                if slot_type == "CHANGE" and found and found[0].id == "better" and \
                        polarity(text, found[0].start, found[0].end) is Polarity.ADMITTED:
                    same = next(v for v in self.data.values["CHANGE"] if v.id == "same")
                    found = [Span(found[0].start, found[0].end, slot_type, found[0].value, same.id, same.name)]
            _assign(slots, names, slot_type, found, text)
        return slots

    # --- resolving --------------------------------------------------------------------------------

    def resolve(self, utterance: str) -> Resolution:
        invoked, rest = parse_invocation(utterance, self.invocation_name)
        if invoked and not rest:
            return Resolution(LAUNCH, {}, 1.0, utterance, invoked=True, reason="invocation")
        text = strip_fillers(rest)
        if not text:
            return Resolution(FALLBACK, {}, 0.0, utterance, invoked=invoked, reason="nothing said")
        intent, confidence = self.classify(text)
        answers = self.short_answers(text)
        if answers is not None and len(answers) > 1 and (confidence < DENIAL or intent not in (YES, NO, UNSURE)):
            # "yeah nah", "nah yeah", "bilkul nahi", "no, well, sometimes": the last answer stands
            return Resolution(answers[-1], {}, 1.0, utterance, invoked, reason="a run of short answers: the last")
        clauses = split_clauses(self._pieces(utterance, text, invoked))
        mentions = self.mentions(text, clauses)
        intent, reason, symptom = self._precedence(text, intent, confidence, mentions, clauses)
        if intent in UNSURE_OF and confidence < DENIAL and symptom is None and not reason.startswith("a "):
            # a hesitant "no" or an unclear sentence that could name a symptom is sent as that symptom
            maybe = self._eager(text)
            if maybe is not None and maybe.score >= EAGER_ANSWER:
                intent, symptom, reason = REPORT, maybe, f"could be symptom {maybe.span.id} ({maybe.score:.2f})"
        if intent == REPORT and (symptom is None or symptom.score < SYMPTOM_FILL) and not reason.startswith("a "):
            symptom = self._eager(text)
            if symptom is None or symptom.score < SYMPTOM_FILL:
                symptom = self._retention(text) or symptom
        if intent == REPORT and symptom is not None and symptom.span.id == "duration_worsening" and not symptom.exact:
            # "... for ages and nothing came": the time read as lasting pain, the passing that will not come said too
            symptom = self._retention(text) or symptom
        if intent == REPORT and symptom is not None:
            symptom = self._organ(text, symptom)
        if intent == REPORT and symptom and symptom.score >= SYMPTOM_OVERRIDE:
            confidence = max(confidence, symptom.score)
        if intent == FALLBACK:
            return Resolution(FALLBACK, {}, confidence, utterance, invoked=invoked, reason=reason)
        if intent != REPORT:
            symptom = None
        slot_text = self._slot_text(text)
        return Resolution(intent, self._fill_slots(intent, slot_text, symptom), confidence, utterance, invoked,
                          reason)

    def classify(self, text: str) -> tuple[str, float]:
        scores = self.learned.intent_scores(drop_now(text))
        intent = str(max(scores, key=scores.__getitem__))
        return intent, float(scores[intent])

    def short_answers(self, text: str) -> list[str] | None:
        """The text as a run of answer particles ("yeah", "nah", "uh uh", "haan ji") ending in one
        of the models' short yes, no or unsure answers ("a bit", "not really", "now and then"),
        fillers between; or None."""
        words = text.split()
        found: list[str] = []
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + SHORT_ANSWER_WORDS), i, -1):
                piece = words[i:j]
                intent = self._short.get(" ".join(piece))
                if intent and (j == len(words) or set(piece) <= PARTICLE_WORDS):
                    found.append(intent)
                    i = j
                    break
            else:
                if words[i] not in FILLERS:
                    return None
                i += 1
        return found or None

    def mentions(self, text: str, clauses: list[Clause]) -> list[Mention]:
        """Symptoms said in the utterance, clause by clause, each with whether it is admitted or denied."""
        found = [m for m in self._mentions(text, clauses) if m.found.exact or not self._other_value(m, text, clauses)]
        found = [Mention(self._organ(clauses[m.clause].text if m.clause >= 0 else text, m.found), m.polarity, m.clause)
                 for m in found]
        return found + self._weight_mentions(clauses)

    def _with_id(self, found: Found, symptom_id: str) -> Found:
        value = next(v for v in self.data.values[SYMPTOM] if v.id == symptom_id)
        span = found.span
        return Found(Span(span.start, span.end, SYMPTOM, span.value, value.id, value.name), found.score, found.exact,
                     found.core)

    def _organ(self, text: str, found: Found) -> Found:
        """Bladder or bowel by the words of the sentence: bowel words and no urine words make a bladder
        reading the bowel sign, and the other way round; an accident said with either is that one."""
        words = set(text.split())
        urine = bool(words & URINE_WORDS or URINE_PHRASES.search(text))
        stool = bool(words & STOOL_WORDS or STOOL_PHRASES.search(text))
        if urine == stool:
            return found
        said = found.span.id
        if said in ("bladder", "bowel") or (said == "major_trauma" and words & ACCIDENT):
            return self._with_id(found, "bowel" if stool else "bladder")
        if said == "saddle_numbness" and not found.exact and not SADDLE_WORDS.search(text) \
                and self._retention(text) is not None:
            return self._with_id(found, "bowel" if stool else "bladder")
        return found

    def _retention(self, text: str) -> Found | None:
        """A report that names no symptom but says the passing will not come or has stopped, in the
        words of the bladder, the bowel or the toilet: that sign."""
        words = text.split()
        said = set(words)
        places = [i for i, w in enumerate(words) if w in URINE_WORDS | STOOL_WORDS | TOILET_WORDS]
        places += [len(text[:m.start()].split()) for pattern in (URINE_PHRASES, STOOL_PHRASES)
                   for m in pattern.finditer(text)]
        stops = [i for i, w in enumerate(words) if w in NEGATORS | STOPPED or w == "not"]
        if not any(abs(i - j) <= RETENTION_REACH for i in places for j in stops):
            return None
        symptom_id = "bowel" if said & STOOL_WORDS or STOOL_PHRASES.search(text) else "bladder"
        value = next(v for v in self.data.values[SYMPTOM] if v.id == symptom_id)
        return Found(Span(0, len(text), SYMPTOM, text, value.id, value.name), SYMPTOM_FILL)

    def _weight_mentions(self, clauses: list[Clause]) -> list[Mention]:
        """Weight, clothes or a belt said in a clause with a going-down verb: the weight-loss sign,
        read before any other reading of the clause ("my weight keeps reducing" is not the pain worsening)."""
        found = []
        value = next(v for v in self.data.values[SYMPTOM] if v.id == "weight_loss")
        for index, clause in enumerate(clauses):
            down = WEIGHT_DOWN.search(clause.text)
            if clause.particle or down is None or not set(clause.text.split()) & WEIGHT_WORDS:
                continue
            said = polarity(clause.text, down.start(), down.end())
            span = Span(down.start(), down.end(), SYMPTOM, down.group(0), value.id, value.name)
            found.append(Mention(Found(span, 1.0, exact=True), said, index))
        return found

    def _other_value(self, mention: Mention, text: str, clauses: list[Clause]) -> bool:
        """The words read as a symptom are another slot type's value said word for word ("would a hot
        water bottle help": a tip topic; "it's getting worse": a change)."""
        where = clauses[mention.clause].text if mention.clause >= 0 else text
        core = where[mention.found.where[0]:mention.found.where[1]]
        for other in self._exact:
            if other == SYMPTOM:
                continue
            pattern, _ = self._exact[other]
            for m in pattern.finditer(where):
                if core and (core in m.group(1) or m.group(1) in core) and len(m.group(1).split()) >= 2:
                    return True
        return False

    def _mentions(self, text: str, clauses: list[Clause]) -> list[Mention]:
        found: list[Mention] = []
        for index, clause in enumerate(clauses):
            if clause.particle:
                continue
            value = self.find_value(SYMPTOM, clause.text)
            if value is not None and not set(clause.text.split()) - FILLERS <= GENERIC_WORDS:
                core = clause.text[value.where[0]:value.where[1]].split()
                if set(core) <= GENERIC_WORDS:
                    continue  # "just the one" names a leg as a short answer, not inside "just the one more tip"
            if value is not None and value.score >= SYMPTOM_FILL:
                found.append(Mention(value, polarity(clause.text, *value.where, exact=value.exact), index))
        spoken = [c for c in clauses if not c.particle]
        if len(spoken) > 1:
            # a symptom said across a clause boundary ("I keep needing to go but nothing comes out",
            # "I can't feel anything, down there") is read in the whole sentence (its answer particles aside)
            whole = " ".join(c.text for c in spoken)
            value = self.find_value(SYMPTOM, whole)
            across = value is not None and not any(value.span.value in c.text for c in clauses)
            weak = not any(m.found.score >= SYMPTOM_OVERRIDE for m in found)
            if value is not None and value.score >= SYMPTOM_OVERRIDE and (across or weak):
                found.append(Mention(value, polarity(whole, *value.where, exact=value.exact), -1))
        return found

    def _eager(self, text: str) -> Found | None:
        """The likeliest symptom of a sentence that is a report anyway, unless the sentence denies it."""
        maybe = self.find_value(SYMPTOM, text, eager=True)
        if maybe is None or polarity(text, *maybe.where, exact=maybe.exact) is Polarity.DENIED:
            return None
        return maybe

    def _precedence(self, text: str, intent: str, confidence: float, mentions: list[Mention],
                    clauses: list[Clause]) -> tuple[str, str, Found | None]:
        # a symptom read by the value classifier alone (not in the models' words) must be surer to
        # turn a confident request into a report ("how do I stop it coming back" is a tips request)
        floor = LEARNED_OVER_REQUEST if intent not in ANSWERS and confidence >= DENIAL else SYMPTOM_OVERRIDE
        admitted = [m for m in mentions if m.polarity is not Polarity.DENIED
                    and m.found.score >= (SYMPTOM_OVERRIDE if m.found.exact else floor)]
        denied = [m for m in mentions if m.polarity is Polarity.DENIED]
        best = max(admitted, key=lambda m: (m.found.exact, round(m.found.score, 1), level(m.found.span.id or "")),
                   default=None)
        if best is not None and best.found.span.id == "one_leg" and BOTH.search(text):
            # "the sciatica is in both legs now": one leg's words, said of both
            both = next(v for v in self.data.values[SYMPTOM] if v.id == "both_legs")
            span = best.found.span
            best = Mention(Found(Span(span.start, span.end, SYMPTOM, span.value, both.id, both.name), best.found.score,
                                 best.found.exact), best.polarity, best.clause)
        strong = best is not None
        needed = (EMERGENCY_OVER_NAMED if best is not None and best.found.exact else EMERGENCY_OVER_SYMPTOM) \
            if strong else self.threshold
        spoken = [c for c in clauses if not c.particle]
        if best is not None and best.found.span.id == "weight_loss" and best.found.exact and len(spoken) == 1:
            # a sentence that is one weight-loss clause ("I've had to take my belt in two notches") is read as
            # weight loss before any other reading, the overdose frame's "take ... two" included
            needed = 1.01
        if intent == EMERGENCY and confidence >= needed:
            return EMERGENCY, "emergency request", None
        asking = text.split()[0] in QUESTION_WORDS  # "what signs mean it's an emergency" asks, it does not call
        calls = (self.classify(c.text) for c in spoken) if len(spoken) > 1 and not asking else ()
        if any(said == EMERGENCY and sure >= DENIAL for said, sure in calls):
            return EMERGENCY, "an emergency request in a clause of its own", None
        if (intent == WHY and confidence >= DENIAL) or (mentions and definition_question(text)) \
                or RELEVANCE.search(text):
            # "what do you mean by bowel control": the word asked about is not a report
            keep = intent not in ANSWERS and intent != WHY and confidence >= self.threshold
            return (intent, "a question about a word", None) if keep else (WHY, "a question about the question", None)
        if best is not None:
            if intent == CHECK_IN and best.found.span.id == "duration_worsening" and not LASTING.search(text):
                # "it's getting worse": the check-in's answer (the runtime counts "worse" as the sign);
                # with how long it has lasted ("not better in weeks") it is the sign itself
                return CHECK_IN, "a check-in answer", best.found
            if intent == NO and confidence >= DENIAL and best.polarity is Polarity.UNCLEAR and len(clauses) == 1:
                return NO, "a plain denial", None
            return REPORT, f"symptom {best.found.span.id} {best.polarity.value} ({best.found.score:.2f})", best.found
        unsure = [m for m in mentions if m.polarity is not Polarity.DENIED
                  and any(d.found.span.id == m.found.span.id for d in denied)]
        if unsure:
            # the same symptom read as admitted in one place and denied in another: when unsure, send it
            found = max(unsure, key=lambda m: m.found.score).found
            return REPORT, f"symptom {found.span.id} both admitted and denied: sent", found
        if denied and intent in ANSWERS and intent != "UnsureIntent":
            weak = max(m.found.score for m in denied) < SYMPTOM_OVERRIDE
            if not (intent in (REPORT, CHECK_IN) and len(spoken) == 1 and weak):
                return NO, f"a denial of {denied[0].found.span.id}", None
        if intent in ANSWERS or confidence < DENIAL:
            answered = self._answer_without_symptom(text, intent, clauses)
            if answered is not None:
                return answered, "a " + ANSWER_REASONS[answered], None
        if confidence < self.threshold:
            return FALLBACK, f"low confidence ({confidence:.2f})", None
        return intent, "classifier", None

    def _answer_without_symptom(self, text: str, intent: str, clauses: list[Clause]) -> str | None:
        """Yes, no or unsure said in more words than the classifier learned: a double negative,
        a comparison with usual, a minimised amount, or a denial followed by its exception."""
        if double_negative(text):
            return YES
        if comparison(text):
            return UNSURE
        if minimising(text) and intent != CHECK_IN:
            return YES
        if len(clauses) == 1 and clauses[0].connective in ("only", "just") and clauses[0].body \
                and clauses[0].body.split()[0] in CONDITION_WORDS and intent != CHECK_IN:
            return YES  # "only when I sit for a long time": a hedged yes
        if len(clauses) < 2:
            return None
        head = clauses[0]
        if not (head.particle == "no" or self.classify(head.body)[0] in (NO, UNSURE)):
            return None
        for clause in clauses[1:]:
            if clause.particle:
                continue
            body = clause.body
            if not body:
                return NO if clause.connective else None  # "no but", "nope, thanks"
            said, sure = self.classify(body)
            if clause.connective in ("only", "just"):
                # what is left is a condition ("only when I cough": a hedged yes) or the back pain
                # already known ("just my back": no)
                only, _ = self.classify(f"only {body}")
                hedge = YES in (said, only) or minimising(body) or body.split()[0] in CONDITION_WORDS
                return YES if hedge else NO
            if not clause.connective:
                if head.particle == "no" and said == YES and sure >= 0.5:
                    return YES  # "no, sometimes"
                continue
            if said not in ANSWERS and sure >= 0.5 and clause.connective in ("", "but", "well", "just", "only"):
                return None  # "no, but can you give me some tips": that request
            if all(w in FILLERS or w in ("thank", "you", "thanks") for w in body.split()):
                return NO
            if said == UNSURE:
                return UNSURE
            if polarity(body, 0, len(body)) is Polarity.DENIED or said == NO:
                return NO  # "no, but I'm fine otherwise"
            if BACK_WORDS & set(body.split()):
                return NO  # "no, it's just my back": the complaint already known
            if clause.connective in ADMITTING or said == YES:
                return YES  # "no, except I can hardly stand": an exception to a denial is an admission
        return None

    def _pieces(self, utterance: str, text: str, invoked: bool) -> list[str]:
        """The utterance between punctuation marks, each piece normalised (typed input keeps commas)."""
        if invoked:
            return [text]
        pieces = [strip_fillers(normalise(piece)) for piece in PUNCTUATION.split(utterance)]
        return [p for p in pieces if p] or [text]

    def _slot_text(self, text: str) -> str:
        """Spoken times and durations the way `spoken_values` reads them: "half three" is half past
        three where people say it so; "a couple of hours" is two."""
        text = re.sub(r"\b(?:a )?couple of\b", "two", text)
        if self.locale in HALF_HOUR_LOCALES:
            text = re.sub(r"\bhalf (?=(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b)",
                          "half past ", text)
        return text


def _assign(slots: dict[str, SlotValue], names: list[str], slot_type: str, found: list[Span], text: str) -> None:
    """Put found values into the intent's slots of that type; with two slots of one type
    (startTime/endTime), the word before each value decides which is which."""
    if not found:
        return
    if len(names) == 1:
        span = found[0]
        slots[names[0]] = SlotValue(names[0], span.value, slot_type, span.id, span.name)
        return
    remaining = list(names)
    for span in found:
        before = text[:span.start].split()[-1:] or [""]
        wants_end = before[0] in ("to", "until", "till", "and", "before", "by")
        pick = next((n for n in remaining if ("end" in n.lower()) == wants_end), None) or (
            remaining[0] if remaining else None)
        if pick:
            remaining.remove(pick)
            slots[pick] = SlotValue(pick, span.value, slot_type, span.id, span.name)
