"""A git repository holding the example policy set with a year of believable history behind it.

    python benchmarks/history_example.py OUT [--revisions N]

Northwind's CX office started its policy repository in December 2025 from a workshop: some
touchpoints had no owner yet, few standards were measured by a KPI, the complaints tracker was not a
listening post, and Plus members were promised nothing faster than anyone else. Month by month the
gaps were closed; in June the chat promise was relaxed during a platform migration and restored in
August; in October a waiver deferred the trade journey's review. The last commit is `policies/`
exactly as it is in this repository. Every number `cxpolicy report history` then shows is computed
from these commits, none is written down.

With --revisions N (more than the 12 of the story), small edits (a title touched and put back)
follow the story until there are N commits: the history benchmark's 100 revisions.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "policies"
Files = dict[str, str]

#: (date, message) of each commit of the story, oldest first; the last is the example as it is.
MONTHS = [
    ("2025-12-01", "First policy set, from the CX office's workshop"),
    ("2026-01-12", "Owners for the phone lines"),
    ("2026-02-09", "Measure the contact-centre standards with their KPIs"),
    ("2026-03-16", "Plus members: the phone answered within 20 seconds; a lifetime-value target"),
    ("2026-04-13", "Owners for delivery and the click & collect desk; the monthly CX scorecard and the trade board"),
    ("2026-05-18", "The complaints tracker becomes a listening post"),
    ("2026-06-15", "Chat first response relaxed to 90 seconds during the platform migration; a churn target"),
    ("2026-07-20", "The CX office's own rules, with their tests"),
    ("2026-08-17", "Chat first response back to 60 seconds"),
    ("2026-09-14", "Plus members: chat answered within 30 seconds"),
    ("2026-10-19", "Defer the trade journey review until the new trade portal"),
    ("2026-11-22", "Quarterly review: the last owners and measures"),
]


def _documents(text: str) -> list[str]:
    """A file's `---` sections, each with its marker line."""
    return re.split(r"(?m)^(?=---\n)", text)


def _edit_document(files: Files, relpath: str, ident: str, change: Callable[[str], str]) -> None:
    sections = _documents(files[relpath])
    found = [index for index, section in enumerate(sections)
             if re.search(rf"(?m)^(metadata: \{{id: {re.escape(ident)}\b|  id: {re.escape(ident)}$)", section)]
    assert len(found) == 1, (relpath, ident)
    sections[found[0]] = change(sections[found[0]])
    files[relpath] = "".join(sections)


def without_document(relpath: str, ident: str) -> Callable[[Files], None]:
    return lambda files: _edit_document(files, relpath, ident, lambda section: "")


def without_line(relpath: str, ident: str, start: str) -> Callable[[Files], None]:
    def change(section: str) -> str:
        lines = section.split("\n")
        index = next(i for i, line in enumerate(lines) if line.startswith(start))
        return "\n".join(lines[:index] + lines[index + 1:])
    return lambda files: _edit_document(files, relpath, ident, change)


def without_block(relpath: str, ident: str, start: str) -> Callable[[Files], None]:
    """Without the line that begins with `start` and the more indented lines below it."""
    def change(section: str) -> str:
        lines = section.split("\n")
        index = next(i for i, line in enumerate(lines) if line.startswith(start))
        depth = len(start) - len(start.lstrip())
        end = index + 1
        while end < len(lines) and lines[end].strip() and len(lines[end]) - len(lines[end].lstrip()) > depth:
            end += 1
        return "\n".join(lines[:index] + lines[end:])
    return lambda files: _edit_document(files, relpath, ident, change)


def replaced(relpath: str, ident: str, old: str, new: str) -> Callable[[Files], None]:
    def change(section: str) -> str:
        assert old in section, (relpath, ident, old)
        return section.replace(old, new, 1)
    return lambda files: _edit_document(files, relpath, ident, change)


def without_file(relpath: str) -> Callable[[Files], None]:
    return lambda files: files.pop(relpath)


#: What the policy set lacked, and in which months: (first month, month it was fixed, edit).
STORY = [
    (0, 1, without_line("touchpoints/contact-centre.yaml", "returns-phone", "  owner: ")),
    (0, 1, without_line("touchpoints/contact-centre.yaml", "care-chat", "  owner: ")),
    (0, 2, without_line("standards/contact-centre.yaml", "email-first-response-4h", "  measuredBy: ")),
    (0, 2, without_line("standards/contact-centre.yaml", "social-first-response-1h", "  measuredBy: ")),
    (0, 2, without_line("standards/contact-centre.yaml", "help-resolved-2d", "  measuredBy: ")),
    (0, 3, without_document("standards/contact-centre.yaml", "phone-answer-plus-20s")),
    (0, 4, without_line("touchpoints/email.yaml", "dispatch-notification", "  owner: ")),
    (0, 4, without_line("touchpoints/stores-and-delivery.yaml", "store-collection-desk", "  owner: ")),
    (0, 5, without_document("listening/listening-posts.yaml", "complaints-tracker")),
    (6, 8, replaced("standards/contact-centre.yaml", "chat-first-response-60s", "{max: 60s}", "{max: 90s}")),
    (0, 7, without_file("rules/phone-ownership.yaml")),
    (0, 7, without_file("rules/plus-priority.yaml")),
    (0, 7, without_file("rules/plus-reviews.yaml")),
    (0, 9, without_document("standards/contact-centre.yaml", "chat-first-response-plus-30s")),
    (0, 4, without_document("listening/listening-posts.yaml", "trade-advisory-board")),
    (0, 4, without_document("listening/listening-posts.yaml", "cx-scorecard")),
    (0, 6, without_block("kpis/outcomes.yaml", "customer-churn", "  targets:")),
    (0, 3, without_block("kpis/outcomes.yaml", "customer-lifetime-value", "  targets:")),
    (0, 10, without_file("waivers/trade-review.yaml")),
    (0, 11, without_line("touchpoints/web.yaml", "web-click-collect", "  owner: ")),
]


def example() -> Files:
    return {path.relative_to(EXAMPLE).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(EXAMPLE.rglob("*.yaml"))}


_DATED = re.compile(r"\b(last|asOf): (\d{4}-\d{2}-\d{2})\b")


def at_month(month: int) -> Files:
    """The policy files as committed in that month of the story. A review or a baseline dated after the
    commit was, that month, dated the day of the commit (the workshop measured the baselines then)."""
    files = example()
    for first, fixed, edit in STORY:
        if first <= month < fixed:
            edit(files)
    day = MONTHS[month][0]
    for relpath, text in files.items():
        files[relpath] = _DATED.sub(lambda found: f"{found[1]}: {min(found[2], day)}", text)
    return files


def _git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Northwind CX Office", "GIT_AUTHOR_EMAIL": "cx-office@northwind.example",
           "GIT_COMMITTER_NAME": "Northwind CX Office", "GIT_COMMITTER_EMAIL": "cx-office@northwind.example",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T10:00:00+00:00"
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _write(repo: Path, files: Files) -> None:
    folder = repo / "policies"
    if folder.exists():
        shutil.rmtree(folder)
    for relpath, text in files.items():
        target = folder / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if (EXAMPLE / "data").is_dir():  # what the Datasets read, the same in every commit (one blob in git)
        shutil.copytree(EXAMPLE / "data", folder / "data")


def build(out: Path, revisions: int = len(MONTHS)) -> Path:
    """Write the repository to `out` (created; must not exist) and return its policy folder."""
    out.mkdir(parents=True)
    _git(out, "init", "-q", "-b", "main")
    for month, (date, message) in enumerate(MONTHS):
        _write(out, at_month(month))
        _git(out, "add", "-A")
        _git(out, "commit", "-q", "-m", message, date=date)
    final = example()
    journeys = sorted(path for path in final if path.startswith("journeys/"))
    for extra in range(max(revisions - len(MONTHS), 0)):
        relpath = journeys[extra % len(journeys)]
        files = dict(final)
        if extra % 2 == 0:  # a title touched, then put back: a change in one file
            files[relpath] = re.sub(r"(?m)^(  title: .*)$", r"\1 (draft)", files[relpath], count=1)
        _write(out, files)
        _git(out, "add", "-A")
        _git(out, "commit", "-q", "--allow-empty", "-m", f"Edit {relpath}", date=f"2026-11-{23 + extra // 10:02d}")
    return out / "policies"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create")
    parser.add_argument("--revisions", type=int, default=len(MONTHS), help="commits in all (at least the story's 12)")
    args = parser.parse_args()
    if args.out.exists():
        print(f"{args.out} exists; give a new folder", file=sys.stderr)
        return 2
    print(build(args.out, args.revisions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
