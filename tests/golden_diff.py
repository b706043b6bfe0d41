"""Golden files of the seed corpus: their records, and a readable summary of how two versions differ.

`python -m tests.golden_diff` prints what changed in tests/golden/ between HEAD and the working tree
(or `--rev REV`), article by article: events added, removed, and changed with the fields that changed,
so that a commit rewriting a golden file can say what it rewrote.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
# The extraction golden files, one per seed article; grouping.json belongs to test_grouping.py.
NOT_EXTRACTION = {"grouping.json"}


def _plain(value):
    """JSON-ready: dataclasses as dicts, dates as ISO strings, tuples and sets as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # an actor's aliases are lexicon data (the lexicon's checks pin them), not what extraction decided
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "aliases"}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def records(path: Path) -> list[dict]:
    """Every field of every EventCandidate extracted from one article, in extraction order."""
    from app.pipeline.reader import read_sources
    from app.pipeline.store import extract

    out = []
    for raw in read_sources([str(path)], 5_000_000):
        out += [{"article": Path(raw.source).name, **_plain(e)} for e in extract(raw)]
    return out


def _label(e: dict) -> str:
    evidence = e.get("evidence", "")
    short = evidence if len(evidence) <= 90 else evidence[:87] + "..."
    return f'{e.get("type")} {e.get("date")} "{e.get("title", "")}" ({short})'


def _pair(old: list[dict], new: list[dict]) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Match the events of two versions of one article: same type and evidence, then same evidence,
    then same type and date; the rest were removed or added."""
    pairs, old, new = [], list(old), list(new)
    for key in (lambda e: (e.get("type"), e.get("evidence")), lambda e: e.get("evidence"),
                lambda e: (e.get("type"), e.get("date"))):
        for o in list(old):
            match = next((n for n in new if key(n) == key(o)), None)
            if match is not None:
                pairs.append((o, match))
                old.remove(o)
                new.remove(match)
    return pairs, old, new


def _show(v) -> str:
    return json.dumps(v, ensure_ascii=False)


def summary(old: list[dict], new: list[dict]) -> list[str]:
    """Lines saying how the events of one article differ between two versions; [] when equal."""
    if old == new:
        return []
    fields_old = set().union(*(e.keys() for e in old)) if old else set()
    fields_new = set().union(*(e.keys() for e in new)) if new else set()
    lines = []
    if old and new and fields_old != fields_new:
        if fields_new - fields_old:
            lines.append("  format: fields added " + ", ".join(sorted(fields_new - fields_old)))
        if fields_old - fields_new:
            lines.append("  format: fields dropped " + ", ".join(sorted(fields_old - fields_new)))
    common = (fields_old & fields_new) if old and new else (fields_old | fields_new)
    pairs, removed, added = _pair(old, new)
    lines += [f"  - removed {_label(e)}" for e in removed]
    lines += [f"  + added {_label(e)}" for e in added]
    for o, n in pairs:
        changed = [f"      {k}: {_show(o.get(k))} -> {_show(n.get(k))}" for k in sorted(common) if o.get(k) != n.get(k)]
        if changed:
            lines += [f"  ~ changed {_label(o)}"] + changed
    at = lambda seq, e: next(i for i, x in enumerate(seq) if x is e)  # noqa: E731
    order = [at(new, n) for _, n in sorted(pairs, key=lambda p: at(old, p[0]))]
    if order != sorted(order):
        lines.append("  order of events changed")
    return lines or ["  (equal apart from field order or formatting)"]


def golden_paths(folder: Path = GOLDEN) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if p.name not in NOT_EXTRACTION)


def _at_rev(rev: str, path: Path) -> list[dict]:
    rel = path.relative_to(ROOT).as_posix()
    r = subprocess.run(["git", "show", f"{rev}:{rel}"], cwd=ROOT, capture_output=True, text=True)
    return json.loads(r.stdout) if r.returncode == 0 else []


def _in_rev(rev: str) -> set[Path]:
    r = subprocess.run(["git", "ls-tree", "--name-only", rev, "tests/golden/"], cwd=ROOT, capture_output=True,
                       text=True, check=True)
    return {ROOT / name for name in r.stdout.split() if name.endswith(".json")}


def report(rev: str = "HEAD") -> list[str]:
    """The summary of every golden file that differs between `rev` and the working tree."""
    paths = sorted((set(golden_paths()) | _in_rev(rev)) - {GOLDEN / n for n in NOT_EXTRACTION})
    out = []
    for path in paths:
        new = json.loads(path.read_text()) if path.exists() else []
        lines = summary(_at_rev(rev, path), new)
        if lines:
            out += [path.name] + lines
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden_diff", description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default="HEAD", help="the version to compare the working tree with (default HEAD)")
    args = parser.parse_args(argv)
    lines = report(args.rev)
    print("\n".join(lines) if lines else f"golden files: no change since {args.rev}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
