"""Generate a realistic, valid policy repository of a given size, for benchmarks and scale tests.

    python benchmarks/generate.py --touchpoints 10000 --seed 1 OUT_DIR

The same size and seed give the same files, byte for byte. The repository
checks clean: every touchpoint is owned and promised something, every stage
change of team has a declared hand-off, every journey is heard, every KPI has
a baseline, targets and a source. About 85% of the files are journeys (5-6
stages of 4-6 touchpoints, written with their touchpoints and end-to-end
standard in one multi-document file), as in a large company's repository.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

EXECUTIVES = ["cco", "coo", "cdo", "cmo", "cfo", "cio"]
SEGMENTS = [("premium", "strategic"), ("new-customers", "growth"), ("business", "growth"),
            ("everyday", "core"), ("lapsed", "maintain")]
CHANNELS = [("web", "digital", "availability", "min", "99.9%", "%"),
            ("app", "digital", "availability", "min", "99.5%", "%"),
            ("phone", "assisted", "time-to-answer", "max", "60s", "s"),
            ("chat", "assisted", "time-to-first-response", "max", "90s", "s"),
            ("email", "assisted", "time-to-first-response", "max", "4h", "s"),
            ("store", "physical", "queue-time", "max", "5min", "min"),
            ("delivery", "physical", "on-time-delivery", "min", "95%", "%"),
            ("social", "assisted", "time-to-first-response", "max", "1h", "s")]
JOURNEY_NAMES = ["buy", "deliver", "return", "get-help", "onboard", "renew", "pay", "repair", "move", "upgrade"]
TODAY = "2026-11-22"


def _doc(kind: str, ident: str, body: str, title: str | None = None) -> str:
    title_line = f"  title: {title}\n" if title else ""
    return f"apiVersion: cxpolicy/v1\nkind: {kind}\nmetadata:\n  id: {ident}\n{title_line}spec:\n{body}"


def _team(ident: str, reports_to: str | None) -> str:
    line = "  executive: true\n" if reports_to is None else f"  reportsTo: {reports_to}\n"
    return _doc("Team", ident, f"{line}  codeowners: [\"@example/{ident}\"]\n", ident.replace("-", " ").title())


def _kpi(ident: str, owner: str, metric: str, unit: str, direction: str, indicator: str, baseline: float,
         targets: tuple[float, float], drives: list[str], scope: str = "") -> str:
    drives_line = f"  drives: [{', '.join(drives)}]\n" if drives else ""
    return _doc("KPI", ident, (
        f"  owner: {owner}\n  definition: {metric.replace('-', ' ')} measured for {ident}\n  metric: {metric}\n"
        f"  unit: \"{unit}\"\n  direction: {direction}\n  indicator: {indicator}\n"
        f"  baseline: {{value: {baseline}, asOf: 2026-09-30}}\n"
        f"  targets:\n    - {{value: {targets[0]}, by: 2027-06-30}}\n    - {{value: {targets[1]}, by: 2027-12-31}}\n"
        f"  source: Operational data warehouse, weekly extract\n{scope}{drives_line}"))


def generate(touchpoints: int, seed: int, out: Path) -> dict[str, int]:
    rng = random.Random(seed)
    files: dict[str, list[str]] = {}
    per_journey = 30  # 5-6 stages of 4-6 touchpoints, on average
    journeys = max(1, round(touchpoints / per_journey))
    team_count = max(8, journeys // 3)
    teams = [f"team-{index:04d}" for index in range(team_count)]

    files["teams/executives.yaml"] = [_team(e, None) for e in EXECUTIVES]
    for start in range(0, team_count, 25):
        group = teams[start:start + 25]
        files[f"teams/teams-{start // 25:03d}.yaml"] = [
            _team(t, EXECUTIVES[i % len(EXECUTIVES)] if i < 12 else teams[i % 12]) for i, t in
            ((teams.index(t), t) for t in group)]
    files["segments/segments.yaml"] = [
        _doc("Segment", name, f"  priority: {priority}\n  sponsor: {EXECUTIVES[i % len(EXECUTIVES)]}\n")
        for i, (name, priority) in enumerate(SEGMENTS)]
    files["channels/channels.yaml"] = [
        _doc("Channel", name, f"  type: {kind}\n  owner: {teams[i % team_count]}\n")
        for i, (name, kind, *_rest) in enumerate(CHANNELS)]

    standards, kpis = [], []
    for i, (name, _kind, metric, bound, value, unit) in enumerate(CHANNELS):
        owner = teams[i % team_count]
        direction = "increase" if bound == "min" else "decrease"
        standards.append(_doc("ServiceStandard", f"{name}-{metric}", (
            f"  owner: {owner}\n  appliesTo: {{channels: [{name}]}}\n  metric: {metric}\n"
            f"  objective: {{{bound}: {value}}}\n  attainment: 90%\n  measuredBy: {name}-{metric}\n")))
        if bound == "max":
            standards.append(_doc("ServiceStandard", f"{name}-{metric}-premium", (
                f"  owner: {owner}\n  appliesTo: {{channels: [{name}], segments: [premium]}}\n  metric: {metric}\n"
                f"  objective: {{max: {_halve(value)}}}\n  attainment: 95%\n  measuredBy: {name}-{metric}\n")))
        baseline, targets = (97.0, (98.0, 99.0)) if unit == "%" else (80.0, (70.0, 60.0))
        kpis.append(_kpi(f"{name}-{metric}", owner, metric, unit, direction, "leading", baseline, targets, ["nps"]))
    kpis.append(_kpi("nps", "cco", "nps", "score", "increase", "lagging", 30, (34.0, 38.0), []))
    files["standards/channels.yaml"] = standards
    files["kpis/channels.yaml"] = kpis

    journey_ids = []
    for index in range(journeys):
        journey_id = f"{JOURNEY_NAMES[index % len(JOURNEY_NAMES)]}-{index:05d}"
        journey_ids.append(journey_id)
        owner = teams[index % team_count]
        helper = teams[(index * 7 + 3) % team_count]
        size = touchpoints // journeys + (1 if index < touchpoints % journeys else 0)
        stage_count = min(max(1, size // 4), rng.choice([5, 6]))
        stage_sizes = [size // stage_count + (1 if s < size % stage_count else 0) for s in range(stage_count)]
        stage_touchpoints: list[list[tuple[str, str]]] = []
        documents = []
        for stage, count in enumerate(stage_sizes):
            members = []
            for k in range(count):
                tp_owner = helper if rng.random() < 0.2 else owner
                members.append((f"{journey_id}-s{stage}-t{k}", tp_owner))
            stage_touchpoints.append(members)
        for stage, members in enumerate(stage_touchpoints):
            following = stage_touchpoints[stage + 1] if stage + 1 < len(stage_touchpoints) else []
            next_owners = {o for _, o in following}
            for tp, tp_owner in members:
                channel = CHANNELS[rng.randrange(len(CHANNELS))][0]
                moment = "  momentOfTruth: true\n" if rng.random() < 0.1 else ""
                if rng.random() < 0.5:
                    owner_text = f"  owner: {tp_owner}\n"
                else:
                    other = helper if tp_owner == owner else owner
                    other_line = f"    responsible: [{other}]\n" if other != tp_owner else ""
                    owner_text = f"  owner:\n    accountable: {tp_owner}\n{other_line}"
                handoff = ""
                if following and tp_owner not in next_owners:
                    handoff = f"  handoffs:\n    - to: {following[0][0]}\n"
                documents.append(_doc("Touchpoint", tp, f"  channel: {channel}\n{owner_text}{moment}{handoff}",
                                      f"Touchpoint {tp}"))
        stages_text = "".join(
            f"    - id: s{stage}\n      title: Stage {stage + 1}\n"
            f"      touchpoints: [{', '.join(tp for tp, _ in members)}]\n"
            for stage, members in enumerate(stage_touchpoints))
        names = [name for name, _ in SEGMENTS]
        segments = names if index == 0 else sorted(rng.sample(names, 3))  # the first serves every segment
        journey = _doc("Journey", journey_id, (
            f"  owner: {owner}\n  segments: [{', '.join(segments)}]\n  stages:\n{stages_text}"
            f"  review: {{every: 90d, last: 2026-10-{rng.randint(1, 28):02d}}}\n"), f"Journey {journey_id}")
        standard = _doc("ServiceStandard", f"{journey_id}-resolved", (
            f"  owner: {owner}\n  appliesTo: {{journeys: [{journey_id}]}}\n  metric: time-to-resolve\n"
            f"  objective: {{max: {rng.choice([2, 3, 5, 7, 10])}d}}\n  measuredBy: {journey_id}-resolution\n"))
        kpi = _kpi(f"{journey_id}-resolution", owner, "time-to-resolve", "d", "decrease", "leading", 9.5,
                   (8.0, 6.5), ["nps"], f"  scope: {{journeys: [{journey_id}]}}\n")
        files[f"journeys/{journey_id}.yaml"] = [journey, *documents, standard, kpi]

    posts = []
    for start in range(0, journeys, 50):
        covered = journey_ids[start:start + 50]
        owner = teams[(start // 50) % team_count]
        fed = sorted({teams[(start + i) % team_count] for i in range(len(covered))} | set(EXECUTIVES))
        posts.append(_doc("ListeningPost", f"survey-{start // 50:04d}", (
            f"  owner: {owner}\n  method: survey\n  covers:\n    journeys: [{', '.join(covered)}]\n"
            f"  cadence: monthly\n  feeds: [{', '.join(fed)}]\n")))
    files["listening/surveys.yaml"] = posts

    files["cxpolicy.yaml"] = [(
        "apiVersion: cxpolicy/v1\nkind: Project\nmetadata:\n  id: generated\nspec:\n"
        f"  today: {TODAY}\n  metrics:\n"
        "    queue-time: {unit: min, direction: decrease, indicator: leading, channelSpecific: true}\n"
        "    on-time-delivery: {unit: \"%\", direction: increase, indicator: leading, channelSpecific: true}\n")]

    out.mkdir(parents=True, exist_ok=True)
    for relpath, documents in files.items():
        target = out / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("---\n".join(documents), encoding="utf-8")
    return {"files": len(files), "touchpoints": touchpoints, "journeys": journeys, "teams": team_count + len(EXECUTIVES)}


def _halve(value: str) -> str:
    number = "".join(ch for ch in value if ch.isdigit())
    unit = value[len(number):]
    return f"{max(1, int(number) // 2)}{unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touchpoints", type=int, required=True, help="how many touchpoints (e.g. 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same files)")
    parser.add_argument("out", type=Path, help="folder to write (created; must be empty or absent)")
    args = parser.parse_args(argv)
    if args.touchpoints < 1:
        parser.error("--touchpoints must be at least 1")
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    stats = generate(args.touchpoints, args.seed, args.out)
    print(", ".join(f"{value} {name}" for name, value in stats.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
