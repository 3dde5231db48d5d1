"""`customer-truth generate`: the command-line face of `generate_world`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from customer_truth.generate.rates import KINDS, UNITS, NoiseRates, parse_overrides
from customer_truth.generate.world import generate_world


def add_generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--persons", type=int, required=True, help="how many people exist")
    parser.add_argument("--seed", type=int, required=True, help="same seed, same bytes")
    parser.add_argument(
        "--out", type=Path, required=True, help="world folder: writes OUT/landing and OUT/truth"
    )
    parser.add_argument(
        "--days",
        type=int,
        default=7,
        help="incremental batches after the full one (default 7); a world "
        "with --days D+1 repeats the first D days byte for byte",
    )
    parser.add_argument(
        "--noise-scale",
        type=float,
        default=1.0,
        help="multiply every noise rate (0 = a clean world; default 1)",
    )
    parser.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="KIND=VALUE",
        help="set one noise kind's rate after scaling (repeatable); kinds: " + ", ".join(KINDS),
    )
    parser.add_argument(
        "--activity",
        type=float,
        default=1.0,
        help="scale how often people browse, shop, call and write tickets (default 1)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: up to 2); the output does not depend on it",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace OUT/landing and OUT/truth if they exist"
    )
    parser.add_argument(
        "--list-rates",
        action=_ListRates,
        help="print every noise kind, its default rate and unit, and exit",
    )


class _ListRates(argparse.Action):
    """Like --help: prints and exits before required arguments are checked."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help=str(kwargs.get("help", "")))

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        defaults = NoiseRates().as_dict()
        lines = [f"{kind:<28} {defaults[kind]:<8g} per {UNITS[kind]}" for kind in KINDS]
        parser.exit(0, "\n".join(lines) + "\n")


def run_generate(args: argparse.Namespace) -> int:
    try:
        rates = NoiseRates().scaled(args.noise_scale).with_overrides(parse_overrides(args.rate))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        summary = generate_world(
            args.persons,
            args.seed,
            args.out,
            days=args.days,
            rates=rates,
            workers=args.workers,
            overwrite=args.overwrite,
            activity=args.activity,
            progress=True,
        )
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    missing = [k for k, n in summary.noise_counts.items() if n == 0 and getattr(rates, k) > 0]
    print(
        f"wrote {summary.out}/landing: {summary.batches} batches, {summary.files} files, "
        f"{summary.landing_rows} rows; {summary.out}/truth: "
        + ", ".join(f"{k} {v}" for k, v in summary.truth_rows.items())
        + f" ({seconds:.1f} s)"
    )
    if missing:
        print(
            "note: no instance planted of "
            + ", ".join(missing)
            + " (the world is too small or too short for them)"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m customer_truth.generate",
        description="Write a synthetic enterprise: landing and truth.",
    )
    add_generate_arguments(parser)
    return run_generate(parser.parse_args(argv))
