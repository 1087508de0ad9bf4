"""The command line. It parses arguments and wires the stages together; nothing else.

Heavy libraries are imported inside the commands that need them, so `--help`
and `--version` answer at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from cxpolicy import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def default_root(start: str | None = None) -> str:
    """The nearest folder upward holding cxpolicy.yaml, else ./policies, else the current folder."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "cxpolicy.yaml").is_file():
            return str(folder)
    if (here / "policies").is_dir():
        return str(here / "policies")
    return str(here)


def fail_usage(message: str) -> NoReturn:
    click.echo(f"cxpolicy: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def emit(text: str, output: str | None) -> None:
    """Print the rendered output, or write it atomically to --output."""
    if output is None:
        click.echo(text, nl=False)
        return
    from cxpolicy.atomic import write_atomic

    try:
        write_atomic(output, text)
    except OSError as error:
        fail_usage(f"cannot write {output}: {error.strerror or error}")


def _colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


path_argument = click.argument("path", required=False, type=click.Path(file_okay=True, dir_okay=True))
format_option = click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="Output format.")
output_option = click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE (atomically) instead of standard output.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cxpolicy")
def cli() -> None:
    """Customer-experience governance as code.

    cxpolicy reads a CX office's policy files (segments, journeys, channels,
    service standards, KPIs, listening posts and ownership), checks them and
    reports on them. PATH defaults to the nearest folder upward holding
    cxpolicy.yaml, else ./policies, else the current folder.
    """


@cli.command()
@path_argument
@format_option
@output_option
@click.option("-v", "--verbose", is_flag=True, help="Also list info-level findings.")
def validate(path: str | None, output_format: str, output: str | None, verbose: bool) -> None:
    """Read every policy file strictly: YAML, schemas and references (CX1xx).

    Exits 0 when clean, 1 when an error-level finding exists, 2 when PATH
    cannot be used.
    """
    from cxpolicy import engine, policyset
    from cxpolicy.findings import Severity

    root = path or default_root()
    try:
        loaded = policyset.load(root)
    except policyset.PolicyPathError as error:
        fail_usage(str(error))
    options = engine.Options(verbose=verbose)
    outcome = engine.decide(
        loaded.findings, loaded.policy.project.rules, options,
        root=root, files=len(loaded.policy.files), entities=len(loaded.policy),
    )
    emit(_render(outcome, output_format, colour=output is None and _colour()), output)
    sys.exit(EXIT_FINDINGS if outcome.failed(Severity.ERROR) else EXIT_CLEAN)


def _render(outcome: Any, output_format: str, *, colour: bool) -> str:
    if output_format == "json":
        from cxpolicy.render import json as renderer

        return renderer.render(outcome)
    from cxpolicy.render import text

    return text.render(outcome, colour=colour)


write_option = click.option("--write", "mode", flag_value="write", help="Regenerate the files.")
check_option = click.option("--check", "mode", flag_value="check",
                            help="Exit 1 when a committed file differs from what would be generated.")


def sync_generated(files: dict[str, str], mode: str | None, regenerate: str) -> None:
    """Write (--write), verify (--check) or list generated files against the committed ones."""
    from cxpolicy.atomic import write_atomic

    stale = []
    for target, text in files.items():
        try:
            with open(target, encoding="utf-8") as handle:
                current = handle.read() == text
        except OSError:
            current = False
        if mode == "write" and not current:
            write_atomic(target, text)
            click.echo(f"wrote {target}")
        elif not current:
            stale.append(target)
        if mode is None:
            click.echo(f"{target}: {'current' if current else 'stale'}")
    if mode == "check" and stale:
        for target in stale:
            click.echo(f"{target} is out of date; run `{regenerate}`", err=True)
        sys.exit(EXIT_FINDINGS)


@cli.command()
@write_option
@check_option
@click.option("--dir", "folder", default="schemas", show_default=True, type=click.Path(file_okay=False),
              help="The schemas folder.")
def schema(mode: str | None, folder: str) -> None:
    """Generate the JSON Schemas of the policy kinds (schemas/*.schema.json).

    Without an option, lists the schema files and whether each is current.
    """
    from cxpolicy import schema as schemas

    files = {os.path.join(folder, name): text for name, text in schemas.generated_files().items()}
    sync_generated(files, mode, "cxpolicy schema --write")


@cli.command()
@write_option
@check_option
@click.option("--dir", "folder", default="docs", show_default=True, type=click.Path(file_okay=False),
              help="The docs folder.")
def docs(mode: str | None, folder: str) -> None:
    """Generate the reference pages in docs/ from the models and the rule catalogue."""
    from cxpolicy.render import format_docs

    files = {os.path.join(folder, "format.md"): format_docs.render()}
    sync_generated(files, mode, "cxpolicy docs --write")


def main() -> None:
    """Entry point: no traceback ever reaches a user."""
    try:
        cli(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("cxpolicy: interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # a bug: say so in one line, and how to see more
        if os.environ.get("CXPOLICY_DEBUG"):
            raise
        click.echo(f"cxpolicy: internal error: {type(error).__name__}: {error} "
                   "(set CXPOLICY_DEBUG=1 to see where, and please report it)", err=True)
        sys.exit(EXIT_USAGE)
