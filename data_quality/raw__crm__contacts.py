"""raw.crm__contacts: every landed CRM contact line kept with its lineage."""

from __future__ import annotations

import great_expectations.expectations as gxe

from customer_truth.quality.gate import GateContext, GateSuite


def expectations(gate: GateContext) -> list[gxe.Expectation]:
    return [
        # the ingest step writes every column; a null here is a bug in the loader, not the source
        gxe.ExpectColumnValuesToNotBeNull(column="record_key"),
        gxe.ExpectColumnValuesToNotBeNull(column="batch_id"),
        # the frame holds whether a line has its payload, not the payload: a missing one reads
        # false, never null, so a not-null expectation could never fail
        gxe.ExpectColumnValuesToBeInSet(column="payload", value_set=[True]),
        gxe.ExpectColumnValuesToBeBetween(column="line_number", min_value=1),
        # a contact line is (batch, file, line): loading a batch twice would repeat it
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["batch_id", "source_file", "line_number"]),
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
    ]


SUITE = GateSuite(
    name="raw__crm__contacts",
    asset_key=("raw", "crm__contacts"),
    query="select record_key, batch_id, source_file, line_number, payload is not null as payload "
    "from raw.crm__contacts",
    expectations=expectations,
    description="Lineage complete and no line loaded twice.",
    requires=("raw.crm__contacts",),
)
