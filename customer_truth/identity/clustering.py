"""Constrained clustering: turn accepted links into persons without over-merging.

Connected components (what Splink's clustering does) merge A and C whenever A-B and B-C are
links, so one weak or wrong link fuses two people, and chains grow with the data. Here links
are applied strongest first, and a link is refused when:

- **cannot-link**: the two clusters hold records the data proves to be different people:
  birth dates that differ by more than one typo, or two different verified emails in a system
  that keeps one email per person (Zendesk end-users);
- **different personal identifiers** (model links only): both clusters have personal emails
  and personal phones (not shared with anyone else) and have none of either in common. One
  person with a work and a private email still shares a phone; two namesakes in one household
  (same name, same address, often the same landline) share nothing of their own;
- **weak chain**: the link is below the strong threshold and both sides already are clusters of
  several records. A weak link may attach a record to a cluster; it may not bridge two
  clusters unless a second, independent link between the same two clusters corroborates it.

Deterministic links (strong identifiers) come first, then model links by falling probability,
so a refused link is always the weakest one that would have broken a rule. The only Python
loop is union-find over the candidate links (a graph algorithm on a small candidate set).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

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


@dataclass
class _Facts:
    """What a cluster holds that can prove two clusters are different people."""

    birth_dates: set[str] = field(default_factory=set)
    verified_emails: dict[str, set[str]] = field(default_factory=dict)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    size: int = 1

    def personal_conflict(self, other: _Facts) -> bool:
        """Both sides have personal emails and phones, and share none of either."""
        return bool(
            self.emails
            and other.emails
            and self.phones
            and other.phones
            and not (self.emails & other.emails)
            and not (self.phones & other.phones)
        )

    def conflicts_with(self, other: _Facts) -> str | None:
        for a in self.birth_dates:
            for b in other.birth_dates:
                if not birth_dates_compatible(a, b):
                    return "different_birth_dates"
        for system, emails in self.verified_emails.items():
            theirs = other.verified_emails.get(system)
            if theirs and emails and not (emails & theirs):
                return f"different_verified_emails:{system}"
        return None

    def absorb(self, other: _Facts) -> None:
        self.birth_dates |= other.birth_dates
        for system, emails in other.verified_emails.items():
            self.verified_emails.setdefault(system, set()).update(emails)
        self.emails |= other.emails
        self.phones |= other.phones
        self.size += other.size


def cluster(
    nodes: pl.DataFrame,
    edges: pl.DataFrame,
    thresholds: Thresholds,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cluster `nodes` through `edges`.

    nodes: record_uid, birth_date (ISO text or null), verified_email_system (null or the
    system that keeps one email per person), verified_email, personal_emails and
    personal_phones (lists of identifiers nobody else in the data carries).
    edges: edge_id, record_uid_l, record_uid_r, is_deterministic, match_probability,
    priority (lower first among deterministic links). Edges must already exclude pairs
    refused by a pair guard.

    Returns (assignments: record_uid, cluster_key; decisions: edge_id, decision, guard_reason).
    """
    index = {uid: i for i, uid in enumerate(nodes["record_uid"].to_list())}
    parent = list(range(len(index)))
    facts: list[_Facts] = []
    for dob, system, email, emails, phones in zip(
        nodes["birth_date"].to_list(),
        nodes["verified_email_system"].to_list(),
        nodes["verified_email"].to_list(),
        nodes["personal_emails"].to_list(),
        nodes["personal_phones"].to_list(),
        strict=True,
    ):
        fact = _Facts(emails=set(emails or ()), phones=set(phones or ()))
        if dob:
            fact.birth_dates.add(dob)
        if system and email:
            fact.verified_emails[system] = {email}
        facts.append(fact)

    def find(i: int) -> int:
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def union(a: int, b: int) -> None:
        if facts[a].size < facts[b].size:
            a, b = b, a
        parent[b] = a
        facts[a].absorb(facts[b])

    ordered = edges.sort(
        ["is_deterministic", "priority", "match_probability", "edge_id"],
        descending=[True, False, True, False],
        nulls_last=True,
    )
    decisions: dict[int, tuple[str, str | None]] = {}
    deferred: list[tuple[int, int, int]] = []
    for edge_id, left, right, deterministic, probability in zip(
        ordered["edge_id"].to_list(),
        ordered["record_uid_l"].to_list(),
        ordered["record_uid_r"].to_list(),
        ordered["is_deterministic"].to_list(),
        ordered["match_probability"].to_list(),
        strict=True,
    ):
        if not deterministic and (probability is None or probability < thresholds.link):
            decisions[edge_id] = (BELOW_THRESHOLD, None)
            continue
        a, b = find(index[left]), find(index[right])
        if a == b:
            decisions[edge_id] = (LINKED, None)
            continue
        conflict = facts[a].conflicts_with(facts[b])
        if conflict is None and not deterministic and facts[a].personal_conflict(facts[b]):
            conflict = "different_personal_identifiers"
        if conflict:
            decisions[edge_id] = (CUT_BY_GUARD, conflict)
            continue
        weak = not deterministic and probability < thresholds.strong
        if weak and facts[a].size > 1 and facts[b].size > 1:
            deferred.append((edge_id, index[left], index[right]))
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
        if ra == rb:
            verdict: tuple[str, str | None] = (LINKED, None)
        elif len(edge_ids) < 2:
            verdict = (CUT_BY_GUARD, "weak_chain")
        else:
            conflict = facts[ra].conflicts_with(facts[rb])
            if conflict is None and facts[ra].personal_conflict(facts[rb]):
                conflict = "different_personal_identifiers"
            if conflict:
                verdict = (CUT_BY_GUARD, conflict)
            else:
                union(ra, rb)
                verdict = (LINKED, None)
        for edge_id in edge_ids:
            decisions[edge_id] = verdict

    uids = nodes["record_uid"].to_list()
    assignments = pl.DataFrame(
        {"record_uid": uids, "cluster_key": [uids[find(i)] for i in range(len(uids))]},
        schema={"record_uid": pl.String, "cluster_key": pl.String},
    )
    decided = pl.DataFrame(
        {
            "edge_id": list(decisions),
            "decision": [d for d, _ in decisions.values()],
            "guard_reason": [g for _, g in decisions.values()],
        },
        schema={"edge_id": pl.Int64, "decision": pl.String, "guard_reason": pl.String},
    )
    return assignments, decided
