"""Unified social credit code (统一社会信用代码), GB 32100-2015: format and check character.

An 18-character code: registration authority (1), organisation type (1), administrative division
(6), organisation code (9) and a check character (1), drawn from 0-9 and the 21 capital letters
other than I, O, Z, S and V. The check character is 31 − (Σ value_i × weight_i mod 31), with 31
written as 0, weights 3^(i) mod 31 for i = 0..16 (GB 32100-2015, §4.2 and Annex A).
"""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    if len(first17) != 17 or any(c not in CHARSET for c in first17):
        raise ValueError("the first 17 characters must come from 0-9 and A-Z without I, O, Z, S, V")
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """None when ``code`` is a well-formed code with the right check character, else what is wrong."""
    if len(code) != 18:
        return f"has {len(code)} characters; a unified social credit code has 18"
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        return f"contains {''.join(bad)}, which a unified social credit code never uses"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]}, but GB 32100-2015 gives {expected} for the first 17 characters"
    return None
