"""Free-text redaction before publication: cards (Luhn), emails, phones, street addresses."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from customer_truth.privacy.dbt_plugin import register_functions
from customer_truth.privacy.redaction import luhn_valid, redact_text
from customer_truth.statements import macro


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4012888888881881",
        "5500-0000-0000-0004",
        "3782 822463 10005",  # Amex 15 digits in 4-6-5 groups
        "6011000990139424",
    ],
)
def test_luhn_valid_card_numbers_are_redacted(card: str) -> None:
    assert redact_text(f"My card is {card}, thanks.") == "My card is [CARD], thanks."


@pytest.mark.parametrize(
    "digits",
    [
        "4111 1111 1111 1112",  # one digit off: fails Luhn
        "1234567812345678",  # fails Luhn
        "9400240957139013895130",  # a 22-digit tracking number: too long for a card
    ],
)
def test_digit_runs_that_fail_luhn_or_length_are_not_cards(digits: str) -> None:
    assert "[CARD]" not in (redact_text(f"reference {digits} noted") or "")


def test_luhn_check() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


@pytest.mark.parametrize(
    "email",
    ["jessica_kelly2669342@hotmail.com", "Bob.Smith+promo@Example.co.uk", "a-b@sub.domain.org"],
)
def test_emails_are_redacted(email: str) -> None:
    assert redact_text(f"You can email me at {email}.") == "You can email me at [EMAIL]."


@pytest.mark.parametrize(
    "phone",
    [
        "555 010 2233",
        "(555) 010-2233",
        "555.010.2233",
        "+1 555 010 2233",
        "+15550102233",
        "206-555-0123 x12",
        "+44 20 7946 0958",
        "+49 171 8917484",
        "+33 1 42 68 53 00",
    ],
)
def test_phones_in_many_formats_are_redacted(phone: str) -> None:
    out = redact_text(f"My number is {phone}.")
    assert out is not None and "[PHONE]" in out
    assert not any(ch.isdigit() for ch in out), out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm at 2709 Walnut St, Seattle 98115.", "I'm at [ADDRESS]."),
        ("I'm at 176 Maple Ave, Ottawa K1P 5G4.", "I'm at [ADDRESS]."),
        ("I'm at Hauptstraße 133, München 80331.", "I'm at [ADDRESS]."),
        ("Ship to 12 Oak Street Apt 4B please", "Ship to [ADDRESS] please"),
        ("I'm at 6640 3rd Ave, New York 10011.", "I'm at [ADDRESS]."),
    ],
)
def test_street_addresses_are_redacted(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order #1234? It is 3 days late.",
        "Order #1234 shipped, tracking 1Z999AA10123456784.",
        "FedEx 834843592346 (order #52521): delivered",
        "I want to return order 100234, the boots are too small.",
        "Customer contacted about where is my order.",
    ],
)
def test_ordinary_text_and_order_references_are_kept(text: str) -> None:
    assert redact_text(text) == text


def test_none_stays_none() -> None:
    assert redact_text(None) is None


def test_the_sql_function_redacts_a_whole_column() -> None:
    con = duckdb.connect()
    register_functions(con)
    rows = con.execute(
        "select redact_text(t) from unnest(?::varchar[]) as u(t) order by 1 nulls last",
        [["card 4111 1111 1111 1111", "mail a@b.com", "plain", None]],
    ).fetchall()
    assert rows == [("card [CARD]",), ("mail [EMAIL]",), ("plain",), (None,)]


def test_the_free_text_macro_redacts_as_the_python_rule_does() -> None:
    """macros/redact_free_text.sql sends only texts holding a digit or an @ to Python: every text
    the rule changes holds one, written in any script's digits."""
    texts = [
        "call ٢١٢-٧٣٦-٠٠٠٣ now",  # Arabic-Indic digits
        "call ２１２-７３６-０００３ now",  # full-width digits
        "call 212-736-0003 now",
        "mail ann@example.org",
        "card 4111 1111 1111 1111",
        "no number here",
        None,
    ]
    con = duckdb.connect()
    register_functions(con)
    con.register("texts", pa.table({"n": list(range(len(texts))), "t": texts}))
    # the macro is code of the dbt project, rendered with a column name
    query = f"select {macro('redact_free_text', 't')} from texts order by n"  # noqa: S608
    redacted = [row[0] for row in con.sql(query).fetchall()]
    assert redacted == [redact_text(text) for text in texts]
    assert sum("[PHONE]" in (text or "") for text in redacted) == 3
