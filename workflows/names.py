"""Matching people and collectives by name across imported and recorded awards."""

from __future__ import annotations

import re
import unicodedata

# Combining tone marks in NFD: grave, acute, tilde, hook above, dot below.
_TONE = "\u0300\u0301\u0303\u0309\u0323"
# Open syllables ending in oa, oe, uy are written both ways ("hòa"/"hoà", "Thúy"/"Thuý"):
# move the tone onto the second vowel so both spellings give one key.
_OLD_STYLE_TONE = re.compile(rf"(o)([{_TONE}])([ae])(?!\w)|(u)([{_TONE}])(y)(?!\w)")


def _second_vowel_tone(match: re.Match[str]) -> str:
    first, tone, second = (g for g in match.groups() if g is not None)
    return first + second + tone


def nominee_key(name: str) -> str:
    """The matching key of a nominee's name: lower-case, NFC, single spaces, one tone placement.

    "  Nguyễn Thị  THUÝ " and "nguyễn thị thúy" give the same key.
    """
    decomposed = unicodedata.normalize("NFD", name).lower()
    decomposed = _OLD_STYLE_TONE.sub(_second_vowel_tone, decomposed)
    return " ".join(unicodedata.normalize("NFC", decomposed).split())


def folded(text: str) -> str:
    """A search key that ignores case, diacritics and spacing: what a person types without
    Vietnamese marks still finds the name ("truong thpt le van tam" finds "Trường THPT Lê
    Văn Tám"). "đ" has no combining mark to drop, so it becomes "d" by hand."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())
