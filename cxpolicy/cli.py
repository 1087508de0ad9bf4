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


FORMATS = ("text", "json", "sarif", "github", "junit")

path_argument = click.argument("path", required=False, type=click.Path(file_okay=True, dir_okay=True))
format_option = click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
    help="text for people; json for tools; sarif for code scanning; github for workflow annotations; junit for CI.")
output_option = click.option("--output", "-o", type=click.Path(dir_okay=False),
                             help="Write to FILE (atomically) instead of standard output.")
verbose_option = click.option("-v", "--verbose", is_flag=True, help="Also list info-level findings.")
fail_on_option = click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True,
    help="The lowest severity that makes the run fail (exit 1).")


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


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
@verbose_option
@fail_on_option
def validate(path: str | None, output_format: str, output: str | None, verbose: bool, fail_on: str) -> None:
    """Read every policy file strictly: YAML, schemas and references (CX1xx).

    Exits 0 when clean, 1 when a finding at or above --fail-on exists, 2 when
    PATH cannot be used.
    """
    _run(path, output_format, output, fail_on, rules=False, verbose=verbose)


@cli.command()
@path_argument
@format_option
@output_option
@verbose_option
@fail_on_option
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these checks (codes or prefixes, comma-separated: CX4,CX201).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these checks (codes or prefixes).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Judge dates as of this day (YYYY-MM-DD); default: the project's `today`, else the real date.")
def check(path: str | None, output_format: str, output: str | None, verbose: bool, fail_on: str,
          select: tuple[str, ...], ignore: tuple[str, ...], today: Any) -> None:
    """Everything validate finds, plus the gap, conflict and ownership checks (CX2xx-CX4xx).

    Exits 0 when clean, 1 when a finding at or above --fail-on exists, 2 when
    PATH cannot be used.
    """
    _run(path, output_format, output, fail_on, rules=True, verbose=verbose, select=_codes(select),
         ignore=_codes(ignore), today=today.date() if today else None)


def _run(path: str | None, output_format: str, output: str | None, fail_on: str, *, rules: bool,
         **options: Any) -> None:
    from cxpolicy import engine, policyset
    from cxpolicy.findings import Severity

    root = path or default_root()
    threshold = Severity(fail_on)
    try:
        result = engine.run(root, engine.Options(fail_on=threshold, **options), rules=rules)
    except policyset.PolicyPathError as error:
        fail_usage(str(error))
    emit(_render(result.outcome, output_format, threshold, colour=output is None and _colour()), output)
    sys.exit(EXIT_FINDINGS if result.outcome.failed(threshold) else EXIT_CLEAN)


def _render(outcome: Any, output_format: str, fail_on: Any, *, colour: bool) -> str:
    from importlib import import_module

    renderer = import_module(f"cxpolicy.render.{output_format}")
    if output_format == "text":
        return renderer.render(outcome, colour=colour)
    if output_format == "junit":
        return renderer.render(outcome, fail_on)
    return renderer.render(outcome)


@cli.command("rules")
def list_rules() -> None:
    """List the built-in checks: code, slug, default severity, what each catches."""
    from cxpolicy.catalogue import checks

    for item in checks():
        click.echo(f"{item.code}  {item.slug:<30} {item.severity.value:<8} {item.summary}")


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print a check's documentation: what it catches, why it matters, how to fix it, examples."""
    from cxpolicy.catalogue import CATALOGUE, checks
    from cxpolicy.render.rule_docs import page
    from cxpolicy.suggest import did_you_mean

    checks()
    wanted = code.strip().upper()
    found = CATALOGUE.get(wanted) or next((c for c in CATALOGUE.values() if c.slug == code.strip().lower()), None)
    if found is None:
        fail_usage(f"no check is called '{code}'.{did_you_mean(wanted, CATALOGUE)} See `cxpolicy rules`.")
    click.echo(page(found, heading="#"), nl=False)


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
    from cxpolicy.render import format_docs, rule_docs

    files = {
        os.path.join(folder, "format.md"): format_docs.render(),
        os.path.join(folder, "rules.md"): rule_docs.catalogue_page(),
    }
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
