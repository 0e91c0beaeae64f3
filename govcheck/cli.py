"""Command-line entry: parse arguments, call the capability, print, return an exit code.

No logic lives here. A `UsageError` from anywhere becomes its message and exit code 2; any
other exception is a bug in govcheck and is reported with versions so it can be filed, never as
a bare traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from govcheck import __version__
from govcheck.errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, UsageError


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govcheck", description="Governance checks for ML training code.")
    parser.add_argument("--version", action="version", version=f"govcheck {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="lint Python files for governance problems")
    check.add_argument("paths", nargs="*", type=Path, help="files or directories (default: .)")
    check.add_argument("--select", type=_codes, help="rule codes or prefixes to enable (replaces config)")
    check.add_argument("--extend-select", type=_codes, help="rule codes or prefixes to add")
    check.add_argument("--ignore", type=_codes, help="rule codes or prefixes to disable")
    check.add_argument("--output-format", default=None,
                       choices=("text", "json", "sarif", "github"),
                       help="report format (default: text, or github under GitHub Actions)")
    check.add_argument("-o", "--output-file", type=Path, help="write the report to this file")
    check.add_argument("--statistics", action="store_true", help="show counts per rule")
    check.add_argument("-n", "--no-cache", action="store_true", help="do not read or write the cache")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--force-exclude", action="store_true",
                       help="apply exclusions to files named on the command line too")
    check.add_argument("--config", type=Path, help="use this pyproject.toml or govcheck.toml")
    baseline = check.add_mutually_exclusive_group()
    baseline.add_argument("--baseline", type=Path,
                          help="a previous JSON report: report only findings not in it")
    baseline.add_argument("--new-since", metavar="REVISION",
                          help="report only findings the same files did not have at this git "
                               "revision (e.g. origin/main)")

    commands.add_parser("rules", help="list every rule")
    rule = commands.add_parser("rule", help="show one rule's documentation")
    rule.add_argument("code", help="a rule code (GOV101) or name (unseeded-global-draw)")

    catalog = commands.add_parser("catalog", help="validate, list or pin the dataset catalog")
    actions = catalog.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    validate = actions.add_parser("validate", help="check every dataset's files and pins")
    listing = actions.add_parser("list", help="show the catalogued datasets")
    listing.add_argument("--format", dest="output_format", default="text",
                         choices=("text", "json"), help="output format (default: text)")
    pin = actions.add_parser("pin", help="write the current sha256 of datasets into the catalog")
    pin.add_argument("names", nargs="*", metavar="NAME", help="datasets to pin")
    pin.add_argument("--all", dest="pin_all", action="store_true", help="pin every local dataset")
    for action in (validate, listing, pin):
        action.add_argument("--config", type=Path, help="use this pyproject.toml or govcheck.toml")
    commands.add_parser("repro", add_help=False,
                        help="rerun a training command and compare its outputs "
                             "(govcheck repro --help)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = list(sys.argv[1:] if argv is None else argv)
    # repro's training command follows `--` and must reach govcheck.repro.cli unparsed.
    arguments = (argparse.Namespace(command="repro", repro_args=args[1:])
                 if args[:1] == ["repro"] else parser.parse_args(args))
    try:
        if arguments.command == "repro":
            from govcheck.repro import cli as repro_cli

            return repro_cli.main(arguments.repro_args)
        if arguments.command == "check":
            return _check(arguments)
        if arguments.command == "rules":
            return _rules()
        if arguments.command == "rule":
            return _rule(arguments.code)
        if arguments.command == "catalog":
            return _catalog(arguments)
        parser.print_help()
        return EXIT_USAGE
    except UsageError as error:
        print(f"govcheck: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `govcheck check | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return EXIT_CLEAN
    except Exception as error:  # a bug: say so, with what a bug report needs
        print(f"govcheck: internal error: {type(error).__name__}: {error}\n"
              f"This is a bug in govcheck {__version__} (Python {platform.python_version()}, "
              f"{platform.platform()}); please report it with the command you ran.",
              file=sys.stderr)
        return EXIT_USAGE


def _check(arguments: argparse.Namespace) -> int:
    from govcheck.config import load_config
    from govcheck.lint.baseline import baseline_at_revision, load_baseline, new_findings
    from govcheck.lint.engine import lint
    from govcheck.lint.output import write_report, write_statistics
    from govcheck.lint.rules import RULES

    paths = [Path(p) for p in arguments.paths] or [Path(".")]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or directory")
    start = paths[0].resolve()
    config = load_config(start, config_file=arguments.config, select=arguments.select,
                         ignore=arguments.ignore, extend_select=arguments.extend_select,
                         known_codes=tuple(RULES))
    if config.source is None:
        config = _rooted_at_working_directory(config, paths)
    resolved = [p.resolve() for p in paths]
    baseline = load_baseline(arguments.baseline) if arguments.baseline is not None else None
    if arguments.new_since is not None:
        def lint_tree(old_root: Path, old_paths: list[Path]) -> tuple:
            old_config = load_config(old_root, known_codes=tuple(RULES))
            return lint(old_paths, old_config, use_cache=False,
                        force_exclude=arguments.force_exclude).findings

        baseline = baseline_at_revision(arguments.new_since, config.root, resolved, lint_tree)
    result = lint(resolved, config, use_cache=not arguments.no_cache,
                  force_exclude=arguments.force_exclude)
    if baseline is not None:
        result = dataclasses.replace(result, findings=new_findings(result.findings, baseline))
    fmt = arguments.output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true"
                                      else "text")

    def report(stream: TextIO) -> None:
        # As in ruff, --statistics replaces the list of findings in text output.
        if arguments.statistics and fmt == "text":
            write_statistics(result, stream)
        else:
            write_report(result, fmt, stream, root=config.root)

    if arguments.output_file is not None:
        _write_atomically(arguments.output_file, report)
    else:
        report(sys.stdout)
    if arguments.statistics and fmt != "text":
        write_statistics(result, sys.stderr)
    if result.findings and not arguments.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _rooted_at_working_directory(config, paths: list[Path]):
    """Without a config file, paths are reported relative to the working directory, as ruff
    does, when everything checked lies under it."""
    cwd = Path.cwd().resolve()
    if all(path.resolve().is_relative_to(cwd) for path in paths):
        return dataclasses.replace(config, root=cwd)
    return config


def _write_atomically(target: Path, write) -> None:
    """Write a report so that a failure never leaves a half-written file behind."""
    directory = target.resolve().parent
    if not directory.is_dir():
        raise UsageError(f"{target}: directory {directory} does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            write(stream)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _catalog(arguments: argparse.Namespace) -> int:
    from govcheck import catalog_cli

    if arguments.catalog_command == "validate":
        return catalog_cli.validate(arguments.config)
    if arguments.catalog_command == "list":
        return catalog_cli.list_datasets(arguments.config, arguments.output_format)
    return catalog_cli.pin(arguments.names, arguments.pin_all, arguments.config)


def _rules() -> int:
    from govcheck.lint.rules import RULES

    for code in sorted(RULES):
        rule = RULES[code]
        print(f"{code}  {rule.name:<26} {rule.summary}")
    return EXIT_CLEAN


def _rule(code: str) -> int:
    from govcheck.lint.rules import RULES, find_rule

    rule = find_rule(code)
    if rule is None:
        raise UsageError(f"unknown rule '{code}' (known: {', '.join(sorted(RULES))})")
    print(rule.docs(), end="")
    return EXIT_CLEAN
