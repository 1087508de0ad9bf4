"""Did-you-mean: the closest known name to a misspelt one.

A short list (the fields allowed in a mapping, the kinds) is compared whole.
The ids of a large policy set are looked up through an index of their
three-letter pieces, so each unknown name costs about as much as the names
that share its rarest pieces, never a comparison with every entity: a file of
thousands of dangling references stays linear in its size.
"""

from __future__ import annotations

import difflib
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable

#: Below this many choices, comparing with each is cheaper than indexing them.
INDEX_FROM = 200
#: Candidates taken from the index and compared in full.
CANDIDATES = 10
#: Postings read per lookup at most, rarest pieces first.
BUDGET = 2048


def _pieces(word: str) -> set[str]:
    padded = f"\0{word.lower()}\0"
    return {padded[index:index + 3] for index in range(len(padded) - 2)}


class Suggestions:
    """The known names of one kind, ready to suggest the closest to an unknown one."""

    def __init__(self, choices: Iterable[str]) -> None:
        self.options = sorted(set(choices))
        self.folded = {option.lower(): option for option in reversed(self.options)}
        self.index: dict[str, list[int]] | None = None
        if len(self.options) >= INDEX_FROM:
            index: dict[str, list[int]] = defaultdict(list)
            for position, option in enumerate(self.options):
                for piece in _pieces(option):
                    index[piece].append(position)
            self.index = dict(index)
        self._seen: dict[str, str | None] = {}

    def closest(self, word: str) -> str | None:
        """The choice most like `word`, or None when nothing is close enough to be a likely typo."""
        if word in self._seen:
            return self._seen[word]
        found = self.folded.get(word.lower())
        if found is None:
            matches = difflib.get_close_matches(word, self._candidates(word), n=1, cutoff=0.6)
            found = matches[0] if matches else None
        self._seen[word] = found
        return found

    def _candidates(self, word: str) -> list[str]:
        if self.index is None:
            return self.options
        postings = sorted((self.index.get(piece, ()) for piece in _pieces(word)), key=len)
        shared: Counter[int] = Counter()
        budget = BUDGET
        for positions in postings:
            if len(positions) > budget:
                break
            shared.update(positions)
            budget -= len(positions)
        best = heapq.nsmallest(CANDIDATES, shared.items(), key=lambda item: (-item[1], item[0]))
        return [self.options[position] for position, _ in best]


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice most like `word` (for a short list; index a long one once with Suggestions)."""
    return Suggestions(choices).closest(word)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`" Did you mean 'x'?"`, or an empty string."""
    match = closest(word, choices)
    return f" Did you mean '{match}'?" if match is not None else ""
