"""Is there anything for a run to do? Nothing new, nothing done.

The answer compares the complete batches of the landing zone with the batches the latest
publication attempt (a release, or a block by the gate) was built from, and that attempt's code
version with the checkout's. A batch loaded by a run that died before its gate or publication is
in no attempt yet, so it is still pending and the next run finishes the work.

It reads only the landing folder and ``published/publication_log`` (a small Delta table), never
the warehouse file, which a running job may hold: the headless run, the landing sensor and the
daily schedule all ask it before they start anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from customer_truth.code_version import code_version
from customer_truth.interaction_log import last_written
from customer_truth.landing import complete_batch_names
from customer_truth.publication.log import read_entries
from customer_truth.settings import Settings


@dataclass(frozen=True)
class PendingWork:
    """What a run would have to do, and why."""

    new_batches: list[str]  # "system/batch_id" complete in landing, in no attempt yet
    last_attempt: str | None  # publication id of the latest attempt
    last_status: str | None  # published or blocked
    code_changed: bool  # the checkout's code differs from the one the latest attempt ran
    # the AI agents' interaction log (interaction_log.py) was written after the latest attempt
    # started: its new lines are a source of the timeline and the context too
    new_interactions: bool = False

    @property
    def anything(self) -> bool:
        return (
            bool(self.new_batches)
            or self.code_changed
            or self.new_interactions
            or self.last_attempt is None
        )

    def reason(self) -> str:
        """One line for the person at the terminal or the sensor's skip reason."""
        if self.last_attempt is None:
            return "no publication attempt yet: a first run is needed"
        if self.code_changed:
            return (
                f"the code changed since {self.last_status} attempt {self.last_attempt}: "
                "a full rebuild is needed"
            )
        if self.new_batches:
            shown = ", ".join(self.new_batches[:5])
            more = f" and {len(self.new_batches) - 5} more" if len(self.new_batches) > 5 else ""
            return f"{len(self.new_batches)} new complete batch(es): {shown}{more}"
        if self.new_interactions:
            return f"AI agents recorded interactions since attempt {self.last_attempt}"
        return (
            f"nothing new: every complete landing batch is in {self.last_status} attempt "
            f"{self.last_attempt}, made by this code version"
        )


def pending_work(settings: Settings) -> PendingWork:
    attempts = read_entries(settings.published)
    if not attempts:
        return PendingWork(complete_batch_names(settings.landing), None, None, code_changed=False)
    latest = attempts[-1]
    covered = set(latest.landing_batches)
    new = [batch for batch in complete_batch_names(settings.landing) if batch not in covered]
    return PendingWork(
        new_batches=new,
        last_attempt=latest.publication_id,
        last_status=latest.status,
        code_changed=latest.code_version != code_version(),
        # by the log's mtime, not its lines: a line written while that attempt ran may or may
        # not be in it, and counting it as new costs at most one run that loads nothing
        new_interactions=(written := last_written(settings.home)) is not None
        and written >= latest.started_at,
    )
