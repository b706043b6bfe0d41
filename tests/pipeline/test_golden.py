"""Extraction of each seed article equals its golden file, every field of every event included.

UPDATE_GOLDEN=1 rewrites the files; `python -m tests.golden_diff` then prints what changed since HEAD
(events added, removed, changed and their fields), for the commit message.
"""
from __future__ import annotations

import json
import os

import pytest

from tests.conftest import SEEDS
from tests.golden_diff import GOLDEN, records, summary

SEED_FILES = sorted(SEEDS.glob("*.txt"))


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_golden_files(path):
    got = records(path)
    golden = GOLDEN / (path.stem + ".json")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    want = json.loads(golden.read_text())
    if got != want:
        pytest.fail(f"{golden.name} differs from extraction (UPDATE_GOLDEN=1 rewrites it):\n"
                    + "\n".join(summary(want, got)), pytrace=False)


def test_every_seed_article_has_a_golden_file_and_no_golden_file_is_orphaned():
    from tests.golden_diff import golden_paths

    assert {p.stem for p in golden_paths()} == {p.stem for p in SEED_FILES}


A = {"type": "call", "date": "2025-03-18", "title": "Call", "evidence": "They spoke.", "approximate": False,
     "rules": ["call:noun"], "actors": [{"slug": "donald-trump", "role": "initiator"}]}
B = {"type": "statement", "date": "2025-03-19", "title": "Statement", "evidence": "He said.", "approximate": True,
     "rules": ["statement:said"], "actors": [{"slug": "vladimir-putin", "role": "initiator"}]}


@pytest.mark.parametrize("old,new,expected", [
    ([A, B], [A, B], []),
    ([A, B], [A], ['  - removed statement 2025-03-19 "Statement" (He said.)']),
    ([A], [A, B], ['  + added statement 2025-03-19 "Statement" (He said.)']),
    ([A], [{**A, "approximate": True, "rules": ["call:verb"]}],
     ['  ~ changed call 2025-03-18 "Call" (They spoke.)', "      approximate: false -> true",
      '      rules: ["call:noun"] -> ["call:verb"]']),
    ([A], [{**A, "actors": [{"slug": "donald-trump", "role": "counterpart"}]}],
     ['  ~ changed call 2025-03-18 "Call" (They spoke.)',
      '      actors: [{"slug": "donald-trump", "role": "initiator"}] -> [{"slug": "donald-trump", "role": "counterpart"}]']),
    ([A], [{**A, "type": "meeting"}],
     ['  ~ changed call 2025-03-18 "Call" (They spoke.)', '      type: "call" -> "meeting"']),
    ([A, B], [B, A], ["  order of events changed"]),
    ([{k: v for k, v in A.items() if k != "rules"}], [A], ["  format: fields added rules"]),
], ids=["equal", "removed", "added", "changed fields", "changed role", "changed type", "reordered", "new field"])
def test_golden_summary_names_what_changed(old, new, expected):
    assert summary(old, new) == expected
