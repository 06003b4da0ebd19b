"""How the words around a symptom say whether it is admitted or denied (SPEC §3, "what counts as
an answer"): clauses, answer particles, and the scope of a negation.

The classifiers (learn.py) say *what* an utterance is about; this module reads *which way* it
says it, the way clinical text mining reads negation (NegEx: Chapman et al., J Biomed Inform
2001): a negation word scopes forward over a few words, up to a word that ends its scope, and
a clause of its own ("but ...", "except ...", "it's my bum that's numb") is read on its own.
Nothing here is written per phrase: it is vocabulary classes —

- NEGATORS ("no", "not", "never", "cannot", "without", "hardly") and LOSS words ("lost", "gone"),
  which negate only an ability said near them ("lost control", not "lost weight");
- ABILITY words (feeling, control, urge, movement, pee, stand, tell, notice, working ...): a
  negated ability is a symptom ("I can't feel my bum", "I haven't had a wee", "no urge to go");
- NORMAL words (fine, normal, working, better, same ...): a body part said to be fine is a denial
  ("my legs are fine"), and a negated one a symptom ("not getting better", "won't go away");
- PROBLEM words (problems, trouble, numbness, pain, leaking ...): a negated problem is a denial
  ("no bladder problems", "no trouble peeing", "I can't feel any numbness");
- HEDGES ("not sure", "I don't think", "maybe"): the reader cannot tell, so the mention is sent
  (SPEC §3: never a silent no);

— and a parity rule: each negation that scopes over the mention turns an ability into a
problem and a problem into a denial ("I haven't lost control" is a denial; "I do not have no
feeling" is not). A mention the rules cannot call a denial is ADMITTED: when unsure, send it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from enum import Enum

NEGATORS = frozenset(("no", "not", "never", "none", "nothing", "nobody", "nowhere", "neither", "nor", "cannot",
                      "without", "unable", "hardly", "barely", "scarcely"))
LOSS = frozenset(("lost", "lose", "loses", "losing", "loss", "lack", "lacking", "gone", "reducing", "reduced",
                  "decreasing", "decreased", "fading", "failing", "weakening", "deteriorating", "worse", "worsening",
                  "less"))
ABILITY = frozenset((
    "feel", "feels", "feeling", "felt", "sensation", "sensations", "sense", "aware", "urge", "need", "control",
    "controlling", "hold", "holding", "tell", "know", "knowing", "knew", "notice", "noticed", "noticing", "realise",
    "realised", "realize", "realized", "move", "moving", "movement", "strength", "use", "lift", "lifting", "lifts",
    "stand", "standing",
    "walk", "walking", "breathe", "breathing", "breath", "air", "empty", "empties", "emptying", "emptied", "able",
    "erection",
    "erections", "orgasm", "climax", "work", "works", "working", "worked", "function", "functioning", "start",
    "stop", "finish", "grip", "idea", "clue", "sleep", "slept", "sleeping", "cope", "coping", "manage", "drive",
    "dress",
))
# Said of the bladder, these are abilities only when negated ("I haven't peed"); "peeing myself" is a symptom.
ELIMINATION = frozenset(("pee", "peed", "peeing", "wee", "weed", "weeing", "urinate", "urinated", "urinating",
                         "urine", "water"))
# Said negated, these are the passing itself or getting to the toilet ("no wee will come", "I never reach the loo",
# "no warning"): the symptom, not a denial of it.
ARRIVAL = frozenset(("come", "comes", "coming", "came", "appear", "appears", "appeared", "reach", "reached", "reaching",
                     "warning", "budge", "budges", "shift", "shifts"))
ABILITY_PHRASES = ("in time", "quick enough", "fast enough", "soon enough", "get there", "got there", "get to",
                   "getting to", "got to", "get it up", "make it", "get going", "get started", "keep it in",
                   "pass water", "pass urine",
                   "comes out", "come out", "coming out", "came out", "happens", "happening", "flow", "flows",
                   "stream")
NORMAL = frozenset(("fine", "ok", "okay", "alright", "normal", "normally", "good", "grand", "perfect", "healthy",
                    "strong", "same", "unchanged", "steady", "stable", "better", "improving", "improved",
                    "improve", "away", "settle", "settles", "settled", "settling", "easing", "eased", "healed",
                    "healing", "sweet", "right"))
# "right" is a side before these words ("my right leg"), not "all right".
_SIDE_NOUNS = frozenset(("leg", "legs", "foot", "feet", "side", "arm", "hand", "one", "thigh", "calf", "knee", "hip",
                         "buttock", "cheek", "ankle", "toe", "toes", "shoulder", "now", "away", "there", "here"))
PROBLEM = frozenset((
    "problem", "problems", "trouble", "troubles", "difficulty", "difficulties", "issue", "issues", "struggle",
    "struggling", "numb", "numbness", "tingling", "tingly", "pain", "pains", "painful", "ache", "aching", "weak",
    "weakness", "wrong", "leak", "leaks", "leaking", "accident", "accidents", "incontinence", "incontinent",
    "change", "changes", "fever", "temperature", "hurt", "hurts", "hurting", "burning", "burns", "sore",
    "stinging", "stings", "dribble", "dribbles", "dribbling", "dribbled", "trickle", "trickles", "trickling",
    "strain", "straining", "weird", "strange", "different", "dead",
    "funny", "bad", "poor", "odd",
))
# Said without a negation, these nouns are the ability kept ("full control of my bladder").
ABILITY_NOUNS = frozenset(("control", "sensation", "sensations", "strength", "movement", "grip"))
HEDGES = ("not sure", "unsure", "not certain", "do not think", "did not think", "not really", "maybe", "might",
          "perhaps", "possibly", "probably", "could be", "i think", "i guess", "kind of", "sort of", "do not know if",
          "do not know whether", "cannot tell if", "cannot tell whether", "hard to say", "hard to tell",
          "not that i know", "not that i have noticed", "i suppose")
ANY_MORE = ("any more", "anymore", "no longer", "not now", "these days")  # "I don't have cancer any more"
# A negation's scope ends at these words (and at a clause boundary), or after SCOPE words.
SCOPE_ENDS = frozenset(("and", "so", "then", "also", "plus", "while", "yet"))
SCOPE = 6
# A subordinate clause ("I had no warning | before I soiled myself") is out of the scope of a negation before it.
SUBORDINATORS = frozenset(("before", "until", "till", "because", "when", "whenever", "after", "unless"))
RELATIVES = frozenset(("that", "which", "who", "where"))
QUESTION_WORDS = frozenset(("what", "which", "why", "how", "when", "where", "who", "should", "is", "are", "does", "do",
                            "can", "could", "would", "will", "shall"))

# Clauses: punctuation, and words that start a clause of their own.
_PUNCTUATION = re.compile(r"[,;:.!?]+|\s[-–—]+\s")
CONNECTIVES = ("but", "except", "apart from", "other than", "although", "though", "however", "besides", "aside from",
               "save for", "until", "till", "because", "whereas", "the only thing", "only thing", "one thing")
# After a denial, a clause opened by one of these is an admission ("no, except when I cough").
EXCEPTIONS = frozenset(("but", "except", "apart from", "other than", "although", "though", "however", "besides",
                        "aside from", "save for", "the only thing", "only thing", "one thing", "only", "just",
                        "well"))
NO_PARTICLES = frozenset(("no", "nope", "nah", "nup", "naw", "nae", "nay", "nahi", "nahin"))
YES_PARTICLES = frozenset(("yes", "yeah", "yep", "yup", "aye", "haan", "ya", "yah", "yea"))
# "no" is an answer of its own before these words ("no i can't pee", "no my legs are fine"), and a
# determiner otherwise ("no numbness").
_PARTICLE_FOLLOWERS = frozenset((
    "i", "it", "its", "my", "the", "that", "this", "there", "they", "we", "he", "she", "you", "but", "well", "except",
    "only", "just", "not", "never", "nothing", "none", "no", "nope", "sir", "madam", "mate", "ji", "thanks", "thank",
    "actually", "although", "though", "apart", "other", "one", "both", "am", "have", "do", "did", "is", "was", "yes",
    "yeah", "because", "since", "honestly", "really", "definitely", "im", "and", "or", "so", "then",
))
FILLERS = frozenset(("well", "oh", "um", "umm", "uh", "er", "erm", "mate", "ji", "sir", "madam", "eh", "yaar", "bro",
                     "la", "lah", "honestly", "actually", "thanks", "look", "so", "hmm"))


class Polarity(Enum):
    ADMITTED = "admitted"
    DENIED = "denied"
    UNCLEAR = "unclear"  # hedged: sent as the symptom, like an admission


@dataclass(frozen=True)
class Clause:
    text: str        # the clause's words, its connective included
    body: str        # without the connective
    connective: str  # the word that opened it ("but", "except", "only"), or ""
    particle: str    # "no" or "yes" when the clause is only an answer particle, else ""


def _has(words: list[str], phrase: str) -> bool:
    return f" {phrase} " in f" {' '.join(words)} "


def split_clauses(pieces: list[str]) -> list[Clause]:
    """Clauses of an utterance given as normalised pieces (the text between punctuation marks)."""
    clauses: list[Clause] = []
    for piece in pieces:
        words = piece.split()
        # a leading answer particle is a clause of its own
        while words and words[0] in FILLERS and len(words) > 1:
            words = words[1:]
        if len(words) > 1 and (words[0] in NO_PARTICLES - {"no"} or words[0] in YES_PARTICLES
                               or (words[0] == "no" and words[1] in _PARTICLE_FOLLOWERS)):
            clauses.append(Clause(words[0], words[0], "", "no" if words[0] in NO_PARTICLES else "yes"))
            words = words[1:]
        question = bool(words) and words[0] in QUESTION_WORDS
        start, i = 0, 0
        while i < len(words):
            found = next((c for c in CONNECTIVES if words[i:i + len(c.split())] == c.split()), None)
            # "... and it barely trickles out": "and" between two statements of three words or more
            mid_and = words[i] == "and" and i - start >= 3 and len(words) - i - 1 >= 3
            mid_it = (i - start >= 2 and words[i:i + 2] in (["it", "is"], ["it", "was"]) and not question
                      and words[i - 1] not in ("if", "that", "what", "how", "when", "where", "why", "think", "know",
                                               "say", "said", "because", "whether", "sure", "mean", "means"))
            if (found or mid_it or mid_and) and i > start:
                clauses.append(_clause(words[start:i]))
                start = i
            i += len(found.split()) if found else 1
        if start < len(words):
            clauses.append(_clause(words[start:]))
    return [c for c in clauses if c.text]


def _clause(words: list[str]) -> Clause:
    text = " ".join(words)
    connective = next((c for c in sorted(EXCEPTIONS | set(CONNECTIVES), key=len, reverse=True)
                       if text == c or text.startswith(c + " ")), "")
    body = text[len(connective):].strip() if connective else text
    body_words = [w for w in body.split() if w not in FILLERS] or body.split()
    particle = ""
    if len(body_words) == 1 and body_words[0] in NO_PARTICLES:
        particle = "no"
    elif len(body_words) == 1 and body_words[0] in YES_PARTICLES:
        particle = "yes"
    return Clause(text, body, connective, particle)


def _normal_at(words: list[str], i: int) -> bool:
    return words[i] in NORMAL and not (words[i] == "right" and words[i + 1:i + 2] and words[i + 1] in _SIDE_NOUNS)


STEADILY = frozenset(("always", "still", "easily"))


def _ability_phrase_at(words: list[str], i: int) -> bool:
    return any(words[i:i + len(p.split())] == p.split() for p in ABILITY_PHRASES)


def _ability_at(words: list[str], i: int, *, negated: bool) -> bool:
    word = words[i]
    if word in ABILITY or _normal_at(words, i) or (negated and (word in ELIMINATION or word in ARRIVAL)):
        return True
    return any(words[i:i + len(p.split())] == p.split() for p in ABILITY_PHRASES)


_DETERMINERS = frozenset(("any", "the", "this", "that", "a", "an", "my", "no", "much", "some", "real", "such"))
# Negating these says the symptom was not intended ("I'm not trying to lose weight"), not absent.
INTENT = frozenset(("trying", "try", "tried", "meaning", "mean", "meant", "intending", "planning", "wanting", "want",
                    "dieting", "diet", "deliberately", "purpose", "expecting"))


def _absorbed(words: list[str], i: int) -> bool:
    """An ability whose object is a problem ("feel any numbness", "stand this pain") is that problem."""
    for w in words[i + 1:i + 4]:
        if w in PROBLEM:
            return True
        if w not in _DETERMINERS:
            return False
    return False


def _modal(words: list[str], i: int) -> bool:
    """"Can't X", "unable to X", "can hardly X", "couldn't X": whatever X is, it is an ability."""
    word, before = words[i], words[i - 1] if i else ""
    able = words[i + 1:i + 2] == ["able"]
    return (word in ("cannot", "unable") or (word == "not" and (before in ("can", "could") or able))
            or (word in ("hardly", "barely", "scarcely") and before in ("can", "could")))


def _is_negator(words: list[str], i: int, mention: tuple[int, int]) -> bool:
    word = words[i]
    if word in LOSS:
        near = range(max(0, i - 4), min(len(words), i + 5))
        return any(j != i and _ability_at(words, j, negated=True) for j in near)
    if word == "without":  # "without trying" says nothing of the symptom; "without knowing" does
        after = range(i + 1, min(len(words), i + 4))
        return any(_ability_at(words, j, negated=True) or words[j] in PROBLEM for j in after) or (
            mention[0] > i and mention[0] - i <= 3)
    if word == "no" and words[i + 1:i + 3] == ["more", "than"]:
        return False  # a comparison ("no more than usual"), read by `comparison`
    return word in NEGATORS or word == "not"


def polarity(clause: str, start: int, end: int, *, exact: bool = False) -> Polarity:
    """Whether the words of `clause` admit or deny the mention at character offsets [start, end).
    `exact`: the mention is one of the models' own ways of saying the symptom, so the negations
    inside it ("can't pee", "nothing comes out") are part of the symptom: only the words before
    it can deny it ("I haven't [lost control of my bladder]")."""
    words = clause.split()
    first = len(clause[:start].split())
    last = max(first + 1, len(clause[:end].split()))
    if any(_has(words, h) for h in HEDGES) or _question_of_normal(words):
        return Polarity.ADMITTED if _question_of_normal(words) else Polarity.UNCLEAR
    # negations before the mention scope forward over it; after it, one in its own predicate
    # does too ("my legs are not weak", "my leg strength is reducing"), up to a word that ends
    # the predicate ("a cushion that isn't there")
    until = last
    if not exact:
        while until < len(words) and words[until] not in SCOPE_ENDS | RELATIVES:
            until += 1
    negators = []
    for i in range(first if exact else until):
        if not _is_negator(words, i, (first, last)):
            continue
        if _intended(words, i):
            continue  # "not trying to lose weight": the weight loss stands
        inside = i >= first
        ended = any(w in SCOPE_ENDS or w in SUBORDINATORS for w in words[i + 1:first])
        if inside or (first - i <= SCOPE and not ended):
            negators.append(i)
    if not negators:
        if exact:
            return Polarity.ADMITTED
        # a body part said to be fine or working, or "I can feel everything": a denial (the word
        # said of the mention itself, not of something after "and": "dropping off and I'm eating normally")
        near = []
        for j in range(first, min(len(words), last + 4)):
            if j >= last and words[j] in SCOPE_ENDS:
                break
            near.append(j)
        normal = any((_normal_at(words, j) or words[j] in ABILITY_NOUNS) and not _absorbed(words, j)
                     and words[j - 1:j] != ["than"] for j in near)
        can = any(words[j] == "can" and any(w in ABILITY for w in words[j + 1:j + 3]) for j in range(len(words)))
        # "I always make it to the loo in time": getting there, said to happen always, with no problem said
        always = any(words[j] in STEADILY and any(_ability_phrase_at(words, k) for k in range(j + 1, j + 4))
                     for j in range(len(words))) and not any(w in PROBLEM for w in words)
        return Polarity.DENIED if normal or can or always else Polarity.ADMITTED
    if any(_has(words, p) for p in ANY_MORE) and not any(words[j] in NORMAL for j in range(len(words))):
        return Polarity.ADMITTED  # "I don't have cancer any more": it was there
    innermost = negators[-1]
    if innermost == len(words) - 1 and innermost >= first:
        # "... but I can't": the ability is left unsaid, and what is negated is what came before
        return Polarity.ADMITTED
    segment = list(range(innermost + 1, first if exact else len(words)))
    if words[innermost] in LOSS:  # "the feeling has gone": the ability may come first
        segment = list(range(max(0, innermost - 4), innermost)) + segment
    state = "problem"
    if _modal(words, innermost):
        # "I can't get enough air", "I can hardly get out of bed": the verb after is an ability,
        # unless its object is a problem ("I can't feel any numbness")
        verb = next((j for j in range(innermost + 1, len(words)) if words[j] not in ("to", "really", "even", "be")),
                    None)
        state = "problem" if verb is not None and (words[verb] in PROBLEM or _absorbed(words, verb)) else "normal"
    else:
        for j in segment:
            if words[j] in SCOPE_ENDS and j > last:
                break
            if words[j] in PROBLEM:
                if words[innermost] in ("hardly", "barely", "scarcely"):
                    negators = negators[:-1]  # "it barely trickles out": a degree, not a denial
                break
            if _ability_at(words, j, negated=True) and not _absorbed(words, j):
                state = "normal"
                break
    flips = len(negators) % 2
    normal = (state == "normal") != bool(flips)
    return Polarity.DENIED if normal else Polarity.ADMITTED


def _intended(words: list[str], i: int) -> bool:
    after = [w for w in words[i + 1:i + 4] if w not in ("really", "even", "on", "a", "to", "been")]
    return bool(after) and after[0] in INTENT


def _question_of_normal(words: list[str]) -> bool:
    """"Is it normal to wet yourself?": a question, not a statement that all is normal."""
    text = " ".join(words)
    return bool(re.search(r"\b(?:is|are) (?:it|that|this|they) (?:normal|ok|okay|alright|fine)\b", text))


# --- answers that carry no symptom -----------------------------------------------------------------

DEGREE = frozenset(("much", "many", "major", "serious", "lot", "loads", "heaps", "big", "bad", "significant",
                    "worth", "speak", "mention", "mentioning", "great", "huge", "terrible", "awful", "severe"))
_COMPARED = ("usual", "normal", "before", "always", "ever", "average", "it usually", "i usually", "it used to",
             "other days", "most days")
MINIMISERS = frozenset(("not", "nothing", "none", "no", "hardly", "barely", "scarcely"))


def minimising(text: str) -> bool:
    """'Not much', 'nothing major', 'hardly any': a small amount is still some (a hedged yes)."""
    words = [w for w in text.split() if w not in FILLERS]
    if not words or len(words) > 6 or words[0] not in MINIMISERS:
        return False
    if words[0] in ("hardly", "barely", "scarcely"):
        return len(words) > 1 and words[1] in ("any", "anything", "ever", "at", "there")
    return any(w in DEGREE for w in words[1:4]) and not _has(words, "at all")


def comparison(text: str) -> bool:
    """'No more than usual', 'not any worse than normal': as usual, which is neither yes nor no."""
    words = text.split()
    for i, word in enumerate(words):
        if word in ("no", "not", "nothing") and ("more" in words[i + 1:i + 4] or "worse" in words[i + 1:i + 4]):
            rest = words[i + 1:]
            if "than" in rest:
                after = " ".join(rest[rest.index("than") + 1:][:4])
                if any(re.search(rf"\b{c}\b", after) for c in _COMPARED):
                    return True
    return False


def double_negative(text: str) -> bool:
    """'I can't say I haven't', 'not never', 'I don't not have it': two negations make a yes.
    A repeated denial ("no, I don't", "never, never") is not one."""
    words = [w for w in text.split() if w not in FILLERS]
    while words and words[0] in NO_PARTICLES | YES_PARTICLES:
        words = words[1:]
    while words and words[-1] in NO_PARTICLES | YES_PARTICLES:
        words = words[:-1]
    if len(words) > 10 or any(_has(words, h) for h in HEDGES if h not in ("i think",)):
        return False
    positions = [i for i, w in enumerate(words) if w in NEGATORS or w == "not"]
    if any(w in SCOPE_ENDS for w in words):
        return False
    for a, b in itertools.pairwise(positions):
        # "I wouldn't say I don't": a verb of saying or thinking between makes even the same word two negations
        reported = any(w in ("say", "said", "saying", "claim", "pretend", "think", "thought") for w in words[a + 1:b])
        same = words[a] == words[b] and not (words[a] == "not" and b == a + 1) and not reported
        if not same and b - a <= SCOPE:
            return True
    return False


_DEFINITION = re.compile(r"^(?:(?:sorry|so|and|but|ok|okay|wait|hang on) )*"
                         r"(?:what is|what are|what does|what do you mean"
                         r"|what do you count|what counts|what would count|what exactly|what is meant|what kind of"
                         r"|define|meaning of|explain|what sort of|how do you mean)\b")
_FIRST_PERSON = frozenset(("i", "my", "me", "mine", "myself", "im"))


def definition_question(text: str) -> bool:
    """"What's saddle numbness?", "what do you mean by bowel control?": a question about a word of
    the question, not a report. With "I" or "my" in it, it is about the speaker ("what does it
    mean if I can't pee") and stays a report."""
    return bool(_DEFINITION.match(text)) and not _FIRST_PERSON & set(text.split())
