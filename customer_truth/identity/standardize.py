"""Standardisation of identity attributes: the comparable form of a phone, an email, a name, an
address, a country, and the recognition of junk values that must never link two records.

Pure functions on one value each. `dbt_plugin` wraps them as vectorised (arrow) DuckDB UDFs so
the dbt models call them in SQL; the unit tests call them directly.

Why these rules:
- Phones go through `phonenumbers` (Google's libphonenumber metadata): agents type national
  forms, extensions, `00` international prefixes and dots; only a number the library holds for
  VALID in some country is an identifier. A national number without a country code is read in
  the record's own country (its address), then in the project's default country.
- An email is an identifier only when it is syntactically an address on a real-looking domain
  and is not a placeholder (`test@test.com`, `none@none.com`, `n/a`, ...). Dots and `+tags` are
  kept: providers disagree on whether they matter, so removing them could merge two people.
- Names are compared lower-case, without accents and punctuation; nicknames are mapped to a
  formal form by the dbt seed `identity_nicknames` (data, so an enterprise can extend it).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import phonenumbers

DEFAULT_COUNTRY = "US"

# The rules' version: this module's text and libphonenumber's (whose metadata decides what is a
# valid phone). A reading memoised under another version is read again (the dbt models
# int_identity__phone_readings and int_identity__address_readings).
STANDARDISATION_VERSION = hashlib.sha256(
    Path(__file__).read_bytes() + phonenumbers.__version__.encode()
).hexdigest()[:16]

# --- phones -------------------------------------------------------------------------------

_PHONE_WORDS = re.compile(r"[a-z]{3,}")
_EXTENSION = re.compile(r"(?:ext\.?|extension|x|#)\s*\d{1,6}\s*$", re.IGNORECASE)


def _is_placeholder_digits(digits: str) -> bool:
    """0000000000, 1111111111, 1234567890, 9876543210: typed to get past a required field."""
    if len(digits) < 6:
        return True
    if len(set(digits)) == 1:
        return True
    return digits in "01234567890123456789" or digits in "98765432109876543210"


@lru_cache(maxsize=1_000_000)
def normalize_phone(raw: str | None, default_country: str | None = None) -> str | None:
    """A phone number as typed -> E.164 (`+14155550123`), or None when it is not a valid number.

    Extensions are dropped (`555.010.2233 x12`): the person is the line, not the desk.
    `default_country` (ISO-2) reads numbers typed without a country code; unknown -> US.
    """
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    body = _EXTENSION.sub("", text)
    if _PHONE_WORDS.search(body.lower()):
        return None  # `N/A`, `unknown`, `none`, `call me`
    digits = re.sub(r"\D", "", body)
    if _is_placeholder_digits(digits[-10:] if len(digits) >= 10 else digits):
        return None
    regions = []
    for region in (default_country, DEFAULT_COUNTRY):
        code = (region or "").strip().upper()
        if len(code) == 2 and code not in regions:
            regions.append(code)
    candidates = [body]
    stripped = body.lstrip()
    if stripped.startswith("00"):
        candidates.append("+" + stripped[2:])  # the `00` international prefix of most countries
    for candidate in candidates:
        for region in regions:
            try:
                number = phonenumbers.parse(candidate, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


# --- emails -------------------------------------------------------------------------------

# local@domain.tld, the practical subset of RFC 5322 that real mailboxes use
_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
# Local parts people type to get past a required field. Matched whole, on any domain.
PLACEHOLDER_EMAIL_LOCALS = frozenset(
    {
        "test", "testing", "tester", "none", "noemail", "no-email", "no_email", "nomail",
        "noreply", "no-reply", "donotreply", "do-not-reply", "na", "n.a", "null", "nil",
        "unknown", "asdf", "qwerty", "xxx", "xx", "x", "abc", "fake", "dummy", "sample",
        "example", "email", "mail", "customer", "guest", "someone", "nobody", "noone",
        "declined", "refused", "notprovided", "not-provided", "not_provided", "nothing",
    }
)  # fmt: skip
# Domains that hold no person's mailbox (RFC 2606 reserved names and typed placeholders).
PLACEHOLDER_EMAIL_DOMAINS = frozenset(
    {
        "test.com", "example.com", "example.org", "example.net", "none.com", "noemail.com",
        "nomail.com", "na.com", "null.com", "unknown.com", "email.com", "fake.com",
        "domain.com", "mailinator.com", "localhost", "invalid", "test", "example",
    }
)  # fmt: skip
_RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost", "local"})


def normalize_email(raw: str | None) -> str | None:
    """Trimmed, lower-cased and syntactically valid email, or None."""
    if raw is None:
        return None
    text = raw.strip().strip("<>").strip().lower()
    if text.startswith("mailto:"):
        text = text[len("mailto:") :]
    if not text or len(text) > 254 or not _EMAIL.fullmatch(text):
        return None
    return text


def email_junk_reason(email: str | None) -> str | None:
    """Why a normalised email must never identify a person, or None when it may."""
    if email is None:
        return None
    local, _, domain = email.rpartition("@")
    if domain in PLACEHOLDER_EMAIL_DOMAINS or domain.rsplit(".", 1)[-1] in _RESERVED_TLDS:
        return "placeholder_domain"
    if local in PLACEHOLDER_EMAIL_LOCALS:
        return "placeholder_local_part"
    if re.fullmatch(r"(.)\1*", local):
        return "placeholder_local_part"  # aaa@..., 0@...
    return None


# --- names --------------------------------------------------------------------------------

PLACEHOLDER_NAMES = frozenset(
    {
        "n a", "na", "none", "null", "unknown", "test", "testing", "customer", "guest", "x",
        "xx", "xxx", "nobody", "no name", "noname", "first", "last", "firstname", "lastname",
        "first name", "last name", "name", "mr", "mrs", "ms", "dr", "user", "anonymous",
    }
)  # fmt: skip
_TRANSLITERATE = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "þ": "th"})


def fold(text: str | None) -> str | None:
    """Lower case, accents stripped (`María` -> `maria`, `Straße` -> `strasse`)."""
    if text is None:
        return None
    lowered = text.lower().translate(_TRANSLITERATE)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_name(raw: str | None) -> str | None:
    """A comparable name: folded, apostrophes and dots removed (`O'Brien` -> `obrien`), other
    punctuation turned into spaces (`Mary-Jane` -> `mary jane`), spaces collapsed; None when
    blank or a placeholder."""
    folded = fold(raw)
    if folded is None:
        return None
    text = re.sub(r"['’`.]", "", folded)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    text = re.sub(r"\d+", " ", text)
    text = " ".join(text.split())
    if not text or text in PLACEHOLDER_NAMES:
        return None
    return text


# Family-name particles stay with the family name when a full name is split.
_PARTICLES = frozenset(
    {"de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "van", "von", "st", "ter",
     "ten", "bin", "ibn", "al", "el", "mac", "dos", "das", "zu"}
)  # fmt: skip
_COMPANY_PERSON = re.compile(r"^.*\(([^()]+)\)\s*$")
_SALUTATIONS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "mx"})


def split_full_name(raw: str | None) -> tuple[str | None, str | None]:
    """A one-field name (Stripe `name`, Zendesk `name`) -> (given, family), as delivered.

    `Company (Person)` keeps the person; `Last, First` is reversed; family-name particles stay
    with the family name (`Anna de Vries` -> (`Anna`, `de Vries`)). One word -> family only.
    """
    if raw is None:
        return None, None
    text = raw.strip()
    match = _COMPANY_PERSON.match(text)
    if match:
        text = match.group(1).strip()
    if "," in text:
        family, _, given = text.partition(",")
        given, family = given.strip(), family.strip()
        return (given or None), (family or None)
    words = text.split()
    while words and words[0].lower().rstrip(".") in _SALUTATIONS and len(words) > 1:
        words = words[1:]
    if not words:
        return None, None
    if len(words) == 1:
        return None, words[0]
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


# --- addresses ----------------------------------------------------------------------------

_STREET_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "aven": "ave", "boulevard": "blvd",
    "boul": "blvd", "drive": "dr", "drv": "dr", "road": "rd", "lane": "ln", "place": "pl",
    "court": "ct", "crt": "ct", "terrace": "ter", "terr": "ter", "circuit": "cct",
    "crescent": "cres", "cresent": "cres", "highway": "hwy", "parkway": "pkwy", "square": "sq",
    "circle": "cir", "trail": "trl", "way": "way", "close": "cl", "grove": "gr", "mount": "mt",
    "north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne", "northwest": "nw",
    "southeast": "se", "southwest": "sw", "first": "1st", "second": "2nd", "third": "3rd",
    "fourth": "4th", "fifth": "5th", "saint": "st", "strasse": "st", "platz": "pl",
    "weg": "weg", "allee": "allee", "gasse": "g",
}  # fmt: skip
_UNIT_WORDS = frozenset(
    {"apt", "apartment", "unit", "suite", "ste", "flat", "fl", "floor", "room", "rm", "no",
     "number", "num", "bldg", "building", "lot", "po", "box", "level", "lvl"}
)  # fmt: skip


def _street_tokens(folded: str) -> list[str]:
    text = folded.replace("straße", "strasse")
    # `Hauptstraße` / `Hauptstr.` -> `haupt str`: German streets glue the type to the name
    text = re.sub(r"([a-z])(strasse|str)\b\.?", r"\1 str", text)
    text = re.sub(r"[#]", " # ", text)
    text = re.sub(r"['’`]", "", text)
    text = re.sub(r"[^a-z0-9#]+", " ", text)
    return [_STREET_WORDS.get(token, token) for token in text.split()]


def normalize_street(raw: str | None) -> str | None:
    """Street line -> comparable text: folded, punctuation removed, street types and directions
    abbreviated the USPS way (`Sunset Boulevard` -> `sunset blvd`, `Hauptstraße` ->
    `haupt str`). Only the first line of a multi-line street (CRM textareas); unit parts
    (`Apt 4`, `#4`) are left out: `normalize_unit` reads them."""
    folded = fold(raw)
    if folded is None:
        return None
    first_line = folded.splitlines()[0] if folded.strip() else ""
    tokens = _street_tokens(first_line)
    kept: list[str] = []
    for token in tokens:
        if token in _UNIT_WORDS or token == "#":
            break  # `123 Main St Apt 4`: the unit starts here
        kept.append(token)
    text = " ".join(kept)
    return text or None


def _unit_of_line(line: str, *, whole_line: bool) -> str | None:
    tokens = _street_tokens(line)
    starts = [i for i, token in enumerate(tokens) if token in _UNIT_WORDS or token == "#"]
    if not starts and not whole_line:
        return None
    rest = tokens[starts[0] :] if starts else tokens
    ident = "".join(t for t in rest if t not in _UNIT_WORDS and t != "#")
    return ident or None


def normalize_unit(street: str | None, line2: str | None = None) -> str | None:
    """The unit (apartment, suite, flat) of an address -> its bare id (`Apt. 20B`, `#20B`,
    `Unit 20b` -> `20b`): from the second address line when there is one, else from the later
    lines of a multi-line street or the tail of its first line (`12 Main St Apt 4`)."""
    folded_line2 = fold(line2)
    if folded_line2 and folded_line2.strip():
        return _unit_of_line(folded_line2, whole_line=True)
    folded = fold(street)
    if not folded or not folded.strip():
        return None
    lines = [line for line in folded.splitlines() if line.strip()]
    for line in lines[1:]:
        unit = _unit_of_line(line, whole_line=True)
        if unit:
            return unit
    return _unit_of_line(lines[0], whole_line=False) if lines else None


def normalize_postal_code(raw: str | None, country: str | None = None) -> str | None:
    """Upper case without spaces or dashes; US ZIP+4 -> the 5-digit ZIP."""
    if raw is None:
        return None
    text = re.sub(r"[^0-9A-Za-z]", "", raw).upper()
    if not text or re.fullmatch(r"0+", text):
        return None
    if country == "US" and re.fullmatch(r"\d{9}", text):
        return text[:5]
    return text


_COUNTRIES = {
    "us": "US", "usa": "US", "u s": "US", "u s a": "US", "united states": "US",
    "united states of america": "US", "america": "US", "ca": "CA", "can": "CA", "canada": "CA",
    "gb": "GB", "uk": "GB", "u k": "GB", "gbr": "GB", "united kingdom": "GB",
    "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "de": "DE", "deu": "DE", "ger": "DE", "germany": "DE",
    "deutschland": "DE", "federal republic of germany": "DE", "au": "AU", "aus": "AU",
    "australia": "AU", "nz": "NZ", "new zealand": "NZ", "ie": "IE", "irl": "IE",
    "ireland": "IE", "fr": "FR", "fra": "FR", "france": "FR", "es": "ES", "esp": "ES",
    "spain": "ES", "espana": "ES", "it": "IT", "ita": "IT", "italy": "IT", "italia": "IT",
    "nl": "NL", "nld": "NL", "netherlands": "NL", "the netherlands": "NL", "holland": "NL",
    "be": "BE", "belgium": "BE", "at": "AT", "austria": "AT", "osterreich": "AT",
    "ch": "CH", "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "se": "SE",
    "sweden": "SE", "no": "NO", "norway": "NO", "dk": "DK", "denmark": "DK", "fi": "FI",
    "finland": "FI", "pl": "PL", "poland": "PL", "polska": "PL", "pt": "PT", "portugal": "PT",
    "mx": "MX", "mexico": "MX", "br": "BR", "brazil": "BR", "brasil": "BR", "in": "IN",
    "india": "IN", "jp": "JP", "japan": "JP", "cn": "CN", "china": "CN", "sg": "SG",
    "singapore": "SG", "za": "ZA", "south africa": "ZA",
}  # fmt: skip


def normalize_country(raw: str | None) -> str | None:
    """Country as delivered (`USA`, `United States`, `Deutschland`, `gb`) -> ISO 3166-1 alpha-2;
    an unknown two-letter code is kept upper-cased; anything else -> None."""
    folded = fold(raw)
    if not folded:
        return None
    key = " ".join(re.sub(r"[^a-z]+", " ", folded).split())
    if key in _COUNTRIES:
        return _COUNTRIES[key]
    if re.fullmatch(r"[a-z]{2}", key):
        return key.upper()
    return None
