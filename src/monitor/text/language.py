"""Language of an item from its own text (not the feed's <language>): ISO 639-1 code or "und"."""

from __future__ import annotations

import re
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

CANDIDATES = (Language.DUTCH, Language.ENGLISH, Language.KOREAN, Language.GERMAN, Language.FRENCH,
              Language.JAPANESE, Language.CHINESE)
SAMPLE_CHARS = 400
"""Lingua's cost is linear in length (~0.35 µs a character); 400 characters (~60 words) decide the language."""
MIN_LETTERS = 20
HANGUL_SHARE = 0.3
UNDETERMINED = "und"

_LETTER = re.compile(r"[^\W\d_]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
_HINT = re.compile(r"[a-z]{2,3}")


def detect_language(text: str, hint: str = "") -> str:
    """The ISO 639-1 code ("nl", "en", "ko", ...); with too little text the hint's language, else "und"."""
    sample = text[:SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if letters < MIN_LETTERS:
        return _from_hint(hint)
    if len(_HANGUL.findall(sample)) >= HANGUL_SHARE * letters:
        return "ko"
    found = _detector().detect_language_of(sample)
    return found.iso_code_639_1.name.lower() if found is not None else _from_hint(hint)


def _from_hint(hint: str) -> str:
    """The primary subtag of a language hint ("nl-NL" → "nl"), or "und"."""
    primary = (hint or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if _HINT.fullmatch(primary) else UNDETERMINED


@cache
def _detector() -> LanguageDetector:
    """Built once, on first use. Low-accuracy mode (trigrams only): 35x faster on a 60-character title,
    the same speed on long text, and as accurate on the labelled set."""
    return LanguageDetectorBuilder.from_languages(*CANDIDATES).with_low_accuracy_mode().build()
