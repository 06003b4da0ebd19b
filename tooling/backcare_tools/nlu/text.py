"""Text the NLU reads: one normal form for samples, slot values and utterances, fillers, and
the invocation phrases ("open back care coach", "ask back care coach to ...")."""

from __future__ import annotations

import re

from backcare_tools.spoken_values import UNITS, number_words

INVOCATION_NAME = "back care coach"
NEGATIONS = frozenset(("no", "not", "never", "without", "none", "nothing", "nope", "nah", "cannot", "do not",
                       "does not", "did not", "have not", "has not", "is not", "are not", "could not"))

_CONTRACTIONS = {
    "i've": "i have", "i'm": "i am", "i'd": "i would", "i'll": "i will", "can't": "cannot",
    "don't": "do not", "doesn't": "does not", "didn't": "did not",
    "won't": "will not", "isn't": "is not", "aren't": "are not", "haven't": "have not",
    "hasn't": "has not", "wasn't": "was not", "couldn't": "could not", "wouldn't": "would not",
    "shouldn't": "should not", "it's": "it is", "what's": "what is", "that's": "that is",
    "there's": "there is", "let's": "let us", "you're": "you are", "we're": "we are",
    "they're": "they are", "you've": "you have", "we've": "we have", "who's": "who is",
    "how's": "how is", "where's": "where is", "here's": "here is", "back's": "back is",
    "leg's": "leg is", "that'll": "that will", "y'know": "you know", "gonna": "going to",
    "wanna": "want to", "gotta": "got to", "kinda": "kind of", "sorta": "sort of", "pls": "please",
    "plz": "please", "cos": "because", "coz": "because", "weren't": "were not", "hadn't": "had not",
    "ain't": "am not", "mustn't": "must not", "needn't": "need not", "shan't": "shall not", "dunno": "do not know",
    "i'd've": "i would have", "nothin'": "nothing", "nothin": "nothing",
}
_ACRONYMS = {"gp": "g p", "gps": "g p", "iv": "i v", "uti": "u t i", "utis": "u t i", "a&e": "a and e",
             "mri": "m r i", "x-ray": "x ray", "xray": "x ray", "physio's": "physio", "bum's": "bum is"}
_WORDS_IN_CAPITALS = frozenset(("OK", "AM", "PM", "NO", "YES", "OH", "OW", "HI", "I"))
_FILLERS_START = ("alexa", "um", "umm", "uh", "uhh", "erm", "hmm", "well", "so", "oh", "please", "hey")
_FILLERS_END = ("please", "thanks", "thank you", "alexa", "yesterday", "last week", "last night", "recently",
                "a few days ago", "the other day", "earlier", "to be honest", "i think")


def normalise(text: str) -> str:
    """Canonical form used for samples, slot values and utterances alike."""
    # Typed acronyms are said letter by letter, as the models write them ("HIV" -> "h i v").
    text = re.sub(r"\b([A-Z]{2,4})\b", lambda m: m.group(1) if m.group(1) in _WORDS_IN_CAPITALS
                  else " ".join(m.group(1)), text)
    text = text.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    text = re.sub(r"\ba\s*&\s*e\b", "a and e", text)
    text = re.sub(r"\b([ap])\.\s?m\.?(?=\s|$)", r"\1m", text)  # p.m. -> pm
    text = re.sub(r"(?<=\d)([ap]m)\b", r" \1", text)            # 3pm -> 3 pm
    text = re.sub(r"[^a-z0-9':& ]+", " ", text)
    text = re.sub(r"(?<!\d):|:(?!\d)", " ", text)                # keep 3:30, drop other colons
    text = re.sub(r"\s'|'\s|^'|'$", " ", text)                   # quotes, not apostrophes
    words = " ".join(text.split())
    words = re.sub(r"\bcan not\b", "cannot", words)
    tokens = []
    for token in words.split():
        if token.isdigit() and len(token) <= 2:
            token = number_words(int(token))
        elif token.isdigit() and len(token) == 3:  # 911, 999, 000, 112: said digit by digit
            token = " ".join(UNITS[int(d)] for d in token)
        token = _ACRONYMS.get(token, token)
        tokens.append(_CONTRACTIONS.get(token, token))
    words = " ".join(tokens)
    words = re.sub(r"\bthe e ?r\b", "the e r", words)
    words = re.sub(r"\bthe er\b", "the e r", words)
    # "the bottom of my back" is the lower back, a place on the back, not the buttocks
    words = re.sub(r"\b(?:the )?(?:bottom|base) of (my|the|your) (back|spine)\b(?! passage)", r"\1 lower \2", words)
    return words


# Words that carry no meaning of their own inside a slot phrase.
_FUNCTION_WORDS = frozenset((
    "i", "my", "me", "a", "an", "the", "is", "are", "am", "have", "has", "had", "been", "be", "it", "its",
    "to", "of", "in", "on", "at", "around", "near", "with", "from", "off", "down", "and", "or", "so", "very",
    "really", "all",
    "got", "gone", "get",
    "getting", "keep", "keeps", "do", "does", "did", "this", "that", "there",
))
_TRAILING_WHEN = re.compile(
    r" (?:since|from|for|over) (?:yesterday|last (?:night|week|weekend)|the weekend|this morning|a few days"
    r"|a couple of days|two days|three days|a day or two|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday)$"
)


# "Now" adds no urgency of its own ("go now", "I'm on the floor now"): it is dropped before the
# intent classifier reads a sentence, from samples and utterances alike, except where it is the
# meaning ("not now", "what now", "now and then", "just now", "right now").
_NOW = re.compile(r"(?<!\bnot )(?<!\bwhat )(?<!\bfor )(?<!\buntil )(?<!\btill )(?<!\bfrom )"
                  r"(?<!\bjust )(?<!\bby )(?<!\bright )\bnow\b(?! and\b)")


def drop_now(text: str) -> str:
    dropped = " ".join(_NOW.sub(" ", text).split())
    return dropped or text


def strip_fillers(text: str) -> str:
    text = _TRAILING_WHEN.sub("", text)
    changed = True
    while changed and text:
        changed = False
        for filler in _FILLERS_START:
            rest = text[len(filler) + 1:]
            if (text.startswith(filler + " ") and " " in rest  # "uh huh" stays
                    and rest.split()[0] not in ("huh", "uh", "hmm", filler)):
                text, changed = text[len(filler) + 1:], True
        for filler in _FILLERS_END:
            if text.endswith(" " + filler):
                text, changed = text[: -len(filler) - 1], True
    return text



def parse_invocation(utterance: str, invocation_name: str = INVOCATION_NAME) -> tuple[bool, str]:
    """("open back care coach" -> (True, ""); "ask back care coach to X" -> (True, "X"))."""
    text = normalise(utterance)
    name = re.escape(invocation_name)
    launch = re.fullmatch(rf"(?:alexa )?(?:(?:please )?(?:open|launch|start|run|begin|load|use|play"
                          rf"|talk to|ask|tell|go to|enable|let us talk to|i want to talk to) )?{name}"
                          rf"(?: please)?", text)
    if launch:
        return True, ""
    one_shot = re.fullmatch(rf"(?:alexa )?(?:ask|tell|use|open|start|launch|get|have) {name}"
                            rf"(?: (?:to|for|about|if|whether|that|and|how|what|when|why))?(?: (?P<rest>.+))?",
                            text)
    if one_shot:
        rest = one_shot["rest"] or ""
        # "ask back care coach what causes..." keeps the question word
        prefix_kept = re.match(rf"(?:alexa )?\w+ {name} (how|what|when|why) ", text)
        if prefix_kept:
            rest = f"{prefix_kept.group(1)} {rest}"
        return True, rest
    suffix = re.fullmatch(rf"(?:alexa )?(?P<rest>.+?) (?:with|using|from|on|in) {name}", text)
    if suffix:
        return True, suffix["rest"]
    return False, text
