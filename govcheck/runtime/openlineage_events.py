"""The run record's facts as OpenLineage RunEvents, built with the openlineage-python client models.

Why the client's own classes rather than hand-written dicts: its models carry the spec's schema
URLs and validators (UUID run ids, ISO times), and `Serde.to_dict` gives exactly what its
transports send, so the copy in the run record and the copy a backend receives cannot drift.

This module imports openlineage at the top on purpose: `record.py` imports it lazily and, when
the import fails, writes the record without events. Nothing on the `import govcheck` path imports
it.

Standard facets where one fits (version, schema, ownership, statistics, processing engine, job
type, execution parameters, error message); facts OpenLineage has no facet for (sha256, the
governance classification, masked columns, the logical dataset name, the output kind) go in the
custom `govcheck` dataset facet.
"""

from __future__ import annotations

import json
import platform
from typing import Any
from urllib.parse import unquote, urlparse

import attr
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    DatasetFacet,
    dataset_version_dataset,
    error_message_run,
    execution_parameters_run,
    input_statistics_input_dataset,
    job_type_job,
    ownership_dataset,
    processing_engine_run,
    schema_dataset,
)
from openlineage.client.serde import Serde

from govcheck import __version__
from govcheck.runtime.record import InputRecord, OutputRecord, RunSnapshot

PRODUCER = "https://github.com/govcheck/govcheck"
FACET_SCHEMA_URL = (f"{PRODUCER}/blob/v{__version__}/schemas/GovcheckDatasetFacet.json"
                    "#/$defs/GovcheckDatasetFacet")


@attr.define
class GovcheckDatasetFacet(DatasetFacet):
    """Governance facts about a dataset that no standard OpenLineage facet carries."""

    name: str | None = attr.field(default=None)
    sha256: str | None = attr.field(default=None)
    owners: dict[str, str] | None = attr.field(default=None)
    classification: str | None = attr.field(default=None)
    maskedColumns: list[str] | None = attr.field(default=None)  # noqa: N815 - spec casing
    kind: str | None = attr.field(default=None)

    @staticmethod
    def _get_schema() -> str:
        return FACET_SCHEMA_URL


def dataset_identity(uri: str | None, fallback_namespace: str, fallback_name: str) -> tuple[str, str]:
    """(namespace, name) per the OpenLineage naming spec: local files are ("file", absolute path),
    object stores are ("s3://bucket", "key"); a dataset known only by name stays in the job's
    namespace."""
    if not uri:
        return fallback_namespace, fallback_name
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return "file", unquote(parsed.path)
    return f"{parsed.scheme}://{parsed.netloc}", unquote(parsed.path).lstrip("/") or "/"


def _input_dataset(record: InputRecord, namespace: str) -> InputDataset:
    ds_namespace, ds_name = dataset_identity(record.uri, namespace, record.name)
    facets: dict[str, Any] = {"govcheck": GovcheckDatasetFacet(
        producer=PRODUCER, name=record.name, sha256=record.sha256, owners=dict(record.owners) or None,
        classification=record.classification, maskedColumns=list(record.masked_columns) or None)}
    if record.version is not None:
        facets["version"] = dataset_version_dataset.DatasetVersionDatasetFacet(
            producer=PRODUCER, datasetVersion=record.version)
    if record.owners:
        facets["ownership"] = ownership_dataset.OwnershipDatasetFacet(producer=PRODUCER, owners=[
            ownership_dataset.Owner(name=who, type=role) for role, who in record.owners.items()])
    if record.schema:
        facets["schema"] = schema_dataset.SchemaDatasetFacet(producer=PRODUCER, fields=[
            schema_dataset.SchemaDatasetFacetFields(name=column, type=kind)
            for column, kind in record.schema.items()])
    input_facets: dict[str, Any] = {}
    if record.rows is not None:
        input_facets["inputStatistics"] = input_statistics_input_dataset.InputStatisticsInputDatasetFacet(
            producer=PRODUCER, rowCount=record.rows)
    return InputDataset(namespace=ds_namespace, name=ds_name, facets=facets, inputFacets=input_facets)


def _output_dataset(record: OutputRecord, namespace: str) -> OutputDataset:
    ds_namespace, ds_name = dataset_identity(record.uri, namespace, record.path)
    facet = GovcheckDatasetFacet(producer=PRODUCER, sha256=record.sha256, kind=record.kind)
    return OutputDataset(namespace=ds_namespace, name=ds_name, facets={"govcheck": facet})


def _parameters(state: RunSnapshot) -> list[Any]:
    make = execution_parameters_run.ExecutionParameter
    found = [make(key=key, value=json.dumps(value)) for key, value in sorted(state.params.items())]
    if state.seed is not None:
        found.insert(0, make(key="govcheck.seed", value=str(state.seed.value)))
    return found


def build_run_event(event_type: str, state: RunSnapshot, *, stack_trace: str | None = None) -> RunEvent:
    """One RunEvent for `state`; START carries what is known at start, the end event everything."""
    run_facets: dict[str, Any] = {"processing_engine": processing_engine_run.ProcessingEngineRunFacet(
        producer=PRODUCER, version=platform.python_version(), name="python",
        openlineageAdapterVersion=__version__)}
    if parameters := _parameters(state):
        run_facets["executionParameters"] = execution_parameters_run.ExecutionParametersRunFacet(
            producer=PRODUCER, parameters=parameters)
    if event_type == "FAIL" and state.error:
        run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            producer=PRODUCER, message=state.error, programmingLanguage="python",
            stackTrace=stack_trace)
    job_facets: dict[str, Any] = {"jobType": job_type_job.JobTypeJobFacet(
        producer=PRODUCER, processingType="BATCH", integration="GOVCHECK", jobType="JOB")}
    event_time = state.ended_at if event_type != "START" and state.ended_at else state.started_at
    return RunEvent(
        eventType=RunState(event_type), eventTime=event_time, producer=PRODUCER,
        run=Run(runId=state.run_id, facets=run_facets),
        job=Job(namespace=state.job_namespace, name=state.job_name, facets=job_facets),
        inputs=[_input_dataset(i, state.job_namespace) for i in state.inputs],
        outputs=[_output_dataset(o, state.job_namespace) for o in state.outputs])


def to_dict(event: RunEvent) -> dict[str, Any]:
    return Serde.to_dict(event)


class Sender:
    """Sends events through `OpenLineageClient()` and its own transports (configured by
    OPENLINEAGE_URL / OPENLINEAGE_CONFIG). A failure is returned as a warning for the record,
    never raised: lineage delivery must not kill a training run. Warnings name only the
    exception type, because transport errors can echo URLs and headers that carry tokens."""

    def __init__(self) -> None:
        self._client: OpenLineageClient | None = None
        self._broken: str | None = None
        self._reported = False

    def _get_client(self) -> OpenLineageClient | None:
        if self._client is None and self._broken is None:
            try:
                self._client = OpenLineageClient()
            except Exception as exc:  # noqa: BLE001
                self._broken = (f"OpenLineage: could not configure the client from OPENLINEAGE_URL/"
                                f"OPENLINEAGE_CONFIG ({type(exc).__name__}); events are only in "
                                "this record")
                return None
        return self._client

    def send(self, event: RunEvent) -> str | None:
        client = self._get_client()
        if client is None:
            if self._reported:
                return None  # report a broken configuration once, not once per event
            self._reported = True
            return self._broken
        kind = event.eventType.value if event.eventType else "?"
        try:
            client.emit(event)
        except Exception as exc:  # noqa: BLE001
            return (f"OpenLineage: could not send the {kind} event ({type(exc).__name__}); "
                    "it is only in this record")
        return None

    def close(self) -> str | None:
        if self._client is None:
            return None
        try:
            self._client.close(timeout=5.0)
        except Exception as exc:  # noqa: BLE001
            return f"OpenLineage: closing the client failed ({type(exc).__name__})"
        return None
