"""Probabilistic matching: the Splink (Fellegi-Sunter) model, its features and its scoring.

The model compares what the standardised records hold (names, birth date, email, phones,
address) and scores every pair the blocking rules propose. It is trained by `training` and
versioned as Splink JSON in `models/`; `score_pairs_on` loads it and scores on resolution's
in-memory DuckDB connection, so the warehouse is never locked by Splink's scratch tables. Its
features (`sql/features.sql`), comparisons and candidate rules (`sql/splink_model.yml`) are data;
this module hands them to Splink.

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
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import yaml  # type: ignore[import-untyped]  # no stubs installed
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from customer_truth.statements import macro, statement, template

if TYPE_CHECKING:
    from splink.internals.comparison_creator import ComparisonCreator

MODELS_DIR = Path(__file__).parent / "models"
MODEL_VERSION = "identity_splink_v1"
DEFAULT_MODEL_PATH = MODELS_DIR / f"{MODEL_VERSION}.json"

# Pairs scoring below this are not kept at all (evidence keeps everything above it).
SCORE_FLOOR = 0.01
# A birth-date disagreement proves two people only in data where one person's records almost
# never carry two birth dates more than one typo apart: at most this share of the model's
# matches (its m probabilities). A household's Jr and Sr differ there; so does a record whose
# date a clerk replaced. Which one a disagreement is depends on how often the second happens.
CONCLUSIVE_BIRTH_DATE_DISAGREEMENT = 0.01
# The birth-date levels one person's records reach through a typo (sql/splink_model.yml).
_BIRTH_DATE_TYPO_LEVELS = ("exact", "one typo or day and month swapped")


def given_name_typo_sql(a: str, b: str) -> str:
    """SQL: given names `a` and `b` (column expressions) are one typing error apart: the dbt
    macro identity_given_name_typo, the rule's one definition."""
    return macro("identity_given_name_typo", a, b)


def _one_line(sql: str) -> str:
    # the conditions hold no string literal with a run of spaces, so this changes no meaning
    return " ".join(sql.split())


@cache
def _model_definition() -> dict[str, Any]:
    """``sql/splink_model.yml``: the comparisons and the candidate (blocking) rules."""
    definition: dict[str, Any] = yaml.safe_load(template("identity/sql/splink_model.yml"))
    return definition


def comparisons() -> list[dict[str, Any]]:
    """The comparisons as Splink settings: each level's SQL condition, whether it is the null
    level, and the column whose term frequencies adjust it (weight 1)."""
    result = []
    for comparison in _model_definition()["comparisons"]:
        levels: list[dict[str, Any]] = []
        for level in comparison["levels"]:
            spec: dict[str, Any] = {
                "sql_condition": _one_line(level["sql"]),
                "label_for_charts": level["label"],
            }
            if level.get("is_null"):
                spec["is_null_level"] = True
            if level.get("tf"):
                spec["tf_adjustment_column"] = level["tf"]
                spec["tf_adjustment_weight"] = 1.0
            levels.append(spec)
        levels.append({"sql_condition": "ELSE", "label_for_charts": "else"})
        name = comparison["name"]
        result.append(
            {
                "output_column_name": name,
                "comparison_description": name,
                "comparison_levels": levels,
            }
        )
    return result


def settings_creator() -> SettingsCreator:
    """The untrained model: comparisons and blocking rules (training fills in m and u)."""
    specs: list[ComparisonCreator | dict[str, Any]] = [*comparisons()]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=specs,
        blocking_rules_to_generate_predictions=list(blocking_rules_json()),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["source_system"],
        max_iterations=25,
        em_convergence=0.0001,
    )


def blocking_rules_json() -> list[dict[str, Any]]:
    """The candidate rules of ``sql/splink_model.yml`` as Splink settings JSON: prediction
    always blocks with these, whatever the model file was trained with."""
    rules = []
    for rule in _model_definition()["blocking_rules"]:
        if "sql" in rule:
            rules.append({"blocking_rule": _one_line(rule["sql"]), "sql_dialect": "duckdb"})
        else:
            creator = block_on(*rule["block_on"], arrays_to_explode=rule.get("arrays_to_explode"))
            rules.append(creator.get_blocking_rule("duckdb").as_dict())
    return rules


def build_features(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The model's input, one row per record (``sql/features.sql``), from relations
    ``identity_records`` and ``identifier_usage`` on ``con``."""
    return con.sql(statement("identity/sql/features")).arrow().read_all()


def load_model(path: Path | None = None) -> dict[str, Any]:
    """A trained model (Splink settings JSON) from the repository."""
    settings: dict[str, Any] = json.loads((path or DEFAULT_MODEL_PATH).read_text())
    return settings


def model_version(settings: dict[str, Any]) -> str:
    return str(settings.get("linker_uid") or MODEL_VERSION)


def birth_dates_are_conclusive(settings: dict[str, Any]) -> bool:
    """Whether two birth dates more than one typo apart prove two people in the data this
    model describes: the model's matches (m) disagree that far at most
    `CONCLUSIVE_BIRTH_DATE_DISAGREEMENT` of the time. A model trained on an enterprise's known
    matches says yes (they agree on the birth date); a model trained where dates are often
    replaced (FEBRL's corruption) says no, and the disagreement is then weighed, not a veto.
    A model without a birth-date comparison says yes (there is nothing to weigh it by)."""
    for comparison in settings.get("comparisons", []):
        if comparison.get("output_column_name") != "birth_date":
            continue
        disagreeing = sum(
            float(level.get("m_probability") or 0.0)
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level")
            and level.get("label_for_charts") not in _BIRTH_DATE_TYPO_LEVELS
        )
        return disagreeing <= CONCLUSIVE_BIRTH_DATE_DISAGREEMENT
    return True


def score_pairs_on(
    con: duckdb.DuckDBPyConnection,
    features_table: str,
    settings: dict[str, Any],
    *,
    floor: float = SCORE_FLOOR,
) -> str:
    """Splink's own ``predict()``: what resolution's scoring from kept comparison vectors
    (``comparison_vectors.score_pairs``) must equal, and how tests score hand-made features.
    Score every candidate pair of the features table `features_table` of `con` with the
    trained model, keeping those above `floor`: the name of the table of scored pairs Splink
    leaves in `con` (unique_id_l, unique_id_r, match_probability, match_weight, the gamma level
    of every comparison as `gamma_<name>`, and the compared values, for the evidence). No copy
    of the features or the pairs leaves DuckDB, and one buffer pool (one memory budget) holds
    them (a 1M-person world: a second in-memory database beside the first took the process past
    12 GB)."""
    frame = DuckDBAPI(connection=con).register(features_table, table_name="identity_features")
    return _predict(frame, settings, floor)


def prediction_linker(frame: Any, settings: dict[str, Any]) -> Linker:
    """A Splink linker of `frame` (a registered Splink input) that predicts with the model
    `settings` and always the blocking rules of ``sql/splink_model.yml``."""
    logging.getLogger("splink").setLevel(logging.WARNING)
    # keys Splink does not know (our training notes) stay out of its settings
    model = {k: v for k, v in settings.items() if k != "training"}
    model["blocking_rules_to_generate_predictions"] = blocking_rules_json()
    return Linker(frame, model)


def _predict(frame: Any, settings: dict[str, Any], floor: float) -> str:
    """Splink's predictions of `frame` (a registered Splink input): their physical table."""
    linker = prediction_linker(frame, settings)
    # the table name is Splink's own, not data
    return str(linker.inference.predict(threshold_match_probability=floor).physical_name)
