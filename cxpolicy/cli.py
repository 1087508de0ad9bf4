"""The command line. It parses arguments and wires the stages together; nothing else.

Heavy libraries are imported inside the commands that need them, so `--help`
and `--version` answer at once.
"""

from __future__ import annotations

import dataclasses
import errno
import gc
import io
import os
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from cxpolicy import __version__
from cxpolicy.render.neutral import terminal

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def default_root(start: str | None = None) -> str:
    """The nearest folder upward holding cxpolicy.yaml, else ./policies, else the current folder."""
    from cxpolicy.discover import project_root

    here = Path(start or os.getcwd()).resolve()
    found = project_root(str(here))
    if found is not None:
        return found
    if (here / "policies").is_dir():
        return str(here / "policies")
    return str(here)


def targets(paths: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The policy root the PATHs belong to, and the files and folders within it to report on (() for the
    whole root), as linters take file names: the root is the nearest folder upward holding cxpolicy.yaml;
    without one, the folder `check` uses from here (default_root) when that holds the path, else the
    path's folder. The whole root is always read: references need it."""
    if not paths:
        return default_root(), ()
    from cxpolicy.discover import project_root

    roots: dict[str, str] = {}
    parts: list[str] = []
    for path in paths:
        if not os.path.exists(path):
            fail_usage(f"'{path}' does not exist")
        here = Path(path).resolve()
        folder = here if here.is_dir() else here.parent
        root = project_root(str(folder))
        if root is None:  # no cxpolicy.yaml: the folder `check` uses from here, if it holds the path
            fallback = Path(default_root()).resolve()
            root = str(fallback if fallback in (here, *here.parents) else folder)
        roots.setdefault(root, path if Path(root) == here else os.path.relpath(root))
        relative = os.path.relpath(here, root)
        parts.append("" if relative == "." else relative.replace(os.sep, "/"))
    if len(roots) > 1:
        fail_usage(f"the paths belong to different policy repositories ({', '.join(sorted(roots))}); "
                   "check each one on its own")
    (shown,) = roots.values()
    return shown, () if "" in parts else tuple(parts)


def fail_usage(message: str) -> NoReturn:
    click.echo(f"cxpolicy: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def emit(text: str, output: str | None, *, colour: bool = False) -> None:
    """Print the rendered output (keeping its colours when `colour`, which click would strip off a
    terminal), or write it atomically to --output."""
    if output is None:
        try:
            click.echo(text, nl=False, color=True if colour else None)
            sys.stdout.flush()
        except OSError as error:  # a full disk (/dev/full), a closed pipe, a closed standard output
            fail_usage(f"cannot write the output: {error.strerror or error}")
        return
    from cxpolicy.atomic import write_atomic

    try:
        write_atomic(output, text)
    except OSError as error:
        fail_usage(f"cannot write {output}: {error.strerror or error}")


def _colour(choice: str = "auto") -> bool:
    """--color: always, never, or (auto) on a terminal unless NO_COLOR is set, or when FORCE_COLOR is
    (no-color.org and force-color.org: each counts when set to anything but the empty text)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def _ergonomics(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options CI and editors want on check and validate."""
    for option in reversed((
        click.option("-q", "--quiet", is_flag=True, help="Print only the summary, and nothing at all when clean."),
        click.option("--color", "color", type=click.Choice(["auto", "always", "never"]), default="auto",
                     show_default=True, help="Colour the text output (auto: on a terminal, unless NO_COLOR is set "
                                             "or FORCE_COLOR asks for it)."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the run (2 still means the "
                                                       "run could not be made)."),
        click.option("--stdin-filename", metavar="FILE", help="With PATH '-': the file whose text standard input "
                                                              "holds (an editor's unsaved buffer, say)."),
        click.option("--force-exclude", is_flag=True,
                     help="Leave out the named files that are not policy files (not YAML, outside a policy "
                          "repository, excluded in cxpolicy.yaml), as pre-commit wants, instead of refusing them."),
    )):
        command = option(command)
    return command


FORMATS = ("text", "json", "sarif", "github", "junit")

path_argument = click.argument("path", required=False, type=click.Path(file_okay=True, dir_okay=True))
paths_argument = click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path(file_okay=True, dir_okay=True))
format_option = click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
    help="text for people; json for tools; sarif for code scanning; github for workflow annotations; junit for CI.")
output_option = click.option("--output", "-o", type=click.Path(dir_okay=False),
                             help="Write to FILE (atomically) instead of standard output.")
verbose_option = click.option("-v", "--verbose", is_flag=True, help="Also list info-level findings.")
fail_on_option = click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True,
    help="The lowest severity that makes the run fail (exit 1).")
show_waived_option = click.option("--show-waived", is_flag=True, help="Also list the findings that waivers hide.")


today_option = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
                            help="Judge dates as of this day (YYYY-MM-DD).")


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
@paths_argument
@format_option
@output_option
@verbose_option
@fail_on_option
@_ergonomics
def validate(paths: tuple[str, ...], output_format: str, output: str | None, verbose: bool, fail_on: str,
             quiet: bool, color: str, exit_zero: bool, stdin_filename: str | None, force_exclude: bool) -> None:
    """Read every policy file strictly: YAML, schemas and references (CX1xx).

    Given files or subfolders, the whole policy repository they belong to is
    read and only their findings are reported. Exits 0 when clean, 1 when a
    finding at or above --fail-on exists, 2 when a PATH cannot be used.
    """
    _run(paths, output_format, output, fail_on, rules=False, verbose=verbose,
         shown=_Shown(quiet, color, exit_zero, stdin_filename, force_exclude=force_exclude))


@cli.command()
@paths_argument
@format_option
@output_option
@verbose_option
@fail_on_option
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these checks: codes, prefixes, names or Rule ids, comma-separated (CX4,cx201,unowned-touchpoint).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these checks (codes, prefixes, names or Rule ids).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Judge dates as of this day (YYYY-MM-DD); default: the project's `today`, else the real date.")
@show_waived_option
@click.option("--new-only", is_flag=True,
              help="Report (and fail on) only findings that the --base revision does not have.")
@click.option("--base", metavar="REF", help="With --new-only: the git revision to compare with, e.g. origin/main.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Report only findings not listed in this baseline file, and the entries now fixed.")
@click.option("--write-baseline", type=click.Path(dir_okay=False),
              help="Write every current finding to this baseline file (atomically) and exit 0.")
@click.option("--cache", "use_cache", is_flag=True,
              help="Reuse the findings of an identical earlier run (.cxpolicy_cache/ at the policy root).")
@click.option("--fix", "fix", flag_value="write",
              help="Apply the safe fixes (misspelt fields, kinds and ids with one clear meaning, yes/no words, "
                   "a waiver target's kind, a stale .github/CODEOWNERS), say what changed, then report the rest.")
@click.option("--diff", "fix", flag_value="diff",
              help="Print the safe fixes as a patch instead of writing them; exit 1 when there is one.")
@_ergonomics
def check(paths: tuple[str, ...], output_format: str, output: str | None, verbose: bool, fail_on: str,
          select: tuple[str, ...], ignore: tuple[str, ...], today: Any, show_waived: bool, new_only: bool,
          base: str | None, baseline_file: str | None, write_baseline: str | None, use_cache: bool,
          fix: str | None, quiet: bool, color: str, exit_zero: bool, stdin_filename: str | None,
          force_exclude: bool) -> None:
    """Everything validate finds, plus the gap, conflict and ownership checks (CX2xx-CX4xx).

    Given files or subfolders, the whole policy repository they belong to is
    checked and only their findings are reported. Exits 0 when clean, 1 when a
    finding at or above --fail-on exists, 2 when a PATH cannot be used.
    """
    if new_only and not base:
        fail_usage("--new-only needs --base REF, the revision to compare with (e.g. --base origin/main)")
    if base and not new_only:
        fail_usage("--base goes with --new-only")
    if fix and "-" in paths:
        fail_usage(f"--{fix if fix == 'diff' else 'fix'} mends files on disk; it cannot take standard input ('-')")
    _run(paths, output_format, output, fail_on, rules=True, verbose=verbose,
         select=_codes(select), ignore=_codes(ignore), today=today.date() if today else None,
         show_waived=show_waived, cache=use_cache and not fix, compare_with=base, baseline_file=baseline_file,
         write_baseline=write_baseline, shown=_Shown(quiet, color, exit_zero, stdin_filename, fix, force_exclude))


def _stdin(paths: tuple[str, ...], name: str | None) -> tuple[bytes, Path] | None:
    """For PATH '-': standard input's bytes and the file (--stdin-filename) whose text they are."""
    if "-" not in paths:
        if name is not None:
            fail_usage("--stdin-filename goes with the path '-' (standard input)")
        return None
    if name is None:
        fail_usage("the path '-' reads standard input: give --stdin-filename FILE, the file it holds")
    if len(paths) > 1:
        fail_usage("with '-' (standard input), give no other path")
    from cxpolicy.source import Limits

    here = Path(name)
    if not here.parent.is_dir():
        fail_usage(f"'{here.parent}' is not a folder (the folder of --stdin-filename)")
    return sys.stdin.buffer.read(Limits().max_file_bytes + 1), here  # past the limit: CX100, not a hang


@dataclasses.dataclass(frozen=True)
class _Shown:
    quiet: bool = False
    color: str = "auto"
    exit_zero: bool = False
    stdin_filename: str | None = None
    fix: str | None = None  # "write" (--fix) or "diff" (--diff)
    force_exclude: bool = False  # leave out named files that are not policy files


def _run(paths: tuple[str, ...], output_format: str, output: str | None, fail_on: str, *, rules: bool,
         compare_with: str | None = None, baseline_file: str | None = None, write_baseline: str | None = None,
         shown: _Shown = _Shown(), **options: Any) -> None:
    from cxpolicy import baseline, engine
    from cxpolicy.discover import PROJECT_FILE, PolicyPathError
    from cxpolicy.findings import Severity, stable_key

    given = _stdin(paths, shown.stdin_filename)
    read_from: Any = None  # a discover.Overlay when standard input stands for a file
    if shown.force_exclude and given is None and paths:
        paths = _in_policy_repositories(paths)
        if not paths:
            sys.exit(EXIT_CLEAN)  # nothing named is a policy file: nothing to check
    if given is None:
        root, parts = targets(paths)
    else:  # the file may not exist yet: its folder says which repository it belongs to
        data, name = given
        root, _ = targets((str(name.parent),))
        relative = os.path.relpath(name.resolve(), Path(root).resolve()).replace(os.sep, "/")
        if relative.startswith("../") or name.is_dir():
            fail_usage(f"--stdin-filename '{name}' must name a file inside the policy repository {root}")
        from cxpolicy.discover import Overlay

        parts, read_from = (relative,), Overlay(root, {relative: data})
    threshold = Severity(fail_on)
    settings = engine.Options(fail_on=threshold, **options)
    from cxpolicy.render.progress import Progress

    progress = Progress()
    try:
        result = engine.run(read_from or root, settings, rules=rules, progress=progress)
        progress.close()
        if shown.fix is not None:
            result, patch = _fixed(result, root, parts, settings, write=shown.fix == "write")
            if shown.fix == "diff":
                emit(patch, output)
                sys.exit(EXIT_FINDINGS if patch else EXIT_CLEAN)
        outcome = result.outcome
        if write_baseline is not None:
            count = baseline.write(write_baseline, outcome.findings)
            click.echo(f"wrote {count} finding{'s' if count != 1 else ''} to {write_baseline}")
            sys.exit(EXIT_CLEAN)
        if compare_with is not None:
            from cxpolicy import gitsource

            at_base = engine.run(gitsource.folder_at(root, compare_with), settings, rules=rules)
            outcome = outcome.without(Counter(stable_key(f) for f in at_base.outcome.findings))
        if baseline_file is not None:
            known = baseline.read(baseline_file)
            current = Counter(stable_key(f) for f in outcome.findings)
            outcome = dataclasses.replace(outcome.without(known), fixed=sorted((known - current).elements()))
    except (PolicyPathError, baseline.BaselineError, engine.SelectionError) as error:
        fail_usage(str(error))
    if parts:
        known = [*outcome.paths, *([PROJECT_FILE] if os.path.isfile(os.path.join(root, PROJECT_FILE)) else [])]
        unread = [part for part in parts if not any(p == part or p.startswith(part + "/") for p in known)]
        if unread and shown.force_exclude:
            parts = tuple(part for part in parts if part not in unread)
            if not parts:
                sys.exit(EXIT_CLEAN)
        elif unread:
            fail_usage(f"'{unread[0]}' holds no policy file of {root} (policy files end in .yaml or .yml and are "
                       "not excluded in cxpolicy.yaml)")
        outcome = outcome.only(parts)
    colour = output is None and _colour(shown.color)
    text = _render(outcome, output_format, threshold, colour=colour)
    if shown.quiet and output_format == "text":
        from cxpolicy.render.text import summary

        text = "" if not outcome.listed and not outcome.fixed else summary(outcome) + "\n"
    emit(text, output, colour=colour)
    sys.exit(EXIT_FINDINGS if outcome.failed(threshold) and not shown.exit_zero else EXIT_CLEAN)


def _in_policy_repositories(paths: tuple[str, ...]) -> tuple[str, ...]:
    """The folders, and the YAML files that lie in a policy repository (below a cxpolicy.yaml, or in the
    folder check uses from here), of `paths`: what --force-exclude keeps before the policy files are known."""
    from cxpolicy.discover import project_root

    fallback = Path(default_root()).resolve()
    kept = []
    for path in paths:
        here = Path(path).resolve()
        if here.is_dir() or (here.suffix in (".yaml", ".yml") and (
                project_root(str(here.parent)) is not None or fallback in here.parents)):
            kept.append(path)
    return tuple(kept)


#: Rounds of fixing at most: a fix can make another finding's fix clear (a kind mended, its fields read).
FIX_ROUNDS = 10


def _fixed(result: Any, root: str, parts: tuple[str, ...], settings: Any, *, write: bool) -> tuple[Any, str]:
    """The run after the safe fixes (fixes.py) in the named files, and the patch they make. With `write`,
    each changed file is written atomically and each fix is told on standard error."""
    from cxpolicy import engine, fixes
    from cxpolicy.atomic import write_atomic
    from cxpolicy.discover import Overlay

    texts: dict[str, bytes] = {}
    originals: dict[str, str] = {}
    made: list[tuple[str, Any]] = []
    for _ in range(FIX_ROUNDS):
        outcome = result.outcome.only(parts) if parts else result.outcome
        changed = False
        for relpath in sorted({finding.file for finding in outcome.findings if finding.fix}):
            if relpath not in originals:
                with open(os.path.join(root, relpath), encoding="utf-8") as handle:
                    originals[relpath] = handle.read()
            before = texts[relpath].decode("utf-8") if relpath in texts else originals[relpath]
            found = fixes.for_findings([f for f in outcome.findings if f.file == relpath], before)
            after = fixes.apply(before, found)
            if after != before:
                texts[relpath] = after.encode("utf-8")
                made.extend((relpath, fix) for fix in found)
                changed = True
        if not changed:
            break
        result = engine.run(Overlay(root, texts), settings)
    patch = "".join(fixes.diff(originals[relpath], texts[relpath].decode("utf-8"), relpath) for relpath in sorted(texts))
    codeowners = _stale_codeowners(result)
    if codeowners is not None:
        path, before, after = codeowners
        patch += fixes.diff(before, after, os.path.relpath(path, root).replace(os.sep, "/"))
    if write:
        for relpath, text in sorted(texts.items()):
            write_atomic(os.path.join(root, relpath), text.decode("utf-8"))
        for relpath, fix in made:
            finding = fix.finding
            written, wanted = finding.fix
            click.echo(terminal(f"fixed {os.path.normpath(os.path.join(root, relpath))}:{finding.line}:{finding.column}: {finding.code} "
                                f"{written} -> {wanted}"), err=True)
        if codeowners is not None:
            write_atomic(codeowners[0], codeowners[2])
            click.echo(f"fixed {codeowners[0]}: rewritten from the policy (it was out of date)", err=True)
        if texts:  # the files on disk are now what was checked last; read them so that positions match
            result = engine.run(root, settings)
    return result, patch


def _stale_codeowners(result: Any) -> tuple[str, str, str] | None:
    """(path, committed text, current text) of the repository's .github/CODEOWNERS when cxpolicy wrote it
    and it is out of date; None when it is current, absent, or someone else's."""
    if result.policy is None or result.graph is None:
        return None
    from cxpolicy.render import codeowners as renderer
    from cxpolicy.reports import codeowners as routing

    repo_root = routing.repository_root(result.policy.root)
    path = os.path.join(repo_root, ".github", "CODEOWNERS")
    committed, problem = renderer.read_committed(path)
    if problem is not None or not committed.startswith(renderer.HEADER.splitlines()[0]):
        return None
    current = renderer.render(routing.routes(result.policy, result.graph, repo_root).routes)
    return (path, committed, current) if committed != current else None


def _render(outcome: Any, output_format: str, fail_on: Any, *, colour: bool) -> str:
    from importlib import import_module

    renderer = import_module(f"cxpolicy.render.{output_format}")
    if output_format == "text":
        return renderer.render(outcome, colour=colour)
    if output_format == "junit":
        return renderer.render(outcome, fail_on)
    return renderer.render(outcome)


@cli.command()
@click.argument("base", metavar="BASE")
@path_argument
@click.option("--head", default="HEAD", show_default=True, metavar="REF", help="The revision to compare with BASE.")
@click.option("--format", "output_format", type=click.Choice(("text", "markdown", "json")), default="text",
              show_default=True, help="markdown suits a pull-request comment or $GITHUB_STEP_SUMMARY.")
@output_option
@today_option
def diff(base: str, path: str | None, head: str, output_format: str, output: str | None, today: Any) -> None:
    """What a change does to the policy between two git revisions: ownership moved or lost, standards
    tightened or loosened, targets raised or lowered, and the findings it introduces or resolves.

    Both revisions are read from git's objects; the working tree is not touched.
    """
    from importlib import import_module

    from cxpolicy import engine, gitsource, policyset
    from cxpolicy.reports import diff as diffs

    root = path or default_root()
    options = engine.Options(today=today.date() if today else None)
    try:
        before = engine.run(gitsource.folder_at(root, base), options)
        after = engine.run(gitsource.folder_at(root, head), options)
    except policyset.PolicyPathError as error:
        fail_usage(str(error))
    renderer = import_module(f"cxpolicy.render.report_{output_format}")
    emit(renderer.diff(diffs.build(before, after)), output)


@cli.command()
@click.argument("folder", required=False, default=".", type=click.Path())
@click.option("--force", is_flag=True, help="Replace the starter files that already exist.")
@click.option("--example", type=click.Choice(["retail"]),
              help="Write a full example policy set instead (retail: Northwind, the set in this tool's policies/).")
def init(folder: str, force: bool, example: str | None) -> None:
    """Start a policy repository in FOLDER (default: here): one commented document of each kind, the
    schemas and editor settings, a GitHub workflow, pre-commit hooks and a README. It checks clean at
    once. Existing files are never replaced without --force."""
    import datetime as dt

    from cxpolicy import starter

    if os.path.exists(folder) and not os.path.isdir(folder):
        fail_usage(f"'{folder}' is not a folder")
    today = dt.date.today()
    wanted = starter.example_files(example) if example else starter.files(
        today.isoformat(), today.replace(year=today.year + 1, day=min(today.day, 28)).isoformat())
    present = starter.existing(folder, wanted)
    if present and not force:
        shown = ", ".join(present[:5]) + (f" and {len(present) - 5} more" if len(present) > 5 else "")
        fail_usage(f"{folder} already has {shown}; nothing was written (use --force to replace them)")
    try:
        starter.write(folder, wanted)
    except OSError as error:
        fail_usage(f"cannot write the starter files: {error.strerror or error}")
    click.echo(f"Wrote {len(wanted)} files to {folder}. Next: cxpolicy check {folder}")


@cli.command("test")
@path_argument
@today_option
@click.option("--format", "output_format", type=click.Choice(["text", "junit"]), default="text", show_default=True,
              help="text for people; junit for CI test reports (one test case per rule test).")
@output_option
def test_rules(path: str | None, today: Any, output_format: str, output: str | None) -> None:
    """Run the rule tests (kind RuleTest) kept beside the rules: each passes when its rule reports exactly
    the entities it expects. Exits 1 when a test fails."""
    from cxpolicy import policyset, ruletests
    from cxpolicy.render import ruletests as renderer

    try:
        cases, errors = ruletests.run_all(path or default_root(), today.date() if today else None)
    except policyset.PolicyPathError as error:
        fail_usage(str(error))
    emit(renderer.junit(cases, errors) if output_format == "junit" else renderer.render(cases, errors), output)
    sys.exit(EXIT_FINDINGS if errors or not all(case.passed for case in cases) else EXIT_CLEAN)


def _own_rules(path: str | None) -> list[Any]:
    """The CX office's Rules (engine.OwnRule) of the policy repository at PATH, or of the one found from
    here (cxpolicy.yaml upward, or ./policies); none when PATH is not given and there is none."""
    from cxpolicy import engine
    from cxpolicy.discover import PolicyPathError

    root = path or default_root()
    if path is None and Path(root) == Path.cwd().resolve() and not (Path(root) / "cxpolicy.yaml").is_file():
        return []  # no repository found here: reading every YAML file below the current folder would surprise
    try:
        return engine.run(root, engine.Options(), rules=False).outcome.own_rules
    except PolicyPathError as error:
        if path is not None:
            fail_usage(str(error))
        return []


@cli.command("rules")
@path_argument
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people; json for tools.")
def list_rules(path: str | None, output_format: str) -> None:
    """List the checks: the built-in ones and the CX office's Rules in the policy repository at PATH
    (code, name, default severity, what each catches)."""
    import json

    from cxpolicy.catalogue import checks

    rows = [{"code": item.code, "name": item.slug, "severity": item.severity.value, "summary": item.summary,
             "origin": "built-in"} for item in checks()]
    rows += [{"code": rule.code, "name": rule.code, "severity": rule.severity.value, "summary": rule.summary,
              "origin": rule.file} for rule in _own_rules(path)]
    if output_format == "json":
        click.echo(json.dumps({"version": 1, "checks": rows}, indent=2, ensure_ascii=False))
        return
    for row in rows:
        name = row["name"] if row["origin"] == "built-in" else f"(rule in {row['origin']})"
        click.echo(terminal(f"{row['code']}  {name:<30} {row['severity']:<8} {row['summary']}"))


@cli.command()
@click.argument("code")
@path_argument
def explain(code: str, path: str | None) -> None:
    """Print a check's documentation: what it catches, why it matters, how to fix it, examples. CODE may
    also be the id of one of the CX office's Rules in the policy repository at PATH."""
    from cxpolicy.catalogue import CATALOGUE, checks
    from cxpolicy.render.rule_docs import page
    from cxpolicy.suggest import did_you_mean

    checks()
    wanted = code.strip().upper()
    found = CATALOGUE.get(wanted) or next((c for c in CATALOGUE.values() if c.slug == code.strip().lower()), None)
    if found is not None:
        click.echo(page(found, heading="#"), nl=False)
        return
    own = {rule.code: rule for rule in _own_rules(path)}
    rule = own.get(code.strip())
    if rule is None:
        choices = [*CATALOGUE, *own]
        fail_usage(f"no check is called '{code}'.{did_you_mean(code.strip(), choices)} See `cxpolicy rules`.")
    parts = [f"# {rule.code}", f"The CX office's rule, in {rule.file} (severity {rule.severity.value}).", rule.summary,
             *([rule.help] if rule.help else [])]
    click.echo("\n\n".join(terminal(part) for part in parts))


def _checked(path: str | None, today: Any = None) -> Any:
    """The checked policy set (engine.Run) at PATH, or a usage error."""
    from cxpolicy import engine, policyset

    try:
        return engine.run(path or default_root(), engine.Options(today=today))
    except policyset.PolicyPathError as error:
        fail_usage(str(error))


REPORT_FORMATS = ("text", "markdown", "csv", "json", "html")
report_format_option = click.option(
    "--format", "output_format", type=click.Choice(REPORT_FORMATS), default="text", show_default=True,
    help="text for a terminal, markdown for a pull request or wiki, csv for a spreadsheet, json for tools, "
         "html for the browser report (the whole page, whichever report).")


@cli.group()
def report() -> None:
    """Reports for the CX office, owners and executives."""


width_option = click.option("--width", type=click.IntRange(min=40), metavar="N",
                            help="With --format text: fit the tables to N columns (default: the terminal's width "
                                 "on a terminal; elsewhere, as wide as the content).")


def _width(width: int | None, output: str | None) -> int | None:
    """The width a text report is fitted to: --width, else the terminal's when printing to one."""
    if width is not None:
        return width
    if output is None and sys.stdout.isatty():
        import shutil

        return max(shutil.get_terminal_size().columns, 40)
    return None


def _report(kind: str, path: str | None, output_format: str, output: str | None, today: Any,
            team: str | None = None, history: int | None = None, width: int | None = None) -> None:
    from importlib import import_module

    from cxpolicy.reports import coverage, ownership

    result = _checked(path, today.date() if today else None)
    if team is not None and result.policy.get(f"team:{team}") is None:
        from cxpolicy.suggest import did_you_mean

        fail_usage(f"there is no team '{team}'.{did_you_mean(team, result.policy.entities.get('team', {}))}")
    owners = ownership.build(result.policy, result.graph, result.outcome.findings, team)
    scores = coverage.build(result.policy, result.graph)
    if output_format == "html":
        import datetime as dt

        from cxpolicy.render import report_html
        from cxpolicy.reports import executive

        day = today.date() if today else dt.date.today()
        scorecard, measured = _scorecard(result, day)
        view = executive.build(result, scores, waivers_as_of=day, measured=measured.findings if measured else (),
                               measured_waived=measured.waived if measured else ())
        text = report_html.page(owners, scores, result.outcome, title=result.policy.title, today=result.today,
                                view=view, policy=result.policy,
                                history=_history(path or default_root(), last=history) if history else None,
                                scorecard=scorecard)
    else:
        renderer = import_module(f"cxpolicy.render.report_{output_format}")
        fitted = {"width": _width(width, output)} if output_format == "text" else {}
        text = renderer.ownership(owners, **fitted) if kind == "ownership" else renderer.coverage(scores, **fitted)
    emit(text, output)


@report.command("ownership")
@path_argument
@report_format_option
@output_option
@today_option
@click.option("--team", help="Only this team and the teams reporting up through it: what they hold, and the "
                             "journeys they take part in.")
@click.option("--history", "history", type=click.IntRange(min=2), metavar="N",
              help="With --format html: add the history of the last N revisions of the policy folder (from git).")
@width_option
def report_ownership(path: str | None, output_format: str, output: str | None, today: Any, team: str | None,
                     history: int | None, width: int | None) -> None:
    """Who is accountable for what: by executive and team, per journey, and what is unowned."""
    if history and output_format != "html":
        fail_usage("--history adds a chart to the page: it goes with --format html (for the table, use "
                   "`cxpolicy report history`)")
    _report("ownership", path, output_format, output, today, team, history, width)


def _scorecard(result: Any, day: Any) -> tuple[Any, Any]:
    """The page's scorecard when the policy declares Datasets (measured with DuckDB), else None, with the
    measurement (the page puts its findings among what is at risk). Data that cannot be read is said on
    the page, which is still written."""
    if not result.policy.of("dataset"):
        return None, None
    from cxpolicy import measure as measuring
    from cxpolicy.reports import scorecard

    runner = measuring.DuckDB()
    try:
        found = measuring.measure(result, as_of=day, engine=runner)
        return scorecard.build(result, found), found
    except measuring.DataError as error:
        return scorecard.Scorecard(day, "month", None, error=str(error)), None
    finally:
        runner.close()


def _history(path: str, **options: Any) -> Any:
    from cxpolicy import policyset
    from cxpolicy.reports import history

    try:
        return history.build(path, **options)
    except policyset.PolicyPathError as error:
        fail_usage(str(error))


@report.command("history")
@path_argument
@click.option("--since", metavar="REF|DATE", help="Start after this revision, or at this date (YYYY-MM-DD).")
@click.option("--every", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="Every Nth revision (counted back from the latest, which is always shown).")
@click.option("--format", "output_format", type=click.Choice(("text", "markdown", "csv", "json")), default="text",
              show_default=True, help="text for a terminal, markdown for a wiki, csv for a spreadsheet, json for tools.")
@output_option
@width_option
def report_history(path: str | None, since: str | None, every: int, output_format: str, output: str | None,
                   width: int | None) -> None:
    """How the policy changed over time: at each past revision that changed the policy folder (date, commit,
    author), the coverage measures, findings by severity, unowned items, waivers in force and standards
    loosened. Read from git's objects; the working tree is not touched."""
    from importlib import import_module

    result = _history(path or default_root(), since=since, every=every)
    fitted = {"width": _width(width, output)} if output_format == "text" else {}
    emit(import_module(f"cxpolicy.render.report_{output_format}").history(result, **fitted), output)


@report.command("coverage")
@path_argument
@report_format_option
@output_option
@today_option
@width_option
def report_coverage(path: str | None, output_format: str, output: str | None, today: Any, width: int | None) -> None:
    """Per journey and segment: shares owned, promised, measured, targeted and heard."""
    _report("coverage", path, output_format, output, today, width=width)


@cli.command()
@path_argument
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the CODEOWNERS file here (atomically), e.g. .github/CODEOWNERS. Default: print it.")
@click.option("--check", "check_only", is_flag=True,
              help="Compare with the committed file (--output, default .github/CODEOWNERS at the repository root); "
                   "exit 1 and show the difference when it is stale.")
def codeowners(path: str | None, output: str | None, check_only: bool) -> None:
    """Route review of each policy file to the teams accountable for what it defines.

    Paths are relative to the repository root (the folder holding .git), even
    when the policy folder is below it.
    """
    from cxpolicy.render import codeowners as renderer
    from cxpolicy.reports import codeowners as routing

    result = _checked(path)
    repo_root = routing.repository_root(result.policy.root)
    found = routing.routes(result.policy, result.graph, repo_root)
    text = renderer.render(found.routes)
    for relpath in found.unroutable:
        click.echo(renderer.unroutable(relpath), err=True)
    if not check_only:
        emit(text, output)
        sys.exit(EXIT_FINDINGS if found.unroutable else EXIT_CLEAN)
    committed_path = output or os.path.join(repo_root, ".github", "CODEOWNERS")
    committed, problem = renderer.read_committed(committed_path)
    if problem is not None:
        click.echo(f"{committed_path} {problem}; run `cxpolicy codeowners --output {committed_path}`", err=True)
        sys.exit(EXIT_FINDINGS)
    if committed != text:
        click.echo(renderer.difference(committed, text, committed_path), nl=False)
        click.echo(f"{committed_path} is out of date; run `cxpolicy codeowners --output {committed_path}`", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"{committed_path} is current.")
    sys.exit(EXIT_FINDINGS if found.unroutable else EXIT_CLEAN)


@cli.command()
@path_argument
@click.option("--format", "output_format", type=click.Choice(("dot", "graphml", "json", "mermaid")), default="json",
              show_default=True, help="dot (Graphviz), graphml (Gephi, yEd), json (networkx node-link), mermaid.")
@output_option
@click.option("--focus", metavar="KIND:ID", help="Only what lies near this entity, e.g. touchpoint:returns-portal.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="With --focus: how many steps away to include.")
@click.option("--relation", "relations", multiple=True, metavar="R",
              help="Only edges of this relation (repeatable): accountable, contains, applies_to, drives...")
def graph(path: str | None, output_format: str, output: str | None, focus: str | None, depth: int,
          relations: tuple[str, ...]) -> None:
    """Export the dependency graph: nodes are kind:id, edges carry their relation."""
    from cxpolicy.render.graph_export import RENDERERS

    result = _checked(path)
    if focus is not None and focus not in result.graph.graph:
        from cxpolicy.suggest import did_you_mean

        fail_usage(f"'{focus}' is not in the policy graph.{did_you_mean(focus, result.graph.graph.nodes)}")
    known = {key for _, _, key in result.graph.graph.edges(keys=True)}
    for relation in relations:
        if relation not in known:
            fail_usage(f"there is no relation '{relation}'. Relations: {', '.join(sorted(known))}.")
    view = result.graph.view(focus, depth, relations)
    emit(RENDERERS[output_format](view, result.policy), output)


@cli.command()
@click.argument("name", metavar="KIND:ID")
@path_argument
@click.option("--format", "output_format", type=click.Choice(("text", "markdown", "json")), default="text",
              show_default=True, help="Output format.")
@output_option
def impact(name: str, path: str | None, output_format: str, output: str | None) -> None:
    """What depends on an entity; for a team, what its removal would leave unowned or without an executive."""
    from importlib import import_module

    from cxpolicy.reports import impact as impacts
    from cxpolicy.suggest import did_you_mean

    result = _checked(path)
    try:
        found = impacts.build(result.policy, result.graph, name, result.today)
    except impacts.UnknownEntity:
        names = [entity.name for kind in result.policy.entities for entity in result.policy.of(kind)]
        fail_usage(f"'{name}' is not a known entity (write kind:id, e.g. team:customer-care).{did_you_mean(name, names)}")
    renderer = import_module(f"cxpolicy.render.report_{output_format}")
    emit(renderer.impact(found), output)


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
@path_argument
@click.option("--period", type=click.Choice(("week", "month", "quarter")), default="month", show_default=True,
              help="The period attainment is counted over; findings are about the latest complete one.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Measure as of this day (YYYY-MM-DD); default: today.")
@click.option("--engine", "engine_name", type=click.Choice(("duckdb", "spark")), default="duckdb", show_default=True,
              help="duckdb: embedded, reads the files in place; spark: the same computation on Apache Spark.")
@click.option("--spark-master", metavar="URL", help="With --engine spark: the cluster master (default local[*]).")
@click.option("--spark-remote", metavar="URL", help="With --engine spark: a Spark Connect server, e.g. sc://host:15002.")
@click.option("--memory-limit", metavar="SIZE", help="With --engine duckdb: the most memory DuckDB may use, e.g. 2GB "
                                                   "(default: DuckDB's own, 80% of the machine's).")
@click.option("--format", "output_format", type=click.Choice(("text", "json", "markdown", "csv")), default="text",
              show_default=True, help="text for people; json for tools; markdown for a wiki; csv for a spreadsheet.")
@output_option
@fail_on_option
@show_waived_option
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the run (2 still means the data "
                                               "could not be read).")
def measure(path: str | None, period: str, as_of: Any, engine_name: str, spark_master: str | None,
            spark_remote: str | None, memory_limit: str | None, output_format: str, output: str | None, fail_on: str,
            show_waived: bool, exit_zero: bool) -> None:
    """Whether the promises are kept: each interaction of the Datasets judged against the promise in force
    for its touchpoint, segment and metric, attainment per standard, segment and period against what the
    standard promises, and each KPI's actuals against the line to its targets (CX6xx).

    Its own command, not part of check: a pull request that edits YAML is not failed by last month's
    calls. Exits 0 when every promise is kept, 1 when a finding at or above --fail-on exists, 2 when
    the data cannot be read.
    """
    import datetime as dt

    from cxpolicy import engine, policyset
    from cxpolicy import measure as measuring
    from cxpolicy.findings import Severity
    from cxpolicy.render import measurement

    if (spark_master or spark_remote) and engine_name != "spark":
        fail_usage("--spark-master and --spark-remote go with --engine spark")
    if memory_limit and engine_name != "duckdb":
        fail_usage("--memory-limit goes with --engine duckdb (Spark's memory is set in its own configuration)")
    day = as_of.date() if as_of else dt.date.today()
    try:
        # The policy and its graph, not the checks: their findings are check's to report.
        result = engine.run(path or default_root(), engine.Options(today=day), rules=False)
    except policyset.PolicyPathError as error:
        fail_usage(str(error))
    from cxpolicy.graph import PolicyGraph

    result = dataclasses.replace(result, graph=PolicyGraph(result.policy))
    if not result.policy.of("dataset"):
        fail_usage(f"{result.policy.root} declares no Dataset: nothing to measure (docs/format.md, kind Dataset)")
    try:
        runner = measuring.Spark(spark_master, spark_remote) if engine_name == "spark" else measuring.DuckDB(memory_limit)
    except ImportError as error:
        fail_usage(f"--engine {engine_name} needs {error.name}: pip install "
                   f"{'pyspark' if engine_name == 'spark' else 'duckdb'}")
    except measuring.DataError as error:
        fail_usage(str(error))
    try:
        found = measuring.measure(result, period=period, as_of=day, engine=runner)
    except measuring.DataError as error:
        fail_usage(str(error))
    finally:
        runner.close()
    threshold = Severity(fail_on)
    # The checks' findings are check's to report, but an error in reading the policy (a misspelt metric,
    # an unknown team) can make the measurement wrong without a sign: those are reported here too.
    broken = [f for f in result.outcome.findings if f.severity is Severity.ERROR]
    hidden = [engine.Waived(finding, waiver.id, waiver.spec.reason) for finding, waiver in found.waived]
    outcome = engine.decide([*broken, *found.findings], result.policy.project.rules,
                            engine.Options(fail_on=threshold, show_waived=show_waived),
                            root=result.policy.root, files=len(result.policy.files), entities=len(result.policy),
                            waived=hidden)
    if output_format == "text":
        colour = output is None and _colour("auto")
        text = measurement.text(found, result.policy, outcome, colour=colour, width=_width(None, output))
    else:
        renderer = {"json": measurement.json_document, "markdown": measurement.markdown, "csv": measurement.csv}
        text, colour = renderer[output_format](found, result.policy, outcome), False
    emit(text, output, colour=colour)
    sys.exit(EXIT_FINDINGS if outcome.failed(threshold) and not exit_zero else EXIT_CLEAN)


@cli.command()
@click.option("--stdio", is_flag=True, help="Talk over standard input and output (the default and only way; "
                                           "editors often pass it).")
def lsp(stdio: bool) -> None:
    """Run the language server, for editors: every finding as you type, completion of ids and fields,
    hover, go to definition, find references, rename, and quick fixes (docs/editors.md)."""
    from cxpolicy.lsp import serve

    serve()


@cli.command()
@write_option
@check_option
@click.option("--dir", "folder_option", type=click.Path(file_okay=False), help="The schemas folder (as FOLDER).")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
def schema(mode: str | None, folder_option: str | None, folder: str | None) -> None:
    """Generate the JSON Schemas of the policy kinds into FOLDER (default: schemas): one per kind, and
    cxpolicy.schema.json, the one an editor applies to every policy file (docs/editors.md).

    Without an option, lists the schema files and whether each is current.
    """
    from cxpolicy import schema as schemas

    if folder and folder_option and folder != folder_option:
        fail_usage("give the schemas folder once, as FOLDER or as --dir")
    folder = folder or folder_option or "schemas"
    if mode == "write":
        os.makedirs(folder, exist_ok=True)
    files = {os.path.join(folder, name): text for name, text in schemas.generated_files().items()}
    sync_generated(files, mode, f"cxpolicy schema --write {folder}" if folder != "schemas" else "cxpolicy schema --write")


@cli.command()
@write_option
@check_option
@click.option("--dir", "folder", default="docs", show_default=True, type=click.Path(file_okay=False),
              help="The docs folder.")
def docs(mode: str | None, folder: str) -> None:
    """Generate the reference pages in docs/ from the models and the rule catalogue."""
    from cxpolicy.render import format_docs, language_docs, rule_docs

    files = {
        os.path.join(folder, "format.md"): format_docs.render(),
        os.path.join(folder, "rules.md"): rule_docs.catalogue_page(),
        os.path.join(folder, "rules-language.md"): language_docs.render(),
    }
    sync_generated(files, mode, "cxpolicy docs --write")


def main() -> None:
    """Entry point: no traceback ever reaches a user."""
    # One command, then exit: the cyclic collector is left off for the whole process, or it
    # would rescan every object of a large policy set while the findings are rendered.
    gc.disable()
    sys.stdout = sys.stdout or _Closed("standard output")  # started with `>&-`: say so, never crash
    sys.stderr = sys.stderr or _Closed("standard error")
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt)  # not KeyboardInterrupt, which click answers itself
    try:
        code = cli.main(standalone_mode=False)
        code = code if isinstance(code, int) else EXIT_CLEAN
    except SystemExit as done:
        # Leave from inside this block: once it ends, the traceback lets go of the whole policy set,
        # and freeing it object by object would cost a large run a noticeable time.
        if done.code is not None and not isinstance(done.code, int):
            _say(str(done.code))
        _leave(done.code if isinstance(done.code, int) else (0 if done.code is None else EXIT_USAGE))
    except (Interrupted, KeyboardInterrupt, click.exceptions.Abort):
        code = _interrupted()
    except Exception as error:
        code = _interrupted() if _CTRL_C.is_set() else _failed(error)
    _leave(code)


def _failed(error: Exception) -> int:
    """The exit code and one-line message for an exception that ended a command."""
    if isinstance(error, click.ClickException):  # a usage error: click's own one-line message
        error.show()
        return EXIT_USAGE
    if isinstance(error, OSError) and error.errno in (errno.EPIPE, errno.ENOSPC, errno.EBADF, errno.EIO):
        _say(f"cxpolicy: error: cannot write the output: {error.strerror or error}")
    elif os.environ.get("CXPOLICY_DEBUG"):
        raise error
    else:  # a bug: say so in one line, and how to see more
        _say(f"cxpolicy: internal error: {type(error).__name__}: {error} "
             "(set CXPOLICY_DEBUG=1 to see where, and please report it)")
    return EXIT_USAGE


class _Closed(io.TextIOBase):
    """A standard stream the process was started without: writing to it is an OSError like any other."""

    def __init__(self, name: str) -> None:
        self.name = name

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, f"{self.name} is closed")

    def isatty(self) -> bool:
        return False


class Interrupted(BaseException):
    """Ctrl-C: the run stops wherever it is (the readings stop their workers on the way out)."""


#: Set by Ctrl-C. A library may catch the Interrupted raised inside it and raise its own error
#: instead (pydantic-core, building a model's validator, raises SchemaError "Interrupted"): the
#: run was still stopped by the user, not by a bug.
_CTRL_C = threading.Event()


def _interrupt(signum: int, frame: Any) -> None:
    _CTRL_C.set()
    raise Interrupted


def _interrupted() -> int:
    _say("cxpolicy: interrupted")
    return 130


def _say(line: str) -> None:
    try:
        click.echo(line, err=True)
    except OSError:
        pass  # no standard error to say it on


def _leave(code: int) -> NoReturn:
    """Flush what was printed and end the process. Every file is written (atomically) and closed by now:
    tearing the policy set down object by object would take a large run a noticeable time."""
    try:
        if not sys.stdout.closed:  # the language server closes it when the editor says goodbye
            sys.stdout.flush()
    except OSError as error:  # a closed standard output, a full disk (/dev/full), a closed pipe
        _say(f"cxpolicy: error: cannot write the output: {error.strerror or error}")
        code = code if code else EXIT_USAGE
    try:
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(code)
