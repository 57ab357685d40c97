"""User text normalization: Unicode NFC, control characters stripped.

Text is stored and served as text, never HTML: clients render it as plain
text, so there is nothing to escape here and nothing is lost.
"""

import re
import unicodedata

# C0/C1 controls except tab and newline, and bidi overrides (the "Trojan Source"
# spoofing trick); the plain LRM/RLM marks stay, RTL writers need them.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str, *, single_line: bool = False) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    text = _CONTROLS.sub("", text)
    if single_line:
        text = text.replace("\n", " ").replace("\t", " ").strip()
    return text


# Format, control, combining and separator characters, plus the blank
# "letters" (Hangul fillers, braille blank) that impersonators use for names
# that look empty.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zs", "Zl", "Zp"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible(text: str) -> bool:
    """Whether `text` shows at least one character."""
    return any(ch not in _BLANK_LETTERS and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES for ch in text)
