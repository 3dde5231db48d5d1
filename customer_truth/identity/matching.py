"""Probabilistic matching: the Splink (Fellegi-Sunter) model, its features and its scoring.

The model compares what the standardised records hold (names, birth date, email, phones,
address) and scores every pair the blocking rules propose. It is trained by `training` and
versioned as Splink JSON in `models/`; `score_pairs` loads it and scores on an in-memory DuckDB
connection, so the warehouse is never locked by Splink's scratch tables.

Design choices that matter:
- Shared identifiers (`int_identity__identifier_usage.is_shared`: a household landline, a family
  email) get their own comparison levels, so the model learns that agreeing on one is weak
  evidence; agreeing on a personal one is strong.
- Given names compare through the nickname seed (Bob / Robert) and catch swapped first/last
  names; family names keep a level of their own for fuzzy agreement (typos, transliteration).
- Term-frequency adjustments on names and addresses: agreeing on "smith" says less than
  agreeing on "okonkwo", and a building with many residents says less than a house.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from customer_truth.identity.statements import macro, statement
from customer_truth.warehouse import connect

if TYPE_CHECKING:
    from splink.internals.blocking_rule_creator import BlockingRuleCreator
    from splink.internals.comparison_creator import ComparisonCreator

MODELS_DIR = Path(__file__).parent / "models"
MODEL_VERSION = "identity_splink_v1"
DEFAULT_MODEL_PATH = MODELS_DIR / f"{MODEL_VERSION}.json"

# Pairs scoring below this are not kept at all (evidence keeps everything above it).
SCORE_FLOOR = 0.01


def _level(sql: str, label: str, *, null: bool = False, tf: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


def _comparison(name: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "output_column_name": name,
        "comparison_description": name,
        "comparison_levels": [*levels, {"sql_condition": "ELSE", "label_for_charts": "else"}],
    }


def given_name_typo_sql(a: str, b: str) -> str:
    """SQL: given names `a` and `b` (column expressions) are one typing error apart: the dbt
    macro identity_given_name_typo, the rule's one definition."""
    return macro("identity_given_name_typo", a, b)


_SWAPPED = "given_name_l = family_name_r and family_name_l = given_name_r"
_GIVEN_NICKNAME = (
    "(given_canonical_l = given_canonical_r or list_has_any(given_aliases_l, given_aliases_r))"
)
_GIVEN_TYPO = given_name_typo_sql("given_name_l", "given_name_r")
_FAMILY_TYPO = "jaro_winkler_similarity(family_name_l, family_name_r) >= 0.92"

COMPARISONS: list[ComparisonCreator | dict[str, Any]] = [
    # One comparison for the whole name, so a swapped or partly matching name is weighed once.
    _comparison(
        "name",
        [
            _level(
                "(given_name_l is null and family_name_l is null) "
                "or (given_name_r is null and family_name_r is null)",
                "null",
                null=True,
            ),
            _level("full_name_l = full_name_r", "exact", tf="full_name"),
            _level(_SWAPPED, "first and last name swapped"),
            _level(
                "jaro_winkler_similarity(given_name_l, family_name_r) >= 0.9 "
                "and jaro_winkler_similarity(family_name_l, given_name_r) >= 0.9",
                "swapped, with a typo",
            ),
            _level(
                f"{_GIVEN_NICKNAME} and family_name_l = family_name_r",
                "nickname, same family name",
            ),
            _level(
                f"({_GIVEN_TYPO} and family_name_l = family_name_r) "
                f"or (given_name_l = given_name_r and {_FAMILY_TYPO})",
                "one part exact, the other a typo apart",
            ),
            _level(
                f"({_GIVEN_TYPO} or {_GIVEN_NICKNAME}) and {_FAMILY_TYPO}",
                "both parts a typo apart",
            ),
            _level(
                "family_name_l = family_name_r and (given_name_l is null or given_name_r is null "
                "or ((length(given_name_l) = 1 or length(given_name_r) = 1) "
                "and left(given_name_l, 1) = left(given_name_r, 1)))",
                "same family name, given name missing or an initial",
            ),
            _level(
                f"given_name_l = given_name_r or {_GIVEN_NICKNAME}",
                "same given name, other family name",
            ),
            _level(
                "family_name_l = family_name_r "
                "and jaro_winkler_similarity(given_name_l, given_name_r) >= 0.8",
                "same family name, similar given name",
            ),
            _level(
                "family_name_l = family_name_r",
                "same family name, other given name",
            ),
            _level(
                "jaro_winkler_similarity(given_name_l, given_name_r) >= 0.8 "
                "and jaro_winkler_similarity(family_name_l, family_name_r) >= 0.8",
                "both parts similar",
            ),
        ],
    ),
    _comparison(
        "birth_date",
        [
            _level("birth_date_l is null or birth_date_r is null", "null", null=True),
            _level("birth_date_l = birth_date_r", "exact"),
            _level(
                "damerau_levenshtein(birth_date_l, birth_date_r) <= 1 "
                "or (substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) "
                "and substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) "
                "and substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2))",
                "one typo or day and month swapped",
            ),
            _level("substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)", "same year"),
        ],
    ),
    _comparison(
        "email",
        [
            _level("email_l is null or email_r is null", "null", null=True),
            _level("email_l = email_r and not email_is_shared_l", "exact, personal"),
            _level("email_l = email_r", "exact, shared by several people"),
            _level("email_local_l = email_local_r", "same mailbox name, other domain"),
            # a typo of one address, not a similar address: people's addresses are built from
            # their names, so namesakes' addresses are close in Jaro-Winkler terms
            _level("damerau_levenshtein(email_l, email_r) <= 1", "one typo apart"),
        ],
    ),
    _comparison(
        "phone",
        [
            _level("phones_l is null or phones_r is null", "null", null=True),
            _level("list_has_any(phones_personal_l, phones_personal_r)", "shared personal number"),
            _level("list_has_any(phones_l, phones_r)", "shared number of several people"),
        ],
    ),
    _comparison(
        "address",
        [
            _level(
                "(street_l is null or street_r is null) and (postal_code_l is null "
                "or postal_code_r is null) and (city_l is null or city_r is null)",
                "null",
                null=True,
            ),
            _level("address_key_l = address_key_r", "exact", tf="address_key"),
            _level(
                "street_l = street_r and (postal_code_l = postal_code_r or city_l = city_r)",
                "same street, other unit",
            ),
            _level(
                "jaro_winkler_similarity(street_l, street_r) >= 0.9 "
                "and (postal_code_l = postal_code_r or city_l = city_r)",
                "street typo, same postal code or city",
            ),
            _level(
                "jaro_winkler_similarity(street_l, street_r) >= 0.9 "
                "and damerau_levenshtein(postal_code_l, postal_code_r) <= 1",
                "street and postal code each a typo apart",
            ),
            _level("street_l = street_r", "same street, other postal code and city"),
            _level("postal_code_l = postal_code_r", "same postal code", tf="postal_code"),
            _level("city_l = city_r", "same city", tf="city"),
        ],
    ),
]

# Candidate pairs: any one of these puts a pair in front of the model.
# Candidate rules on a name alone (or a name and a postal code) look for the matches that
# nothing else finds. A pair that AGREES on an email, phone or address is found by those
# rules; a pair that DISAGREES on one (both sides have it, and it differs) is a namesake for
# any model (a name weighs less than an email, phone or address that differs), and namesakes
# are most of the name blocks of a large enterprise: they are not even compared.
_CONTACT_CONFLICT = (
    "((l.email is not null and r.email is not null and l.email <> r.email)"
    " or (l.phones is not null and r.phones is not null"
    " and not list_has_any(l.phones, r.phones)))"
)
_ADDRESS_CONFLICT = (
    "(l.postal_code is not null and r.postal_code is not null"
    " and l.postal_code <> r.postal_code and coalesce(l.street <> r.street, true)"
    " and coalesce(l.city <> r.city, true))"
)
_NAMESAKES = f"({_CONTACT_CONFLICT} or {_ADDRESS_CONFLICT})"

# Each rule earns its place: in a generated enterprise, email and the name find nearly every
# match; the address rules find the matches whose names carry typos or were replaced (FEBRL).
BLOCKING_RULES: list[BlockingRuleCreator | str] = [
    block_on("email"),
    block_on("phones", arrays_to_explode=["phones"]),
    f"l.given_canonical = r.given_canonical and l.family_name = r.family_name and not {_NAMESAKES}",
    f"l.given_name = r.family_name and l.family_name = r.given_name and not {_NAMESAKES}",
    f"l.family_name = r.family_name and l.postal_code = r.postal_code and not {_CONTACT_CONFLICT}",
    f"l.given_canonical = r.given_canonical and l.postal_code = r.postal_code "
    f"and not {_CONTACT_CONFLICT}",
    block_on("address_key"),
    block_on("family_name", "birth_date"),
    block_on("given_canonical", "birth_date"),
    # both names mistyped, or swapped with a typo (SOURCES.md: typos, swapped first and last
    # names): the birth date (a CRM contact field) with the postal code, or with one name
    # written in the other's place (a pair on one street is found by the street rule below)
    block_on("birth_date", "postal_code"),
    "l.birth_date = r.birth_date "
    "and (l.given_name = r.family_name or l.family_name = r.given_name)",
    block_on("street"),
    # both names mistyped: the initials and the postal code
    "l.postal_code = r.postal_code and substr(l.given_name, 1, 1) = substr(r.given_name, 1, 1) "
    "and substr(l.family_name, 1, 1) = substr(r.family_name, 1, 1) "
    f"and not {_CONTACT_CONFLICT}",
    "l.family_name = r.family_name and l.city = r.city "
    f"and substr(l.given_name, 1, 1) = substr(r.given_name, 1, 1) and not {_NAMESAKES}",
]


def settings_creator() -> SettingsCreator:
    """The untrained model: comparisons and blocking rules (training fills in m and u)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=COMPARISONS,
        blocking_rules_to_generate_predictions=list(blocking_rules_json()),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["source_system"],
        max_iterations=25,
        em_convergence=0.0001,
    )


def blocking_rules_json() -> list[dict[str, Any]]:
    """BLOCKING_RULES as Splink settings JSON: prediction always blocks with the code's
    rules, whatever the model file was trained with."""
    rules = []
    for rule in BLOCKING_RULES:
        if isinstance(rule, str):
            rules.append({"blocking_rule": rule, "sql_dialect": "duckdb"})
        else:
            rules.append(rule.get_blocking_rule("duckdb").as_dict())
    return rules


def build_features(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The model's input, one row per record (``sql/features.sql``), from relations
    ``identity_records`` and ``identifier_usage`` on ``con``."""
    return con.sql(statement("features")).arrow().read_all()


def load_model(path: Path | None = None) -> dict[str, Any]:
    """A trained model (Splink settings JSON) from the repository."""
    settings: dict[str, Any] = json.loads((path or DEFAULT_MODEL_PATH).read_text())
    return settings


def model_version(settings: dict[str, Any]) -> str:
    return str(settings.get("linker_uid") or MODEL_VERSION)


def score_pairs(
    features: pa.Table,
    settings: dict[str, Any],
    *,
    floor: float = SCORE_FLOOR,
) -> pa.Table:
    """Score every candidate pair with the trained model; keep those above `floor`.

    Returns unique_id_l, unique_id_r, match_probability, match_weight and the gamma level of
    every comparison (`gamma_<name>`), plus the compared values (for the evidence).
    """
    logging.getLogger("splink").setLevel(logging.WARNING)
    scratch = connect(":memory:")
    try:
        db_api = DuckDBAPI(connection=scratch)
        frame = db_api.register(features, table_name="identity_features")
        # keys Splink does not know (our training notes) stay out of its settings
        model = {k: v for k, v in settings.items() if k != "training"}
        model["blocking_rules_to_generate_predictions"] = blocking_rules_json()
        linker = Linker(frame, model)
        predictions = linker.inference.predict(threshold_match_probability=floor)
        # the table name is Splink's own, not data
        sql = f"select * from {predictions.physical_name}"  # noqa: S608
        return scratch.sql(sql).arrow().read_all()
    finally:
        scratch.close()
