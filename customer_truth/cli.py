"""``customer-truth``: the project's command line."""

from __future__ import annotations

import argparse
import multiprocessing.util
import os
import sys
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from customer_truth.settings import Settings, load_settings

if TYPE_CHECKING:
    from customer_truth.pending import PendingWork

# a second run gave up waiting for the one holding the home (EX_TEMPFAIL: try again later)
EXIT_RUN_BUSY = 75


def _pending(settings: Settings) -> PendingWork:
    """What a run would do, printed; says so when nothing is new."""
    from customer_truth.pending import pending_work

    pending = pending_work(settings)
    print(pending.reason(), flush=True)
    if not pending.anything:
        print("no run started, no release written (--full-refresh rebuilds anyway)")
    return pending


def _recover_when_idle(settings: Settings, run_id: str) -> None:
    """Nothing new, but a run killed after its release committed (its batches are covered) may
    have left ``analytics.duckdb`` on the release before: bring it, and every table's latest
    Delta version, to the current release (``publication/recovery.py``; cheap when nothing is
    wrong). Under the run lock, without waiting: a run holding it recovers at its own start."""
    from customer_truth.publication.recovery import roll_back_unreleased
    from customer_truth.run_lock import RunBusyError, run_lock

    try:
        with run_lock(settings, run_id, timeout=0):
            restored = roll_back_unreleased(settings)
    except RunBusyError:
        return
    if restored:
        print(f"restored the released version of {len(restored)} table(s) a killed run had "
              f"written: {', '.join(restored)}")  # fmt: skip


def _run(args: argparse.Namespace) -> int:
    import uuid

    from customer_truth.orchestration import run_main_job
    from customer_truth.reporting import print_run_report
    from customer_truth.run_lock import RunBusyError, run_lock

    settings = load_settings()
    print(f"landing: {settings.landing}\nhome:    {settings.home}")
    if not args.full_refresh and not _pending(settings).anything:
        _recover_when_idle(settings, run_id=str(uuid.uuid4()))
        return 0
    run_id = str(uuid.uuid4())
    try:
        # one run at a time (customer_truth/run_lock.py): a run that waited for another asks
        # again what is new, under the lock, since that run may have done the work
        with run_lock(settings, run_id, on_wait=lambda message: print(message, flush=True)):
            if not args.full_refresh and not _pending(settings).anything:
                _recover_when_idle(settings, run_id)
                return 0
            outcome = run_main_job(settings, full_refresh=args.full_refresh, run_id=run_id)
    except RunBusyError as error:
        print(f"run: {error}", file=sys.stderr)
        return EXIT_RUN_BUSY
    print_run_report(settings, outcome)
    return 0 if outcome.success else 1


def _ui(args: argparse.Namespace) -> int:
    import os

    from customer_truth.orchestration import prepare_dagster_home

    settings = load_settings()
    prepare_dagster_home(settings)
    # localhost only: the UI can launch runs and must not be reachable from the network.
    # dagster is installed beside this interpreter, whether or not the venv is on PATH.
    beside = Path(sys.executable).parent / "dagster"
    command = [
        str(beside) if beside.exists() else "dagster",
        "dev",
        "-m",
        "dagster_project.definitions",
        "-h",
        "127.0.0.1",
        "-p",
        str(args.port),
    ]
    os.execvp(command[0], command)
    return 0  # pragma: no cover


def _docs(args: argparse.Namespace) -> int:
    from customer_truth.docs.build import DocsError, build_docs
    from customer_truth.docs.server import serve_docs

    settings = load_settings()
    print(f"home: {settings.home}")
    try:
        sites = build_docs(settings)
    except DocsError as error:
        print(f"docs: {error}", file=sys.stderr)
        return 1
    if not args.no_serve:
        serve_docs(sites, args.port)
    return 0


def _benchmark_foundation(args: argparse.Namespace) -> int:
    from customer_truth.benchmarks.foundation import bench_foundation

    bench_foundation(args.persons, args.seed, args.days, Path(args.work), args.keep)
    return 0


def _benchmark_identity(args: argparse.Namespace) -> int:
    from customer_truth.benchmarks.identity import run_identity_benchmark

    run_identity_benchmark(
        args.persons,
        args.seed,
        Path(args.work),
        febrl=not args.skip_febrl,
        world=not args.skip_world,
    )
    return 0


def _benchmark_context(args: argparse.Namespace) -> int:
    from customer_truth.benchmarks.context import run_context_benchmark

    run_context_benchmark(
        args.persons, args.seed, Path(args.work), args.lookups, args.days, args.reuse
    )
    return 0


def _benchmark_scale(args: argparse.Namespace) -> int:
    from customer_truth.benchmarks.scale import run_scale_benchmark

    persons = [int(p.replace("_", "")) for p in args.persons.split(",") if p.strip()]
    out = Path(args.json) if args.json else None
    run_scale_benchmark(persons, args.seed, args.days, Path(args.work), args.reuse, out)
    return 0


def _benchmark_faults(args: argparse.Namespace) -> int:
    from customer_truth.benchmarks.faults import run_fault_benchmark

    if args.kills < 1 or args.persons < 1 or args.chain < 1:
        print(
            "benchmark faults: --kills, --persons and --chain must be at least 1", file=sys.stderr
        )
        return 2
    if not 0 <= args.publication_kills <= args.kills:
        print(
            "benchmark faults: --publication-kills must be between 0 and --kills", file=sys.stderr
        )
        return 2
    report = run_fault_benchmark(
        args.kills,
        args.persons,
        args.seed,
        Path(args.work),
        args.reuse,
        args.publication_kills,
        args.chain,
        Path(args.json) if args.json else None,
    )
    return 0 if report.passed else 1


def _purge_warehouse(args: argparse.Namespace) -> int:
    from customer_truth.privacy.warehouse_purge import purge_warehouse_if_due

    print(purge_warehouse_if_due(load_settings(), force=True).describe())
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from customer_truth.evaluation.report import evaluate_warehouse

    print(evaluate_warehouse(load_settings(), Path(args.truth)))
    return 0


def _context(args: argparse.Namespace) -> int:
    from customer_truth.retrieval.lookup import (
        NOT_FOUND,
        AccessDenied,
        NoReleaseError,
        PolicyError,
        lookup,
    )

    try:
        response = lookup(
            args.identifier,
            consumer=args.consumer,
            as_of=args.as_of,
            home=load_settings(),
            default_region=args.region,
        )
    except (PolicyError, AccessDenied, NoReleaseError, ValueError) as error:
        print(f"context: {error}", file=sys.stderr)
        return 1
    print(response.text if args.text else response.to_json())
    return 3 if response.status == NOT_FOUND else 0


def _timeline(args: argparse.Namespace) -> int:
    from customer_truth.journeys.picture import TimelineLookupError, write_timeline
    from customer_truth.publication.reader import NoReleaseError

    try:
        data = write_timeline(load_settings(), args.identifier, Path(args.out))
    except TimelineLookupError as error:
        print(f"timeline: {error}", file=sys.stderr)
        for candidate in error.candidates:
            name = f"  {candidate.name}" if candidate.name else ""
            print(f"  {candidate.customer_id}  (matched: {', '.join(candidate.matched)}){name}")
        return 1
    except NoReleaseError as error:
        print(f"timeline: {error}", file=sys.stderr)
        return 1
    journeys = len({e["journey_id"] for e in data.events if e.get("journey_id")})
    print(
        f"wrote {args.out}: customer {data.customer_id}, {len(data.events)} events, "
        f"{journeys} journeys (release {data.release.publication_id})"
    )
    return 0


def _keys_create(args: argparse.Namespace) -> int:
    from customer_truth.api.keys import create_key
    from customer_truth.privacy.policies import PolicyError

    try:
        entry, key = create_key(load_settings().home, args.consumer)
    except PolicyError as error:
        print(f"keys: {error}", file=sys.stderr)
        return 1
    print(f"key {entry.key_id} for consumer {entry.consumer}, created {entry.created_at}")
    print("store it now: only its hash is kept, it cannot be shown again")
    print(key)
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    from customer_truth.api.keys import list_keys

    for entry in list_keys(load_settings().home):
        state = f"revoked {entry.revoked_at}" if entry.revoked_at else "active"
        print(f"{entry.key_id}  {entry.consumer:<20}  created {entry.created_at}  {state}")
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    from customer_truth.api.keys import UnknownKeyError, revoke_key

    try:
        entry = revoke_key(load_settings().home, args.key_id)
    except UnknownKeyError as error:
        print(f"keys: {error}", file=sys.stderr)
        return 1
    print(f"key {entry.key_id} ({entry.consumer}) revoked {entry.revoked_at}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from customer_truth.api.http import serve

    serve(load_settings().home, args.host, args.port, args.workers)
    return 0


def _mcp(args: argparse.Namespace) -> int:
    from customer_truth.api.mcp_server import run_mcp

    key = args.key or os.environ.get("CUSTOMER_TRUTH_API_KEY")
    return run_mcp(load_settings().home, key, args.http, args.host, args.port)


def _benchmark_serve(args: argparse.Namespace) -> int:
    from customer_truth.benchmarks.serve import run_serve_benchmark

    return run_serve_benchmark(
        home=Path(args.home),
        landing=Path(args.landing) if args.landing else None,
        clients=[int(c) for c in args.clients.split(",")],
        seconds=args.seconds,
        publish_during=args.publish_during,
        out=Path(args.json) if args.json else None,
        workers=args.workers,
    )


SETTINGS_HELP = """\
settings (environment; every one listed with its default in .env.example):
  CUSTOMER_TRUTH_LANDING    the landing zone (default: seeds/landing, the sample world)
  CUSTOMER_TRUTH_HOME       the pipeline's folder: warehouse, Dagster home, releases, logs,
                            keys (default: .customer_truth_home)
  CUSTOMER_TRUTH_POLICIES   consumers.yml and guardrails.yml (default: policies)
  CUSTOMER_TRUTH_MEMORY_LIMIT  DuckDB's memory budget, e.g. 8GB or 30% (default: 30%)
  CUSTOMER_TRUTH_KEEP_RELEASES, CUSTOMER_TRUTH_RUN_WAIT, CUSTOMER_TRUTH_DBT_THREADS,
  CUSTOMER_TRUTH_WAREHOUSE_PURGE_DAYS and the ingestion tolerances: see .env.example
"""


class _Parser(argparse.ArgumentParser):
    """Every command's --help shows each option's default (subcommands get this class too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        shown = action.default not in (None, False, argparse.SUPPRESS)
        if not action.option_strings or not shown or "default" in text:
            return text
        return f"{text} (default: %(default)s)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="customer-truth",
        description="Resolve seven enterprise systems into one governed customer truth.",
        epilog=SETTINGS_HELP,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {version('customer-truth')}"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser(
        "generate", help="write a synthetic enterprise: landing zone and truth"
    )
    from customer_truth.generate.cli import add_generate_arguments, run_generate

    add_generate_arguments(generate)
    generate.set_defaults(handler=run_generate)

    run = commands.add_parser(
        "run",
        help="run the main job end to end, headless, in this process, when there is new work",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="run even when nothing is new, and rebuild every dbt model from all history",
    )
    run.set_defaults(handler=_run)

    ui = commands.add_parser("ui", help="start the Dagster UI on 127.0.0.1 (dagster dev)")
    ui.add_argument("--port", type=int, default=3000, help="the UI's port on 127.0.0.1")
    ui.set_defaults(handler=_ui)

    docs_help = (
        "build the dbt docs (dbt docs generate against the home's warehouse) and the GX Data "
        "Docs (from the stored validation results) of $CUSTOMER_TRUTH_HOME, into "
        "$CUSTOMER_TRUTH_HOME/docs/dbt/ and quality/gx/uncommitted/data_docs/local_site/ (both "
        "work offline), then serve both on 127.0.0.1 behind a token made at each start and "
        "printed in the URL to open. Reads CUSTOMER_TRUTH_HOME and CUSTOMER_TRUTH_MEMORY_LIMIT; "
        "needs a built home (customer-truth run)"
    )
    docs = commands.add_parser(
        "docs",
        help="build the dbt docs and the GX Data Docs (offline) and serve them on 127.0.0.1",
        description=docs_help,
    )
    docs.add_argument(
        "--port", type=int, default=8080, help="the port on 127.0.0.1 to serve on (default: 8080)"
    )
    docs.add_argument("--no-serve", action="store_true", help="build only, print where, exit")
    docs.set_defaults(handler=_docs)
    purge = commands.add_parser(
        "purge-warehouse",
        help="rewrite the warehouse file now without the bytes erased persons' rows left",
        description=(
            "An erasure deletes the person's rows from every table of the warehouse at once; "
            "DuckDB keeps the deleted bytes in the file until it is rewritten, which the runs "
            "do once the oldest sweep not yet covered is CUSTOMER_TRUTH_WAREHOUSE_PURGE_DAYS "
            "old. This command does it now (a copy of the whole warehouse: minutes at 100k "
            "persons), if any sweep waits. Reads CUSTOMER_TRUTH_HOME and "
            "CUSTOMER_TRUTH_MEMORY_LIMIT; waits for the warehouse's lock"
        ),
    )
    purge.set_defaults(handler=_purge_warehouse)
    evaluate = commands.add_parser(
        "evaluate", help="score the resolved customers against a generated world's truth"
    )
    evaluate.add_argument("--truth", required=True, help="the world's truth/ folder")
    evaluate.set_defaults(handler=_evaluate)

    context = commands.add_parser(
        "context",
        help="one customer's context as a consumer may see it (exit 3: not found)",
    )
    context.add_argument(
        "identifier",
        help="email, phone in any format, order name, tracking code, any system's id",
    )
    context.add_argument("--consumer", required=True, help="a consumer of policies/consumers.yml")
    context.add_argument(
        "--as-of", default=None, help="read the release current at this ISO time (UTC if naive)"
    )
    context.add_argument("--text", action="store_true", help="print the plain-text brief")
    context.add_argument(
        "--region", default="US", help="country (ISO-2) of a phone typed without +code (US)"
    )
    context.set_defaults(handler=_context)

    timeline = commands.add_parser(
        "timeline", help="draw one customer's journey (swimlanes per channel) as an HTML page"
    )
    timeline.add_argument(
        "identifier", help="email, phone, order name, tracking code, any system's id or customer_id"
    )
    timeline.add_argument("--out", required=True, help="the HTML file to write")
    timeline.set_defaults(handler=_timeline)

    keys = commands.add_parser("keys", help="API keys: one per consumer and holder")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser(
        "create", help="a new key for CONSUMER (printed once, on the last line)"
    )
    create.add_argument("consumer", help="a consumer of policies/consumers.yml")
    create.set_defaults(handler=_keys_create)
    key_commands.add_parser("list", help="ids, consumers, times; never keys").set_defaults(
        handler=_keys_list
    )
    revoke = key_commands.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("key_id", help="the key's id, as `keys list` shows it")
    revoke.set_defaults(handler=_keys_revoke)

    serve = commands.add_parser(
        "serve", help="the HTTP API (docs at /docs): Bearer key -> consumer -> policy"
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="bind address; another than localhost exposes it"
    )
    serve.add_argument("--port", type=int, default=8765, help="the port to listen on")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (each holds the release's index in memory: ~3 GiB at 100k persons)",
    )
    serve.set_defaults(handler=_serve)

    mcp = commands.add_parser("mcp", help="the MCP server (stdio, or streamable HTTP with --http)")
    mcp.add_argument(
        "--key",
        default=None,
        help="the API key (stdio); CUSTOMER_TRUTH_API_KEY is read when absent (keeps it out "
        "of the process list). Over --http every request brings its own Bearer key",
    )
    mcp.add_argument("--http", action="store_true", help="serve streamable HTTP at /mcp")
    mcp.add_argument("--host", default="127.0.0.1", help="bind address of --http")
    mcp.add_argument("--port", type=int, default=8766, help="port of --http")
    mcp.set_defaults(handler=_mcp)

    benchmark = commands.add_parser(
        "benchmark", help="measure quality, wall time and peak memory of the pipeline's steps"
    )
    suites = benchmark.add_subparsers(dest="suite", required=True)
    foundation = suites.add_parser("foundation", help="generate, ingest, main job: time, memory")
    foundation.add_argument("--persons", type=int, default=100_000, help="world size")
    foundation.add_argument("--seed", type=int, default=1, help="the world's seed")
    foundation.add_argument("--days", type=int, default=7, help="days of deliveries")
    foundation.add_argument(
        "--work", default="/tmp/customer-truth-benchmark", help="folder for worlds and homes"
    )
    foundation.add_argument("--keep", action="store_true", help="keep the world and homes")
    foundation.set_defaults(handler=_benchmark_foundation)
    identity = suites.add_parser(
        "identity", help="this project's resolution vs a plain Splink baseline: F1, seconds"
    )
    identity.add_argument("--persons", type=int, default=100_000, help="world size")
    identity.add_argument("--seed", type=int, default=1, help="the world's seed")
    identity.add_argument(
        "--work", default="/tmp/customer-truth-benchmark/identity", help="folder for worlds"
    )
    identity.add_argument("--skip-febrl", action="store_true", help="leave out FEBRL3 and 4")
    identity.add_argument("--skip-world", action="store_true", help="leave out the generated world")
    identity.set_defaults(handler=_benchmark_identity)
    context_bench = suites.add_parser(
        "context", help="generate, run, then time context lookups: p50/p95/p99 ms"
    )
    context_bench.add_argument("--persons", type=int, default=100_000, help="world size")
    context_bench.add_argument("--seed", type=int, default=1, help="the world's seed")
    context_bench.add_argument("--days", type=int, default=7, help="days of deliveries")
    context_bench.add_argument("--lookups", type=int, default=1000, help="lookups timed")
    context_bench.add_argument(
        "--work", default="/tmp/customer-truth-benchmark/context", help="folder for the world"
    )
    context_bench.add_argument(
        "--reuse", action="store_true", help="keep a world and published home already in --work"
    )
    context_bench.set_defaults(handler=_benchmark_context)
    scale = suites.add_parser(
        "scale",
        help="full, incremental, nothing-new and one-row runs per stage against the floor "
        "(DuckDB reading the landing files once): seconds, rows/s, peak RSS of the process tree",
    )
    scale.add_argument("--persons", default="10000,100000", help="world sizes, comma-separated")
    scale.add_argument("--seed", type=int, default=1, help="the worlds' seed")
    scale.add_argument("--days", type=int, default=7, help="days of deliveries")
    scale.add_argument(
        "--work", default="/tmp/customer-truth-benchmark/scale", help="folder for worlds, homes"
    )
    scale.add_argument("--reuse", action="store_true", help="keep worlds already in --work")
    scale.add_argument(
        "--json", default=None, help="results file (default: WORK/scale-results.json)"
    )
    scale.set_defaults(handler=_benchmark_scale)
    faults = suites.add_parser(
        "faults",
        help="kill customer-truth run (SIGKILL, whole process tree) at random points on a small "
        "world; after each kill check every reader, then that the next run publishes",
    )
    faults.add_argument("--kills", type=int, default=20, help="kills in all")
    faults.add_argument("--persons", type=int, default=300, help="world size")
    faults.add_argument("--seed", type=int, default=7, help="the world's and the kill points'")
    faults.add_argument(
        "--publication-kills",
        type=int,
        default=0,
        help="of the kills, how many land inside publication (once a random number of the "
        "tables have their new version) instead of at a random time",
    )
    faults.add_argument(
        "--chain",
        type=int,
        default=1,
        help="kills in a row before a run is let finish (1: every kill is followed by a run "
        "that must publish)",
    )
    faults.add_argument(
        "--work", default="/tmp/customer-truth-benchmark/faults", help="folder for the world"
    )
    faults.add_argument("--reuse", action="store_true", help="keep a world already in --work")
    faults.add_argument(
        "--json", default=None, help="results file (default: WORK/faults-results.json)"
    )
    faults.set_defaults(handler=_benchmark_faults)
    serve_bench = suites.add_parser(
        "serve",
        help="load test of `customer-truth serve` on loopback: context reads by N concurrent "
        "clients for S seconds (p50/p95/p99, reads/s, errors, server memory), optionally "
        "publishing a release during the load",
    )
    serve_bench.add_argument("--home", required=True, help="a home with a published release")
    serve_bench.add_argument(
        "--landing", default=None, help="its landing zone (needed by --publish-during)"
    )
    serve_bench.add_argument("--clients", default="10,50", help="concurrency levels, in turn")
    serve_bench.add_argument("--seconds", type=float, default=30.0, help="per level")
    serve_bench.add_argument(
        "--publish-during",
        action="store_true",
        help="run `customer-truth run --full-refresh` on the home during the last level",
    )
    serve_bench.add_argument("--workers", type=int, default=1, help="server processes")
    serve_bench.add_argument("--json", default=None, help="write the results here")
    serve_bench.set_defaults(handler=_benchmark_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command. From the command line (``argv`` None) the process ends right here."""
    args = build_parser().parse_args(argv)
    code = int(args.handler(args))
    if argv is None:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End the process once the command's work is done and its output flushed.

    Native worker threads of DuckDB and delta-rs can still be alive at interpreter teardown, and
    their C++/Rust destructors then abort the process ("terminate called without an active
    exception", exit 134) after a successful run (duckdb/duckdb#13904, delta-io/delta-rs#2184).
    Every file the command wrote is committed by then; only the teardown is skipped, except
    multiprocessing's own exit hook: dbt's manifest holds multiprocessing locks, and without the
    hook their semaphores would be reported as leaked by the resource tracker.
    """
    multiprocessing.util._exit_function()  # type: ignore[attr-defined]  # what atexit runs
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
