"""The truth's repeat-contact incidents: three first contacts about one issue (an order, else an
intent) within 7 days begin one; a contact whose conversation is resolved ends it, else it goes
stale 30 days after it began; a third contact that resolves it begins none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from customer_truth.generate.truth import (
    REPEAT_STALE_AFTER,
    contact_issue,
    repeat_incidents,
)

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def contact(
    cid: str,
    day: float,
    *,
    order: str | None = None,
    intent: str | None = "where_is_my_order",
    resolution: str | None = "follow_up",
    method: str = "INBOUND",
    previous: str | None = None,
    initial: str | None = None,
) -> dict[str, Any]:
    start = T0 + timedelta(days=day)
    attributes = {k: v for k, v in (("order_number", order), ("intent", intent)) if v}
    if resolution is not None:
        attributes["resolution"] = resolution
    return {
        "ContactId": cid,
        "InitialContactId": initial,
        "PreviousContactId": previous,
        "InitiationMethod": method,
        "InitiationTimestamp": _iso(start),
        "DisconnectTimestamp": _iso(start + timedelta(minutes=10)),
        "LastUpdateTimestamp": _iso(start + timedelta(minutes=12)),
        "Attributes": attributes,
    }


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def test_an_order_is_one_issue_however_the_agent_typed_its_number() -> None:
    assert contact_issue({"order_number": "1234", "intent": "where_is_my_order"}) == "#1234"
    assert contact_issue({"order_number": " #1234 "}) == "#1234"
    assert contact_issue({"intent": "billing_issue"}) == "billing_issue"
    assert contact_issue({"language": "en-US"}) is None
    found = repeat_incidents(
        [
            contact("a", 0, order="1234"),
            contact("b", 1, order="#1234"),
            contact("c", 2, order="1234 "),
        ]
    )
    assert [(f.issue, f.order_name, f.contact_ids) for f in found] == [
        ("#1234", "#1234", ("a", "b", "c"))
    ]
    assert found[0].began_at == _epoch(T0 + timedelta(days=2))


def test_three_contacts_about_different_issues_begin_nothing() -> None:
    # two orders and an order-less intent: three issues, one contact or two each
    assert (
        repeat_incidents(
            [
                contact("a", 0, order="1001"),
                contact("b", 1, order="1002"),
                contact("c", 2, intent="where_is_my_order"),
                contact("d", 2.5, intent=None),  # names neither: belongs to no issue
            ]
        )
        == []
    )


def test_contacts_without_an_order_group_by_intent() -> None:
    found = repeat_incidents(
        [contact(c, d, intent="billing_issue") for c, d in (("a", 0), ("b", 2), ("c", 5))]
    )
    assert [(f.issue, f.order_name) for f in found] == [("billing_issue", None)]


def test_only_inbound_first_contacts_count() -> None:
    contacts = [
        contact("a", 0, order="1"),
        contact("a2", 0.01, order="1", previous="a", initial="a", method="TRANSFER"),
        contact("b", 1, order="1", method="CALLBACK"),
        contact("c", 2, order="1"),
    ]
    assert repeat_incidents(contacts) == []
    assert len(repeat_incidents([*contacts, contact("d", 3, order="1")])) == 1


def test_the_third_contact_must_fall_within_seven_days_of_the_first() -> None:
    spread = [contact("a", 0, order="1"), contact("b", 4, order="1"), contact("c", 7.5, order="1")]
    assert repeat_incidents(spread) == []


def test_a_later_resolved_contact_ends_the_incident_at_its_disconnect() -> None:
    found = repeat_incidents(
        [
            contact("a", 0, order="1"),
            contact("b", 1, order="1", resolution="escalated"),
            contact("c", 2, order="1", resolution=None),  # abandoned: nothing resolved
            contact("d", 4, order="1", resolution="Resolved"),  # case does not matter
        ]
    )
    assert len(found) == 1
    assert found[0].began_at == _epoch(T0 + timedelta(days=2))
    assert found[0].resolved_at == _epoch(T0 + timedelta(days=4, minutes=10))
    assert found[0].contact_ids == ("a", "b", "c", "d")


def test_a_contact_after_the_end_can_begin_the_next_incident() -> None:
    contacts = [
        contact("a", 0, order="1"),
        contact("b", 1, order="1"),
        contact("c", 2, order="1", resolution="resolved"),  # third, resolved: none
        contact("d", 3, order="1"),  # again the third within 7 days, unresolved: begins one
        contact("e", 4, order="1", resolution="resolved"),  # ends it
        contact("f", 12, order="1"),  # alone in its 7 days: nothing
    ]
    found = repeat_incidents(contacts)
    assert [(f.began_at, f.contact_ids) for f in found] == [
        (_epoch(T0 + timedelta(days=3)), ("a", "b", "c", "d", "e"))
    ]


def test_an_unresolved_incident_goes_stale_thirty_days_after_it_began() -> None:
    found = repeat_incidents(
        [
            contact("a", 0, order="1"),
            contact("b", 1, order="1", resolution="self_service"),
            contact("c", 2, order="1"),
            contact("d", 40, order="1", resolution="resolved"),  # after it went stale
        ]
    )
    assert len(found) == 1
    assert found[0].resolved_at == _epoch(T0 + timedelta(days=2)) + REPEAT_STALE_AFTER
    assert found[0].contact_ids == ("a", "b", "c")


def test_a_third_contact_that_resolves_it_begins_no_incident() -> None:
    assert (
        repeat_incidents(
            [
                contact("a", 0, order="1"),
                contact("b", 1, order="1"),
                contact("c", 2, order="1", resolution="resolved"),
            ]
        )
        == []
    )


def test_a_conversation_is_resolved_by_its_last_legs_resolution() -> None:
    # the third contact was transferred; the leg it was transferred to resolved it
    resolved_by_transfer = [
        contact("a", 0, order="1"),
        contact("b", 1, order="1"),
        contact("c", 2, order="1", resolution="follow_up"),
        contact("c2", 2.01, order="1", previous="c", initial="c", method="TRANSFER",
                resolution="resolved"),
    ]  # fmt: skip
    assert repeat_incidents(resolved_by_transfer) == []
    # and the other way round: the first leg said resolved, the last leg did not
    left_open = [
        contact("a", 0, order="1"),
        contact("b", 1, order="1"),
        contact("c", 2, order="1", resolution="resolved"),
        contact("c2", 2.01, order="1", previous="c", initial="c", method="TRANSFER",
                resolution="escalated"),
    ]  # fmt: skip
    assert len(repeat_incidents(left_open)) == 1
