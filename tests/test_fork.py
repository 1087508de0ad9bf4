"""Work split across two processes gives the answer one process gives."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from cxpolicy import engine, fork
from cxpolicy.catalogue import checks
from cxpolicy.rules import registry
from cxpolicy.rules.examples import BASE, TODAY


def test_the_second_piece_runs_in_another_process_and_its_result_comes_back():
    here, there = fork.alongside(os.getpid, os.getpid)
    assert here == os.getpid() != there


def test_a_piece_that_fails_in_the_child_is_done_here_instead():
    parent = os.getpid()

    def only_here() -> str:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return "done here"

    assert fork.alongside(lambda: 1, only_here) == (1, "done here")


def test_a_piece_that_fails_everywhere_raises_here():
    def broken() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        fork.alongside(lambda: 1, broken)


@pytest.mark.parametrize("check", [c for c in checks() if "CX200" <= c.code < "CX600"], ids=lambda c: c.code)
def test_rules_split_across_two_processes_find_what_one_process_finds(check, tmp_path, monkeypatch):
    (tmp_path / "policy.yaml").write_text(BASE + "---\n" + check.failing, encoding="utf-8")
    options = engine.Options(verbose=True, today=dt.date.fromisoformat(TODAY))
    alone = engine.run(str(tmp_path), options).outcome.findings
    monkeypatch.setattr(registry, "PARALLEL_FROM", 0)
    split = engine.run(str(tmp_path), options).outcome.findings
    assert split == alone and any(f.code == check.code for f in split)
