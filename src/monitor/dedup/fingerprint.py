"""MinHash signatures by one-permutation hashing (empty bins borrow along a fixed probe order), and LSH keys.

Shingles are lower-cased word n-grams for space-separated scripts and character 3-grams of Hangul
(and Han/kana) runs with the spaces removed, so "수출통제" and "수출 통제" overlap. The hash is CRC-32
of the UTF-8 shingle: stable across processes and platforms, computed in C-level loops, and (measured)
as good an estimator here as BLAKE2b.
"""

from __future__ import annotations

import hashlib
import operator
import re
import struct
from collections.abc import Sequence
from functools import cache
from itertools import pairwise
from zlib import crc32

NUM_HASHES = 128
BANDS = 32
ROWS = 4
"""A pair at similarity 0.45 shares one of the 32 bands with probability 0.88 (at 0.6: 0.98; at 0.2: 0.05)."""
NEAR_DUPLICATE_THRESHOLD = 0.45
"""Estimated Jaccard similarity at or above which two texts are copies of one story (see the quality test)."""
MIN_SHINGLES = 8
SHORT_TEXT_WORDS = 25
"""Below this many words (Hangul/CJK 3-grams count as words), word 2-shingles instead of 3-shingles."""

_BIN_SHIFT = 32 - (NUM_HASHES.bit_length() - 1)  # the top bits of the 32-bit hash pick the bin
_CHARGRAM_CHARS = (  # Hangul jamo and syllables, kana, CJK ideographs: scripts written without word spaces
    "\u1100-\u11ff\u3041-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af")
_CHARGRAM_RUN = re.compile(f"[{_CHARGRAM_CHARS}]+(?:\\s+[{_CHARGRAM_CHARS}]+)*")
_WORD = re.compile(r"\w+")
_RUN_BREAK = "\u2502"  # "│", not a run character and three bytes in UTF-8 like every run character

assert NUM_HASHES == BANDS * ROWS and NUM_HASHES & (NUM_HASHES - 1) == 0


@cache
def _probe_order(bin_index: int) -> tuple[int, ...]:
    """A fixed pseudo-random order of the other bins for an empty bin to borrow from (densification)."""
    others = (j for j in range(NUM_HASHES) if j != bin_index)
    return tuple(sorted(others, key=lambda j: crc32(struct.pack("<HH", bin_index, j))))


def shingles(text: str) -> list[str]:
    """Word 3-shingles (2-shingles for short texts) plus character 3-grams over the Hangul/CJK runs, whose
    inner spaces are removed; "│" marks where one run ends and the next begins."""
    return [gram.decode() for gram in _shingle_bytes(text)]


def _shingle_bytes(text: str) -> list[bytes]:
    """The shingles as UTF-8. Every run character takes three bytes, so run 3-grams are 9-byte slices."""
    lowered = text.lower()
    runs = _CHARGRAM_RUN.findall(lowered)
    grams: list[bytes] = []
    if runs:
        joined = "".join(_RUN_BREAK.join(runs).split()).encode()
        grams = [joined[i:i + 9] for i in range(0, len(joined) - 6, 3)] or [joined]
        lowered = _CHARGRAM_RUN.sub(" ", lowered)
    words = _WORD.findall(lowered)
    if len(words) + len(grams) >= SHORT_TEXT_WORDS:
        grams.extend(map(str.encode, map(" ".join, zip(words, words[1:], words[2:], strict=False))))
    elif len(words) > 1:
        grams.extend(map(str.encode, map(" ".join, pairwise(words))))
    else:
        grams.extend(map(str.encode, words))
    return grams


def fingerprint(text: str) -> tuple[int, ...]:
    """The MinHash signature (NUM_HASHES unsigned 32-bit values), or () when the text is too short."""
    hashes = sorted(set(map(crc32, _shingle_bytes(text))), reverse=True)
    if len(hashes) < MIN_SHINGLES:  # distinct shingles: "w0 w0 w0 …" says nothing about its story
        return ()
    # Descending order, so the last write to each bin, the one that stays, is its minimum.
    minima = dict(zip(map(_BIN_SHIFT.__rrshift__, hashes), hashes, strict=True))
    if len(minima) == NUM_HASHES:
        return tuple(minima[i] for i in range(NUM_HASHES))
    return tuple(minima[i] if i in minima else minima[next(j for j in _probe_order(i) if j in minima)]
                 for i in range(NUM_HASHES))


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the two shingle sets; 0.0 when either signature is empty."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(map(operator.eq, a, b)) / len(a)


def band_keys(signature: Sequence[int]) -> list[int]:
    """One signed 64-bit key per LSH band (band index mixed in); [] for an empty signature."""
    if len(signature) != NUM_HASHES:
        return []
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS:(band + 1) * ROWS]
        digest = hashlib.blake2b(struct.pack(f"<H{ROWS}I", band, *rows), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def signature_to_bytes(signature: Sequence[int]) -> bytes:
    """Little-endian packing, 4 bytes per value."""
    return struct.pack(f"<{len(signature)}I", *signature)


def signature_from_bytes(data: bytes) -> tuple[int, ...]:
    """The inverse of signature_to_bytes."""
    return struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4])
