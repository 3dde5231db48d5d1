"""What a new user sees first: every command's --help says what each option does and its
default, the settings the commands read, and --version answers."""

from __future__ import annotations

import argparse
import subprocess
import sys

from customer_truth.cli import build_parser


def _parsers(parser: argparse.ArgumentParser, name: str = "customer-truth"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {command}")


def test_every_option_of_every_command_says_what_it_does_and_its_default() -> None:
    undocumented = [
        (name, action.option_strings or action.dest)
        for name, parser in _parsers(build_parser())
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction)
        and action.dest != "help"
        and not action.help
    ]
    assert undocumented == []
    serve = " ".join(dict(_parsers(build_parser()))["customer-truth serve"].format_help().split())
    assert "(default: 8765)" in serve and "(default: 127.0.0.1)" in serve


def test_help_names_the_settings_and_version_answers() -> None:
    text = build_parser().format_help()
    for setting in ("CUSTOMER_TRUTH_HOME", "CUSTOMER_TRUTH_LANDING", "CUSTOMER_TRUTH_MEMORY_LIMIT"):
        assert setting in text
    done = subprocess.run(
        [sys.executable, "-m", "customer_truth.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("customer-truth ")
