"""Constrained clustering: turn accepted links into persons without over-merging.

Connected components (what Splink's clustering does) merge A and C whenever A-B and B-C are
links, so one weak or wrong link fuses two people, and chains grow with the data. Here links
are applied strongest first, and a link is refused when:

- **cannot-link**: the two clusters hold records the data proves to be different people:
  birth dates that differ by more than one typo (where the data's birth dates are reliable:
  `birth_dates_are_conclusive`), or two different verified emails in a system that keeps one
  email per person (Zendesk end-users);
- **different personal identifiers** (model links only): both clusters have personal emails
  and personal phones (not shared with anyone else), no email in common, and each has a phone
  the other lacks. One person with a work and a private email still shares their phones (one
  side's are among the other's); two namesakes in one household (same name, same address)
  have their own email and mobile, and at most the landline in common;
- **weak chain**: the link is below the strong threshold and both sides already are clusters of
  several records. A weak link may attach a record to a cluster; it may not bridge two
  clusters unless a second, independent link between the same two clusters corroborates it.

Deterministic links (strong identifiers) come first, then model links by falling probability,
so a refused link is always the weakest one that would have broken a rule. The only Python
loop is union-find over the candidate links (a graph algorithm on a small candidate set).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import polars as pl

# Decisions written to identity.match_evidence
LINKED = "linked"
CUT_BY_GUARD = "cut_by_guard"
BELOW_THRESHOLD = "below_threshold"


@dataclass(frozen=True)
class Thresholds:
    """Probability thresholds of the model links."""

    link: float = 0.9  # a model link at or above this joins records
    strong: float = 0.99  # ...and at or above this may bridge two clusters on its own
    review_low: float = 0.5  # pairs in [review_low, strong) go to the review queue


def birth_dates_compatible(a: str, b: str) -> bool:
    """Two ISO dates that could be one person's: equal, one typed character apart, or day and
    month swapped (03/04 vs 04/03)."""
    if a == b:
        return True
    if len(a) == len(b) == 10 and a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
        return True
    differences = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
    if len(a) != len(b):
        return False
    if len(differences) == 1:
        return True
    i = differences[0]
    transposed = a[i] == b[i + 1] and a[i + 1] == b[i]
    return len(differences) == 2 and differences[1] == i + 1 and transposed


class _Facts:
    """What each cluster holds that can prove two clusters are different people, kept per
    root and only where a cluster has something (most have no birth date, for instance).
    Birth dates are kept only when they are conclusive for this data."""

    def __init__(self, nodes: pl.DataFrame, *, birth_dates: bool = True) -> None:
        count = nodes.height
        self.size = [1] * count
        self.birth_dates: dict[int, set[str]] = {}
        self.verified: dict[int, dict[str, set[str]]] = {}
        self.emails: dict[int, set[str]] = {}
        self.phones: dict[int, set[str]] = {}
        columns = (
            nodes["birth_date"].to_list(),
            nodes["verified_email_system"].to_list(),
            nodes["verified_email"].to_list(),
            nodes["personal_emails"].to_list(),
            nodes["personal_phones"].to_list(),
        )
        for i, (dob, system, email, emails, phones) in enumerate(zip(*columns, strict=True)):
            if dob and birth_dates:
                self.birth_dates[i] = {dob}
            if system and email:
                self.verified[i] = {system: {email}}
            # a record without an email is not a record with a different email
            if emails := {e for e in emails or () if e}:
                self.emails[i] = emails
            if phones := {p for p in phones or () if p}:
                self.phones[i] = phones

    def personal_conflict(self, a: int, b: int) -> bool:
        """Both sides have personal emails and phones, share no email, and each has a phone
        the other lacks (a landline in common does not make two people's mobiles one's)."""
        emails_a, emails_b = self.emails.get(a), self.emails.get(b)
        phones_a, phones_b = self.phones.get(a), self.phones.get(b)
        return bool(
            emails_a
            and emails_b
            and phones_a
            and phones_b
            and not (emails_a & emails_b)
            and not (phones_a <= phones_b or phones_b <= phones_a)
        )

    def conflict(self, a: int, b: int) -> str | None:
        dates_a, dates_b = self.birth_dates.get(a), self.birth_dates.get(b)
        if dates_a and dates_b:
            for x in dates_a:
                for y in dates_b:
                    if not birth_dates_compatible(x, y):
                        return "different_birth_dates"
        verified_a, verified_b = self.verified.get(a), self.verified.get(b)
        if verified_a and verified_b:
            for system, emails in verified_a.items():
                theirs = verified_b.get(system)
                if theirs and not (emails & theirs):
                    return f"different_verified_emails:{system}"
        return None

    def absorb(self, a: int, b: int) -> None:
        """Root `a` takes over everything root `b` held."""
        self.size[a] += self.size[b]
        for table in (self.birth_dates, self.emails, self.phones):
            theirs = table.pop(b, None)
            if theirs:
                table.setdefault(a, set()).update(theirs)
        verified = self.verified.pop(b, None)
        if verified:
            mine = self.verified.setdefault(a, {})
            for system, emails in verified.items():
                mine.setdefault(system, set()).update(emails)


def cluster(
    nodes: pl.DataFrame,
    edges: pl.DataFrame,
    thresholds: Thresholds,
    *,
    birth_dates_are_conclusive: bool = True,
) -> tuple[list[int], pl.DataFrame]:
    """Cluster `nodes` (row i is node i) through `edges`, taken IN THE ORDER GIVEN.

    nodes: birth_date (ISO text or null), verified_email_system (null or the system that keeps
    one email per person), verified_email, personal_emails and personal_phones (lists of
    identifiers nobody else in the data carries).
    edges: edge_id, node_l, node_r (row numbers of `nodes`), is_deterministic,
    match_probability; sorted strongest first (deterministic links, then falling
    probability) and already without pairs refused by a pair guard or below the threshold.
    birth_dates_are_conclusive: whether two birth dates more than one typo apart prove two
    people in this data (`matching.birth_dates_are_conclusive`); when not, the model alone
    weighs a birth-date disagreement, as it weighs every other one.

    Returns (the root node of every node, decisions: edge_id, decision, guard_reason).
    """
    parent = list(range(nodes.height))
    facts = _Facts(nodes, birth_dates=birth_dates_are_conclusive)

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(a: int, b: int) -> None:
        if facts.size[a] < facts.size[b]:
            a, b = b, a
        parent[b] = a
        facts.absorb(a, b)

    decisions: dict[int, tuple[str, str | None]] = {}
    deferred: list[tuple[int, int, int]] = []
    for edge_id, left, right, deterministic, probability in zip(
        edges["edge_id"].to_list(),
        edges["node_l"].to_list(),
        edges["node_r"].to_list(),
        edges["is_deterministic"].to_list(),
        edges["match_probability"].to_list(),
        strict=True,
    ):
        a, b = find(left), find(right)
        if a == b:
            decisions[edge_id] = (LINKED, None)
            continue
        conflict = facts.conflict(a, b)
        if conflict is None and not deterministic and facts.personal_conflict(a, b):
            conflict = "different_personal_identifiers"
        if conflict:
            decisions[edge_id] = (CUT_BY_GUARD, conflict)
            continue
        weak = not deterministic and probability < thresholds.strong
        if weak and facts.size[a] > 1 and facts.size[b] > 1:
            deferred.append((edge_id, left, right))
            continue
        union(a, b)
        decisions[edge_id] = (LINKED, None)

    # Weak links between two established clusters: only when two of them agree.
    support: dict[tuple[int, int], list[int]] = defaultdict(list)
    for edge_id, i, j in deferred:
        a, b = sorted((find(i), find(j)))
        if a == b:
            decisions[edge_id] = (LINKED, None)
        else:
            support[(a, b)].append(edge_id)
    for (a, b), edge_ids in support.items():
        ra, rb = find(a), find(b)
        verdict: tuple[str, str | None]
        if ra == rb:
            verdict = (LINKED, None)
        elif len(edge_ids) < 2:
            verdict = (CUT_BY_GUARD, "weak_chain")
        else:
            conflict = facts.conflict(ra, rb)
            if conflict is None and facts.personal_conflict(ra, rb):
                conflict = "different_personal_identifiers"
            if conflict:
                verdict = (CUT_BY_GUARD, conflict)
            else:
                union(ra, rb)
                verdict = (LINKED, None)
        for edge_id in edge_ids:
            decisions[edge_id] = verdict

    decided = pl.DataFrame(
        {
            "edge_id": list(decisions),
            "decision": [d for d, _ in decisions.values()],
            "guard_reason": [g for _, g in decisions.values()],
        },
        schema={"edge_id": pl.Int64, "decision": pl.String, "guard_reason": pl.String},
    )
    return [find(i) for i in range(nodes.height)], decided
