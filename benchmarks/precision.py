"""Precision over the corpus of single mistakes: how many are caught, and how many findings each gives.

    python benchmarks/precision.py

Each mistake of tests/precision_corpus.py is made in a fresh copy of policies/ and checked; what the
check reports beyond the unchanged repository's findings is what the mistake caused. Printed:
mistakes caught at their line, errors and warnings per mistake, findings in another file than the
mistake's, and findings that call a defined entity unknown. docs/precision.md records the result.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import precision_corpus as corpus  # noqa: E402


def main() -> int:
    defined = corpus.defined_ids()
    results = [corpus.measure(mistake) for mistake in corpus.MISTAKES]
    missed = [result for result in results if result.root is None]
    findings = sum(len(result.findings) for result in results)
    elsewhere = sum(len(result.elsewhere) for result in results)
    false = sum(len(result.false_unknowns(defined)) for result in results)
    for result in missed:
        print(f"missed: {result.mistake.name} (want {result.mistake.code} at {result.mistake.file}:{result.line})")
    print(f"mistakes:                   {len(results)}")
    print(f"caught at their line:       {len(results) - len(missed)}")
    print(f"findings per mistake:       {findings / len(results):.2f}  (errors and warnings, {findings} in all)")
    print(f"findings in another file:   {elsewhere}")
    print(f"false 'not a known' claims: {false}")
    return 1 if missed or false or findings > 1.1 * len(results) else 0


if __name__ == "__main__":
    sys.exit(main())
