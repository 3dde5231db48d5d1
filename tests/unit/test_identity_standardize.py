"""Standardisation of identity attributes: phones, emails, names, addresses, countries."""

from __future__ import annotations

import duckdb
import pytest

from customer_truth.identity import standardize
from customer_truth.identity.dbt_plugin import register_functions


@pytest.mark.parametrize(
    ("typed", "country", "e164"),
    [
        ("(415) 555-0123", None, "+14155550123"),
        ("415.555.0123 x12", "US", "+14155550123"),
        ("+1 415 555 0123 ext. 7", None, "+14155550123"),
        ("1-415-555-0123", "US", "+14155550123"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("07911 123456", "GB", "+447911123456"),
        ("0049 1721 226349", "DE", "+491721226349"),
        ("0049 1721 226349", "US", "+491721226349"),
        ("030 12345678", "DE", "+493012345678"),
        ("+44 20 7946 0000", "US", "+442079460000"),
    ],
)
def test_a_typed_phone_becomes_e164_in_the_records_country(
    typed: str, country: str | None, e164: str
) -> None:
    assert standardize.normalize_phone(typed, country) == e164


@pytest.mark.parametrize(
    "junk", ["0000000000", "000-000-0000", "1111111111", "N/A", "unknown", "none", "", "   ", None]
)
def test_placeholder_phones_are_no_phone(junk: str | None) -> None:
    assert standardize.normalize_phone(junk, "US") is None


def test_a_national_number_without_its_country_is_not_guessed_into_another_country() -> None:
    # a UK mobile typed without +44 on a record with no address: not a valid US number
    assert standardize.normalize_phone("07911 123456", None) is None


@pytest.mark.parametrize(
    ("typed", "email"),
    [
        (" John.Smith@Gmail.com ", "john.smith@gmail.com"),
        ("JOHN.SMITH@GMAIL.COM", "john.smith@gmail.com"),
        ("mailto:ann@example-shop.de", "ann@example-shop.de"),
        ("N/A", None),
        ("unknown", None),
        ("ann@", None),
        ("ann@mail", None),
    ],
)
def test_emails_are_trimmed_lower_cased_and_validated(typed: str, email: str | None) -> None:
    assert standardize.normalize_email(typed) == email


@pytest.mark.parametrize(
    "placeholder",
    ["test@test.com", "none@none.com", "noemail@noemail.com", "na@na.com", "test@gmail.com",
     "jane@example.com", "x@company.test"],
)  # fmt: skip
def test_placeholder_emails_are_recognised(placeholder: str) -> None:
    assert standardize.email_junk_reason(standardize.normalize_email(placeholder)) is not None


def test_a_family_email_is_not_junk_it_is_a_shared_identifier() -> None:
    assert standardize.email_junk_reason("smithfamily259362@yahoo.com") is None


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("María", "maria"),
        ("O'Brien", "obrien"),
        ("Mary-Jane", "mary jane"),
        ("  de  Vries ", "de vries"),
        ("MÜLLER", "muller"),
        ("Strauß", "strauss"),
        ("N/A", None),
        ("Unknown", None),
    ],
)
def test_names_are_folded_for_comparison(typed: str, name: str | None) -> None:
    assert standardize.normalize_name(typed) == name


@pytest.mark.parametrize(
    ("full", "parts"),
    [
        ("Anna de Vries", ("Anna", "de Vries")),
        ("Acme Corp (Jane Doe)", ("Jane", "Doe")),
        ("Smith, John", ("John", "Smith")),
        ("Mr. John Smith", ("John", "Smith")),
        ("Cher", (None, "Cher")),
    ],
)
def test_one_field_names_are_split_into_given_and_family(
    full: str, parts: tuple[str | None, str | None]
) -> None:
    assert standardize.split_full_name(full) == parts


@pytest.mark.parametrize(
    ("street", "line2", "std", "unit"),
    [
        ("9438 Cedar St\nUnit 35D", None, "9438 cedar st", "35d"),
        ("220 Sunset Boulevard\nApt. 724", None, "220 sunset blvd", "724"),
        ("601 Pine Street", "#15C", "601 pine st", "15c"),
        ("123 Main St Apt 4", None, "123 main st", "4"),
        ("Hauptstraße 5", None, "haupt st 5", None),
        ("Hauptstr. 5", None, "haupt st 5", None),
    ],
)
def test_addresses_reduce_to_a_comparable_street_and_unit(
    street: str, line2: str | None, std: str, unit: str | None
) -> None:
    assert standardize.normalize_street(street) == std
    assert standardize.normalize_unit(street, line2) == unit


@pytest.mark.parametrize(
    ("typed", "iso"),
    [("USA", "US"), ("United States", "US"), ("u.s.a.", "US"), ("UK", "GB"), ("Deutschland", "DE"),
     ("Canada", "CA"), ("fr", "FR"), ("Atlantis", None)],
)  # fmt: skip
def test_countries_become_iso_codes(typed: str, iso: str | None) -> None:
    assert standardize.normalize_country(typed) == iso


def test_postal_codes_compare_without_spaces_and_zip_plus_four() -> None:
    assert standardize.normalize_postal_code("SW1A 1AA", "GB") == "SW1A1AA"
    assert standardize.normalize_postal_code("94110-1234", "US") == "94110"


def test_the_sql_functions_dbt_calls_give_the_same_answers() -> None:
    con = duckdb.connect()
    register_functions(con)
    register_functions(con)  # idempotent: a second connection setup must not fail
    row = con.sql(
        "select normalize_phone('555.010.2233 x12', null), normalize_phone('020 7946 0958', 'GB'),"
        " normalize_email_address(' A@B.CO '), email_junk_reason('test@test.com'),"
        " normalize_name('Müller'), given_name_of('Anna de Vries'),"
        " family_name_of('Anna de Vries'),"
        " normalize_country('Deutschland'), normalize_unit('1 Main St', 'Apt 4'),"
        " normalize_phone(null, 'US')"
    ).fetchall()[0]
    assert row == (
        None,  # 555-01xx is a fictional range: not a valid number
        "+442079460958",
        "a@b.co",
        "placeholder_domain",
        "muller",
        "Anna",
        "de Vries",
        "DE",
        "4",
        None,
    )


@pytest.mark.parametrize(
    ("a", "b", "one_person"),
    [
        ("samm", "sam", True),  # a letter typed twice
        ("zoee", "zoe", True),
        ("tedd", "ted", True),
        ("jhn", "john", True),  # a three-letter name with an inner letter dropped
        ("ran", "ryan", True),
        ("eva", "evan", False),  # a dropped last letter makes another name
        ("ana", "anna", True),  # (a doubled letter)
        ("dan", "dana", False),
        ("rboert", "robert", True),  # a transposition, long enough to be a typo
        ("tim", "tom", False),  # short names one edit apart are different names
        ("eric", "erica", False),  # a gendered form, not a typo
        ("jo", "joo", False),  # two letters are too few to tell
        ("sam", "sam", False),  # equal is not a typo (equality is its own level)
    ],
)
def test_given_name_typos_include_a_doubled_letter_but_not_short_names_one_edit_apart(
    a: str, b: str, one_person: bool
) -> None:
    from customer_truth.identity.matching import given_name_typo_sql

    sql = f"select {given_name_typo_sql('a', 'b')} from (select ? as a, ? as b)"  # noqa: S608
    assert duckdb.execute(sql, [a, b]).fetchone() == (one_person,)
    assert duckdb.execute(sql, [b, a]).fetchone() == (one_person,)


@pytest.mark.parametrize(
    ("left", "right", "compatible"),
    [
        (("emily", "robinson"), ("robinson", "emily"), True),  # swapped
        (("emily", "robinson"), ("robinson", "emly"), True),  # swapped, with a typo
        (("emily", "robinson"), ("robinson", "maria"), False),  # two Robinsons
        (("harry", "morgan"), ("morgan", "jonathan"), False),
        (("timothy", "roberts"), ("roberts", "tim"), True),  # swapped, with a nickname
        (("tim", "roberts"), ("timothy", "smith"), True),  # a nickname
        (("j", "roberts"), ("john", "roberts"), True),  # an initial
        (("rboert", "smith"), ("bob", "smith"), True),  # a typo of the formal name
        (("eric", "smith"), ("erica", "smith"), False),  # a gendered form
    ],
)
def test_given_names_are_compatible_when_alike_or_swapped_on_both_parts(
    left: tuple[str, str], right: tuple[str, str], compatible: bool
) -> None:
    """The rule is dbt's macro; Python renders the same macro (the pair guards of resolution)."""
    from customer_truth.statements import macro

    nicknames = {"tim": ["tim", "timothy"], "bob": ["bob", "robert"]}
    canonical = {"tim": "timothy", "bob": "robert", "rboert": "rboert"}

    def record(name: tuple[str, str]) -> list[object]:
        given, family = name
        aliases = nicknames.get(given, [given])
        return [
            given,
            canonical.get(given, given),
            aliases,
            family,
            nicknames.get(family, [family]),
        ]

    columns = "given_name_std, given_name_canonical, given_name_aliases, family_name_std, "
    columns += "family_name_aliases"
    sql = (
        f"select {macro('identity_given_names_compatible', 'a', 'b')} "  # noqa: S608
        f"from (select ?, ?, ?, ?, ?) as a({columns}), (select ?, ?, ?, ?, ?) as b({columns})"
    )
    for a, b in ((left, right), (right, left)):
        assert duckdb.execute(sql, record(a) + record(b)).fetchone() == (compatible,)
