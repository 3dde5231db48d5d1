"""The journey models and the guardrails against hand-computed values: the dbt unit tests beside
them (`_journeys__unit_tests.yml` in models/intermediate/journeys and models/marts/journeys,
`_context__unit_tests.yml` in models/publish/context): metrics, record attribution, issue
journeys, proactive signals and the guardrail decisions of customer_context.

They run here on an empty warehouse (their inputs are typed SQL fixtures), so the suite checks the
metric definitions in seconds, without generating a world. dbt runs in a subprocess with its
target, logs and warehouse in a temporary folder, never touching `dbt_project/target/`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from customer_truth.settings import DBT_PROJECT_DIR

EXPECTED_UNIT_TESTS = {
    "journeys_contact_outcome_and_conversation_follow_agent_queue_and_the_transfer_chain",
    "journeys_a_conversation_counts_once_adds_up_handle_time_and_repeats_break_fcr",
    "journeys_contact_metrics_abandoned_contained_transferred_fcr_and_aht_by_hand",
    "journeys_ticket_metrics_reopen_rate_csat_and_response_times_by_hand",
    "journeys_journey_metrics_channel_switching_contacts_and_resolution_time_by_hand",
    "journeys_repeated_failures_need_two_failure_journeys_in_90_days",
    "agent_interactions_follow_their_customer_through_merges_or_say_why_not",
    "summaries_redact_what_people_typed_and_keep_the_references_they_name",
    "record_attribution_takes_the_most_specific_unshared_identifier_or_says_why_not",
    "record_journeys_stitch_one_issue_across_channels_and_leave_the_unrelated_out",
    "issue_journeys_count_one_issue_across_channels_once_and_leave_the_unrelated_out",
    "proactive_signals_fire_while_the_condition_holds_and_date_from_when_it_began",
    "guardrails_allow_or_forbid_each_action_by_the_rule_that_decided_it",
}


def test_journey_and_guardrail_unit_tests_pass_on_hand_computed_fixtures(tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).parent / "dbt"), "test",
        "--select", "test_type:unit,path:models/intermediate/journeys",
        "test_type:unit,path:models/marts/journeys",
        "test_type:unit,path:models/publish/context",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
    ]  # fmt: skip
    env = {
        **os.environ,
        "CUSTOMER_TRUTH_HOME": str(tmp_path),
        "DO_NOT_TRACK": "1",
    }
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stdout[-4000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    statuses = {
        r["unique_id"].split(".")[-1]: r["status"]
        for r in results
        if r["unique_id"].startswith("unit_test.")  # not the on-run-start hook
    }
    # every expected test ran (a renamed or unselected one would pass silently otherwise)
    assert EXPECTED_UNIT_TESTS <= set(statuses), EXPECTED_UNIT_TESTS - set(statuses)
    assert all(status == "pass" for status in statuses.values()), statuses
