"""CX1xx: problems with the files themselves, found while loading.

These are found by the loader (source.py), the schema validator (schema.py) and
the reference resolver (references.py); this module is where they are declared
and documented.
"""

from cxpolicy.catalogue import Check
from cxpolicy.findings import Severity

_TEAM = """\
apiVersion: cxpolicy/v1
kind: Team
metadata:
  id: customer-care
  title: Customer Care
spec:
  executive: true
"""

YAML_SYNTAX = Check(
    code="CX100",
    slug="yaml-syntax",
    severity=Severity.ERROR,
    summary="A file that cannot be read as YAML: broken syntax, a wrong encoding, or a file too large or too deeply nested.",
    why="A file that cannot be read is a policy that silently does not apply: every team, touchpoint and "
        "standard in it would be missing from the checks and reports.",
    fix="Go to the line and column given. The usual causes are indentation that does not line up, a missing "
        "space after a colon, an unclosed bracket or quote, or a file saved in an encoding other than UTF-8.",
    failing=_TEAM.replace("  title: Customer Care\n", "  title: [Customer Care\n"),
    passing=_TEAM,
)

DUPLICATE_KEY = Check(
    code="CX101",
    slug="duplicate-key",
    severity=Severity.ERROR,
    summary="A key written twice in one mapping, where the second would silently win.",
    why="Most YAML readers keep only the last of two equal keys, so the first value (often the one a reviewer "
        "read) is thrown away without a word.",
    fix="Keep one of the two keys and delete the other. Both lines are named in the message.",
    failing=_TEAM + "  lead: Dana Ortiz\n  lead: Sam Reyes\n",
    passing=_TEAM + "  lead: Dana Ortiz\n",
)

AMBIGUOUS_SCALAR = Check(
    code="CX102",
    slug="ambiguous-scalar",
    severity=Severity.ERROR,
    summary="A value or key that YAML readers disagree about (`yes`, `off`, `1:30`, `0755`), a merge key, or a tag.",
    why="YAML 1.1 readers turn `yes`, `no`, `on`, `off`, `y` and `n` into true/false, `1:30` into 5400 and `0755` "
        "into 493; YAML 1.2 readers keep them as text. A policy must mean the same in every tool that reads it. "
        "Tags such as `!!python/object` ask a reader to build program objects, which a policy file never needs.",
    fix="Write `true` or `false` for a yes/no field; put text in quotes (`\"on\"`); write durations as `90min`; "
        "remove tags and merge keys (`<<`) and write the values out. Where a field only accepts a fixed list of "
        "words that includes the word (a rule severity of `off`), the plain word is fine.",
    failing=_TEAM.replace("executive: true", "executive: yes"),
    passing=_TEAM,
)

SCHEMA = Check(
    code="CX103",
    slug="schema",
    severity=Severity.ERROR,
    summary="A document that breaks its kind's schema: an unknown or misspelt field, a wrong type, a missing field.",
    why="A misspelt field is silently ignored by a lenient reader: `momentOfTruht: true` would leave a moment of "
        "truth unprotected by the checks built for it.",
    fix="Use the field names of docs/format.md. The message suggests the closest allowed name for a misspelt "
        "field and lists the allowed values for a field that takes one of a fixed list.",
    failing=_TEAM.replace("executive: true", "executiv: true"),
    passing=_TEAM,
)

UNKNOWN_REFERENCE = Check(
    code="CX104",
    slug="unknown-reference",
    severity=Severity.ERROR,
    summary="A reference to an id that does not exist, with the closest existing id suggested.",
    why="A reference to a team, touchpoint or KPI that does not exist is an ownership or measurement line that "
        "leads nowhere: the customer-facing promise behind it has nobody and nothing behind it.",
    fix="Correct the id to one that exists (the message suggests the closest), or add the missing entity.",
    failing=_TEAM + "---\n" + _TEAM.replace("id: customer-care", "id: returns-desk").replace(
        "executive: true", "reportsTo: customer-cares"),
    passing=_TEAM + "---\n" + _TEAM.replace("id: customer-care", "id: returns-desk").replace(
        "executive: true", "reportsTo: customer-care"),
)

DUPLICATE_ID = Check(
    code="CX105",
    slug="duplicate-id",
    severity=Severity.ERROR,
    summary="Two documents of one kind with the same id; both places are named.",
    why="With two definitions of one entity, which owner or standard applies depends on file order: "
        "reviewers and tools can read different answers from the same repository.",
    fix="Rename one of the two, or merge them into one document.",
    failing=_TEAM + "---\n" + _TEAM,
    passing=_TEAM + "---\n" + _TEAM.replace("id: customer-care", "id: customer-care-emea"),
)

UNKNOWN_KIND = Check(
    code="CX106",
    slug="unknown-kind",
    severity=Severity.ERROR,
    summary="A document with an unknown `kind` or an unsupported `apiVersion`.",
    why="A document of an unknown kind is ignored by every check, so whatever it was meant to promise or assign "
        "does not count.",
    fix="Use one of the kinds of docs/format.md (the message suggests the closest) and `apiVersion: cxpolicy/v1`.",
    failing=_TEAM.replace("kind: Team", "kind: Teams"),
    passing=_TEAM,
)

HELD_BACK = Check(
    code="CX107",
    slug="held-back",
    severity=Severity.INFO,
    summary="Findings about other policies held back while a document they depend on is broken.",
    why="A verdict that rests on a document cxpolicy cannot read would be a guess: with a journey file that does "
        "not parse, every touchpoint in it would look orphaned. Such findings wait until the mistake is fixed, and "
        "the broken file says how many wait, so one mistake gives one finding and nothing passes unseen.",
    fix="Fix the errors reported in the file; the checks held back run again on the next check.",
    failing=_TEAM.replace("executive: true", "executiv: true") + "---\n" + _TEAM.replace(
        "id: customer-care", "id: returns-desk").replace("executive: true", "reportsTo: customer-care"),
    passing=_TEAM + "---\n" + _TEAM.replace("id: customer-care", "id: returns-desk").replace(
        "executive: true", "reportsTo: customer-care"),
)
