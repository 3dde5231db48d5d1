"""Redact personal data from free text (transcripts, ticket text, summaries, notes).

Each kind of value is replaced by a bracketed tag, so the sentence keeps its meaning for an AI
reader ("My card is [CARD].") and nothing identifying is left:

- card numbers: 13-19 digit runs (spaces or dashes between groups allowed) that pass the Luhn
  check; a digit run that fails it (an order or tracking number) is kept;
- emails;
- street addresses: a house number and a street name with a street-type word (`2709 Walnut St`,
  `176 Maple Ave, Ottawa K1P 5G4`), or a German/Austrian/Swiss street and number
  (`Hauptstraße 133`), with an optional unit and an optional `, City POSTCODE` tail;
- phones: whatever phonenumbers' PhoneNumberMatcher finds (any format it can read as a possible
  number, `+` international or in the default region).

Emails go first (their digits are not phones), cards before phones (a card run contains
phone-length runs), addresses before phones (a house number plus a ZIP can look like a number).
"""

from __future__ import annotations

import re

from phonenumbers import Leniency, PhoneNumberMatcher

EMAIL_TAG, CARD_TAG, PHONE_TAG, ADDRESS_TAG = "[EMAIL]", "[CARD]", "[PHONE]", "[ADDRESS]"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# 13-19 digits, single spaces or dashes allowed between digits, not inside a longer digit run
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])")

_STREET_TYPES = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    "Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Crescent|Cres|Close|"
    "Row|Alley|Plaza|Loop|Pike"
)
_UNIT = r"(?:,?\s+(?:Apt|Apartment|Unit|Suite|Ste|Flat|#)\.?\s*[\w-]+)?"
# optional ", City POSTCODE": US ZIP(+4), Canadian, UK outward+inward, 4-5 digit European codes
_CITY_POSTCODE = (
    r"(?:,\s*[A-ZÀ-Ý][\w'.\- ]{0,40}?\s+"
    r"(?:\d{5}(?:-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{4}))?"
)
_ADDRESS = re.compile(
    r"\b\d{1,6}[A-Za-z]?\s+(?:[A-Za-z0-9][\w'.\-]*\s+){0,4}?(?:"
    + _STREET_TYPES
    + r")\b\.?"
    + _UNIT
    + _CITY_POSTCODE
    + r"|\b[A-ZÄÖÜ][\wäöüß\-]*(?:straße|strasse|str\.|weg|platz|allee|gasse|ring|damm)"
    r"\s+\d{1,5}[a-z]?\b" + _CITY_POSTCODE,
    re.UNICODE,
)
_DIGITS = re.compile(r"\d")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum of a digit string (payment card numbers carry one)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return CARD_TAG if 13 <= len(digits) <= 19 and luhn_valid(digits) else match.group(0)


def _phones(text: str, region: str) -> str:
    spans = [
        (m.start, m.end)
        for m in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE, max_tries=200)
        # digits inside a code (`1Z999AA10123456784`, `trk_...`) are not a phone
        if not (m.start > 0 and text[m.start - 1].isalnum())
        and not (m.end < len(text) and text[m.end].isalnum())
        # an unformatted run of more than 11 digits is a code (FedEx tracking), not a number
        # someone dictated: national numbers are at most 11 digits, international ones carry +
        and not (m.raw_string.isdigit() and len(m.raw_string) > 11)
    ]
    for start, end in reversed(spans):
        text = text[:start] + PHONE_TAG + text[end:]
    return text


def redact_text(text: str | None, region: str = "US") -> str | None:
    """The text with card numbers, emails, street addresses and phone numbers replaced by tags."""
    if text is None:
        return None
    if "@" in text:
        text = _EMAIL.sub(EMAIL_TAG, text)
    if not _DIGITS.search(text):
        return text  # no card, address or phone without a digit: skip the expensive matchers
    text = _CARD.sub(_card, text)
    text = _ADDRESS.sub(ADDRESS_TAG, text)
    return _phones(text, region)


__all__ = ["luhn_valid", "redact_text"]
