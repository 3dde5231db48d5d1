"""Constrained clustering: the guards that keep different people apart."""

from __future__ import annotations

from typing import Any

import polars as pl
from polars.datatypes import DataTypeClass

from customer_truth.identity.clustering import (
    CUT_BY_GUARD,
    LINKED,
    Thresholds,
    birth_dates_compatible,
    cluster,
)

_NODE_SCHEMA: dict[str, DataTypeClass | pl.DataType] = {
    "birth_date": pl.String,
    "verified_email_system": pl.String,
    "verified_email": pl.String,
    "personal_emails": pl.List(pl.String),
    "personal_phones": pl.List(pl.String),
}
_EDGE_SCHEMA = {
    "edge_id": pl.Int64,
    "node_l": pl.Int64,
    "node_r": pl.Int64,
    "is_deterministic": pl.Boolean,
    "match_probability": pl.Float64,
}


def _nodes(*nodes: dict[str, Any]) -> pl.DataFrame:
    rows = [{name: node.get(name) for name in _NODE_SCHEMA} for node in nodes]
    return pl.DataFrame(rows, schema=_NODE_SCHEMA)


def _edges(*edges: tuple[int, int, float | None]) -> pl.DataFrame:
    """(left, right, probability); a None probability is a deterministic link. Given strongest
    first, as resolve sorts them."""
    rows = [
        {
            "edge_id": i,
            "node_l": left,
            "node_r": right,
            "is_deterministic": probability is None,
            "match_probability": probability,
        }
        for i, (left, right, probability) in enumerate(edges)
    ]
    return pl.DataFrame(rows, schema=_EDGE_SCHEMA)


def _decisions(frame: pl.DataFrame) -> dict[int, tuple[str, str | None]]:
    rows = frame.iter_rows(named=True)
    return {row["edge_id"]: (row["decision"], row["guard_reason"]) for row in rows}


def test_birth_dates_one_typo_or_day_month_swap_apart_can_be_one_person() -> None:
    assert birth_dates_compatible("1985-03-14", "1985-03-14")
    assert birth_dates_compatible("1985-03-14", "1985-03-15")  # one digit
    assert birth_dates_compatible("1985-03-04", "1985-04-03")  # day and month swapped
    assert birth_dates_compatible("1985-03-14", "1958-03-14")  # two digits transposed
    assert not birth_dates_compatible("1985-03-14", "1990-07-02")
    assert not birth_dates_compatible("1985-03-14", "1985-04-15")


def test_two_people_the_data_proves_distinct_never_share_a_cluster() -> None:
    # 0 and 2 are CRM contacts with different birth dates; 1 links to both
    nodes = _nodes({"birth_date": "1970-01-05"}, {}, {"birth_date": "2001-09-30"})
    roots, decisions = cluster(nodes, _edges((0, 1, 0.999), (1, 2, 0.998)), Thresholds())
    assert roots[0] == roots[1] != roots[2]
    assert _decisions(decisions)[1] == (CUT_BY_GUARD, "different_birth_dates")


def test_a_deterministic_link_cannot_override_different_birth_dates() -> None:
    nodes = _nodes({"birth_date": "1970-01-05"}, {"birth_date": "2001-09-30"})
    roots, decisions = cluster(nodes, _edges((0, 1, None)), Thresholds())
    assert roots[0] != roots[1]
    assert _decisions(decisions)[0][0] == CUT_BY_GUARD


def test_two_support_users_with_different_verified_emails_stay_apart() -> None:
    nodes = _nodes(
        {"verified_email_system": "support", "verified_email": "a@mail.com"},
        {"verified_email_system": "support", "verified_email": "b@mail.com"},
    )
    roots, decisions = cluster(nodes, _edges((0, 1, 0.999)), Thresholds())
    assert roots[0] != roots[1]
    assert _decisions(decisions)[0] == (CUT_BY_GUARD, "different_verified_emails:support")


def test_clusters_without_a_personal_email_or_phone_in_common_are_not_joined_by_the_model() -> None:
    nodes = _nodes(
        {"personal_emails": ["ann1@mail.com"], "personal_phones": ["+14155550100"]},
        {"personal_emails": ["ann2@mail.com"], "personal_phones": ["+14155550199"]},
        # one person with a work email still shares a phone: joined
        {"personal_emails": ["bo@home.com"], "personal_phones": ["+16175550100"]},
        {"personal_emails": ["bo@work.com"], "personal_phones": ["+16175550100"]},
    )
    roots, decisions = cluster(nodes, _edges((0, 1, 0.999), (2, 3, 0.999)), Thresholds())
    assert roots[0] != roots[1]
    assert _decisions(decisions)[0] == (CUT_BY_GUARD, "different_personal_identifiers")
    assert roots[2] == roots[3]


def test_a_common_household_landline_does_not_outweigh_everything_else_personal() -> None:
    landline = "+12125550142"
    nodes = _nodes(
        # two namesakes: each their own email and mobile, and the family landline
        {"personal_emails": ["jo1@mail.com"], "personal_phones": ["+14155550100", landline]},
        {"personal_emails": ["jo2@mail.com"], "personal_phones": ["+14155550199", landline]},
        # one person: a second email, and only one of their phones: joined
        {"personal_emails": ["al@home.com"], "personal_phones": ["+16175550100", landline]},
        {"personal_emails": ["al@work.com"], "personal_phones": [landline]},
    )
    roots, decisions = cluster(nodes, _edges((0, 1, 0.999), (2, 3, 0.999)), Thresholds())
    assert roots[0] != roots[1]
    assert _decisions(decisions)[0] == (CUT_BY_GUARD, "different_personal_identifiers")
    assert roots[2] == roots[3]


def test_a_weak_link_does_not_chain_two_established_clusters() -> None:
    # {0,1} and {2,3} are each one person by strong identifiers; a single weak model link
    # between them is cut, not followed
    nodes = _nodes({}, {}, {}, {})
    edges = _edges((0, 1, None), (2, 3, None), (1, 2, 0.93))
    roots, decisions = cluster(nodes, edges, Thresholds())
    assert roots[0] == roots[1] and roots[2] == roots[3] and roots[0] != roots[2]
    assert _decisions(decisions)[2] == (CUT_BY_GUARD, "weak_chain")


def test_two_independent_weak_links_or_one_strong_link_may_join_clusters() -> None:
    nodes = _nodes({}, {}, {}, {})
    corroborated = _edges((0, 1, None), (2, 3, None), (1, 2, 0.93), (0, 3, 0.92))
    roots, _ = cluster(nodes, corroborated, Thresholds())
    assert len(set(roots)) == 1
    strong = _edges((0, 1, None), (2, 3, None), (1, 2, 0.995))
    roots, _ = cluster(nodes, strong, Thresholds())
    assert len(set(roots)) == 1


def test_a_weak_link_may_attach_a_single_record_to_a_cluster() -> None:
    nodes = _nodes({}, {}, {})
    roots, decisions = cluster(nodes, _edges((0, 1, None), (1, 2, 0.91)), Thresholds())
    assert len(set(roots)) == 1
    assert _decisions(decisions)[1] == (LINKED, None)


def test_a_record_without_an_email_does_not_count_as_one_with_a_different_email() -> None:
    nodes = _nodes(
        {"personal_emails": [None], "personal_phones": ["+14155550100"]},
        {"personal_emails": ["kim@mail.com"], "personal_phones": ["+14155550199"]},
    )
    roots, decisions = cluster(nodes, _edges((0, 1, 0.999)), Thresholds())
    assert roots[0] == roots[1]
    assert _decisions(decisions)[0] == (LINKED, None)


def test_where_birth_dates_are_unreliable_a_model_link_joins_records_whose_dates_differ() -> None:
    # the same two CRM contacts: kept apart where one person's records agree on the birth
    # date (an enterprise's), joined where the model learnt that dates are often replaced
    nodes = _nodes({"birth_date": "1982-04-10"}, {"birth_date": "1993-04-21"})
    roots, decisions = cluster(nodes, _edges((0, 1, 0.99)), Thresholds())
    assert roots[0] != roots[1]
    assert _decisions(decisions)[0] == (CUT_BY_GUARD, "different_birth_dates")
    roots, decisions = cluster(
        nodes, _edges((0, 1, 0.99)), Thresholds(), birth_dates_are_conclusive=False
    )
    assert roots[0] == roots[1]
    assert _decisions(decisions)[0] == (LINKED, None)


def _model_with_birth_date_m(
    exact: float, typo: float, same_year: float, other: float
) -> dict[str, Any]:
    levels = [
        {"label_for_charts": "null", "is_null_level": True},
        {"label_for_charts": "exact", "m_probability": exact},
        {"label_for_charts": "one typo or day and month swapped", "m_probability": typo},
        {"label_for_charts": "same year", "m_probability": same_year},
        {"label_for_charts": "else", "m_probability": other},
    ]
    return {"comparisons": [{"output_column_name": "birth_date", "comparison_levels": levels}]}


def test_birth_dates_are_conclusive_only_where_the_models_matches_rarely_disagree_on_them() -> None:
    from customer_truth.identity.matching import birth_dates_are_conclusive, load_model

    # the committed enterprise model: known matches agree on the birth date
    assert birth_dates_are_conclusive(load_model())
    assert birth_dates_are_conclusive(_model_with_birth_date_m(0.99, 0.006, 0.002, 0.002))
    # one match in ten carries another date: a disagreement is weighed, not a veto
    assert not birth_dates_are_conclusive(_model_with_birth_date_m(0.85, 0.05, 0.01, 0.09))
    # no birth-date comparison: nothing says the dates are unreliable
    assert birth_dates_are_conclusive({"comparisons": []})
