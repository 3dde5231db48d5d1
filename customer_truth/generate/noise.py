"""Identity noise: how a person's true identity ends up typed into one source record.

A `Typist` belongs to one record. It decides once how that record types names, emails and
phones (a nickname, a typo, odd case, an extension, a placeholder, ...) so every version of the
record types them the same way, and it remembers which noise kinds it applied: only noise that
reaches a record is counted.
"""

from __future__ import annotations

import random

from customer_truth.generate import phones
from customer_truth.generate.people import Person
from customer_truth.generate.reference import (
    COMPANY_PHONE_TYPED,
    FEMALE,
    MALE,
    PLACEHOLDER_EMAILS,
    PLACEHOLDER_PHONES,
)
from customer_truth.generate.rng import Dice

NICKNAMES = {**MALE, **FEMALE}


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    how = rng.randrange(3)
    if how == 0:  # a letter dropped
        return word[:i] + word[i + 1 :]
    if how == 1:  # a letter doubled
        return word[:i] + word[i] + word[i:]
    swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped
    return swapped if swapped != word else word[:i] + word[i + 1 :]


class Typist:
    __slots__ = (
        "rng",
        "person",
        "applied",
        "nick",
        "typo",
        "swap",
        "email_case",
        "email_ws",
        "email_placeholder",
        "phone_ext",
        "drop_cc",
        "phone_placeholder",
        "company_phone",
        "style",
    )

    def __init__(self, rng: random.Random, dice: Dice, person: Person, *, agent: bool) -> None:
        self.rng = rng
        self.person = person
        self.applied: list[str] = []
        nicks = NICKNAMES.get(person.given_name, ())
        self.nick = rng.choice(nicks) if dice.hit("nickname") and nicks else None
        self.typo = dice.hit("name_typo")
        self.swap = dice.hit("swapped_names")
        self.email_case = dice.hit("email_case")
        self.email_ws = dice.hit("email_whitespace")
        self.email_placeholder = dice.hit("placeholder_email")
        # agents type extensions and, by mistake, the company's own number
        ext, company = dice.hit("phone_extension"), dice.hit("company_phone")
        self.phone_ext = agent and ext
        self.company_phone = agent and company
        self.drop_cc = dice.hit("phone_missing_country_code")
        self.phone_placeholder = dice.hit("placeholder_phone")
        self.style = rng.getrandbits(32)

    def _note(self, kind: str) -> None:
        if kind not in self.applied:
            self.applied.append(kind)

    def names(self, t: int) -> tuple[str, str]:
        """(first, last) as this record holds them for a record written at time `t`."""
        p = self.person
        first = p.given_name
        if self.nick:
            first = self.nick
            self._note("nickname")
        last = p.family_name_at(t)
        if last != p.family_name:
            self._note("married_name")
        if self.typo:
            r = random.Random(self.style)
            if r.random() < 0.7:
                last = _typo(r, last)
            else:
                first = _typo(r, first)
            self._note("name_typo")
        if self.swap:
            self._note("swapped_names")
            return last, first
        return first, last

    def email(self, address: str | None) -> str | None:
        if address is None:
            return None
        if self.email_placeholder:
            self._note("placeholder_email")
            return PLACEHOLDER_EMAILS[self.style % len(PLACEHOLDER_EMAILS)]
        text = address
        if self.email_case:
            self._note("email_case")
            local, _, domain = text.partition("@")
            text = (
                text.upper()
                if self.style % 3 == 0
                else local[:1].upper() + local[1:] + "@" + domain.capitalize()
            )
        if self.email_ws:
            self._note("email_whitespace")
            text = (" " + text, text + " ", " " + text + "  ")[self.style % 3]
        return text

    def phone(self, e164: str | None, *, main: bool = True) -> str | None:
        """The number as typed. `main`: the record's primary phone field (where agents put
        placeholders and, by mistake, the company's number)."""
        if e164 is None:
            return None
        if main and self.phone_placeholder:
            self._note("placeholder_phone")
            return PLACEHOLDER_PHONES[self.style % len(PLACEHOLDER_PHONES)]
        if main and self.company_phone:
            self._note("company_phone")
            return COMPANY_PHONE_TYPED[self.style % len(COMPANY_PHONE_TYPED)]
        r = random.Random(f"{self.style}{e164}")
        foreign = not e164.startswith("+1")
        drop = self.drop_cc and foreign
        if drop:
            self._note("phone_missing_country_code")
        if self.phone_ext and main:
            self._note("phone_extension")
        if e164 == self.person.recycled_number:
            self._note("recycled_phone")
        return phones.typed(r, e164, self.phone_ext and main, drop)

    def phone_key(self, e164: str | None, *, main: bool = True) -> str | None:
        """The key the typed number offers a resolver: none when `phone` typed a placeholder
        or the company's number in its place."""
        if main and (self.phone_placeholder or self.company_phone):
            return None
        return phone_key(e164)

    def e164(self, e164: str | None) -> str | None:
        """Systems that normalise phones (Shopify, Connect) store E.164; only the number
        itself can be wrong (recycled)."""
        if e164 is not None and e164 == self.person.recycled_number:
            self._note("recycled_phone")
        return e164


def email_key(value: str | None) -> str | None:
    """The normalised identifier an email value offers a resolver, or None for junk."""
    if not value:
        return None
    v = value.strip().lower()
    if "@" not in v or v in PLACEHOLDER_EMAILS:
        return None
    return "email:" + v


def phone_key(e164: str | None) -> str | None:
    return None if not e164 else "phone:" + e164
