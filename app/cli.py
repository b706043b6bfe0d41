"""The `timeline` command: wiring only; the work is done in pipeline/ and timeline/."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.config import get_settings

app = typer.Typer(help="Turn news articles into a citable, filterable timeline of diplomatic events.",
                  no_args_is_help=True, add_completion=False)
err = Console(stderr=True)


def _failed(where: str, reason: str) -> None:
    """One line per failed item; file names and reasons are printed as they are, never as markup."""
    from rich.text import Text

    from app.pipeline.reader import safe_where

    line = " ".join(safe_where(f" {where}: {reason}").split())  # one line, whatever the name or reason holds
    err.print(Text.assemble(("failed", "red"), " " + line), highlight=False, soft_wrap=True)


def _locked(exc: Exception) -> bool:
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


def _warm() -> None:
    """Load the lexicon once, then move it out of the garbage collector's way (gc.freeze): the
    collector otherwise re-scans thousands of long-lived lexicon objects while articles stream by."""
    import gc

    from app.lexicon import load_lexicon

    load_lexicon()
    gc.freeze()


def _engine():
    from app.db import init_db, make_engine

    engine = make_engine(get_settings())
    init_db(engine)
    return engine


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (recursed), http(s) feed URLs, or - for standard input.")],
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only load when the database has no articles yet.")] = False,
    bulk: Annotated[bool, typer.Option("--bulk", help="First load into an empty database: parallel extraction, "
                                                      "batched inserts, events grouped once at the end.")] = False,
    workers: Annotated[int, typer.Option(help="Extraction processes for --bulk.")] = 2,
) -> None:
    """Load articles into the database and extract their events."""
    from sqlalchemy.exc import OperationalError

    from app.pipeline.store import BusyError

    settings = get_settings()
    try:
        _ingest(paths, if_empty, bulk, workers, settings)
    except (BusyError, OperationalError) as exc:
        if isinstance(exc, OperationalError) and not _locked(exc):
            raise
        err.print("Another process is writing to the database; nothing more was loaded. Try again when it has "
                  "finished.", markup=False)
        raise typer.Exit(1) from None


def _ingest(paths, if_empty, bulk, workers, settings) -> None:
    from sqlalchemy.exc import OperationalError
    from sqlmodel import Session

    from app.db import writer
    from app.pipeline.reader import ReadError, read_sources
    from app import tombstones
    from app.pipeline.store import counts, is_empty, sync_lexicon

    engine = _engine()
    _warm()
    with Session(writer(engine)) as session:
        sync_lexicon(session)
        if if_empty and not is_empty(session):
            err.print("The database already holds articles; nothing loaded (--if-empty).")
            return
        stdin = sys.stdin.buffer.read() if "-" in paths else None
        if bulk:
            return _bulk(engine, paths, settings, stdin, workers)
        tally = {"new": 0, "updated": 0, "unchanged": 0, "failed": 0, "events": 0}
        skipped: list[str] = []
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as progress:
            task = progress.add_task("Loading", total=None)
            for item in read_sources(paths, settings.max_article_bytes, stdin):
                progress.advance(task)
                if isinstance(item, ReadError):
                    tally["failed"] += 1
                    _failed(item.where, item.reason)
                    continue
                try:
                    result = tombstones.ingest(session, item)
                except Exception as exc:  # noqa: BLE001 - one bad article must not stop the batch
                    session.rollback()
                    if isinstance(exc, OperationalError) and _locked(exc):
                        raise
                    tally["failed"] += 1
                    _failed(item.source, f"{type(exc).__name__}: {exc}")
                    continue
                if result.status == tombstones.DELETED:
                    skipped.append(item.source)
                    continue
                tally[result.status] += 1
                tally["events"] += result.events
        total = counts(session)
    err.print(f"articles: {tally['new']} new, {tally['updated']} updated, {tally['unchanged']} unchanged, "
              f"{tally['failed']} failed; {tally['events']} event mentions extracted; "
              f"database: {total['articles']} articles, {total['events']} events")
    _report_skipped(skipped)
    if tally["failed"]:
        raise typer.Exit(1)


def _report_skipped(sources: list[str]) -> None:
    """The articles not loaded because an editor deleted them (their deletion sticks until undone)."""
    from app.timeline.context import plural

    if sources:
        err.print(f"{plural(len(sources), 'article')} skipped: an editor deleted "
                  f"{'it' if len(sources) == 1 else 'them'} (undo the deletion at /corrections to load "
                  f"{'it' if len(sources) == 1 else 'them'} again): {', '.join(sources)}", markup=False, soft_wrap=True)


def _bulk(engine, paths, settings, stdin, workers) -> None:
    from sqlmodel import Session

    from app import tombstones
    from app.pipeline.reader import ReadError, read_sources
    from app.pipeline.store import bulk_ingest, counts

    with Session(engine) as session:
        deleted = tombstones.keys(session)
    skipped: list[str] = []

    def items():
        for item in read_sources(paths, settings.max_article_bytes, stdin):
            if isinstance(item, ReadError):
                _failed(item.where, item.reason)
            elif item.key in deleted:
                skipped.append(item.source)
                continue
            yield item

    try:
        tally = bulk_ingest(engine, items(), workers=workers, on_error=_failed)
    except ValueError as exc:
        err.print(str(exc), style="red", markup=False)
        raise typer.Exit(1) from None
    with Session(engine) as session:
        total = counts(session)
    err.print(f"articles: {tally['new']} new, {tally['unchanged']} duplicate, {tally['failed']} failed; "
              f"database: {total['articles']} articles, {total['events']} events")
    _report_skipped(skipped)
    rate = (tally["new"] + tally["unchanged"]) / max(tally["total_s"], 0.001)
    err.print(f"read and extracted in {tally['read_extract_s']} s, grouped and stored in "
              f"{tally['total_s'] - tally['read_extract_s']:.1f} s: {tally['total_s']} s, {rate:.0f} articles/s")
    if tally["failed"]:
        raise typer.Exit(1)


@app.command()
def reextract() -> None:
    """Run extraction again over every stored article (after a lexicon change)."""
    from sqlmodel import Session

    from app.db import writer
    from app.pipeline.store import counts, reextract_all, sync_lexicon

    with Session(writer(_engine())) as session:
        sync_lexicon(session)
        n, e = reextract_all(session)
        total = counts(session)
    err.print(f"re-extracted {n} articles ({e} event mentions); database: {total['events']} events")


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to bind (default TIMELINE_HOST).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default TIMELINE_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the web timeline with uvicorn."""
    import uvicorn

    s = get_settings()
    uvicorn.run("app.main:create_app", factory=True, host=host or s.host, port=port or s.port, workers=workers,
                log_level="info", proxy_headers=True)


def _read_articles(files: list[Path]):
    from app.pipeline.reader import ReadError, read_sources

    failed = 0
    for item in read_sources([str(f) for f in files], get_settings().max_article_bytes):
        if isinstance(item, ReadError):
            failed += 1
            _failed(item.where, item.reason)
        else:
            yield item
    if failed:
        raise typer.Exit(1)


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="Article files (any format ingest reads).")],
    format: Annotated[str, typer.Option("--format", help="jsonl (one event per line) or json.")] = "jsonl",
) -> None:
    """Print the events of articles without a database (the contract of shared/eval)."""
    from app.lexicon import load_lexicon
    from app.pipeline.store import extract as extract_article

    if format not in ("jsonl", "json"):
        raise typer.BadParameter("format must be jsonl or json")
    _warm()
    lex = load_lexicon()
    rows = []
    for raw in _read_articles(files):
        for e in extract_article(raw):
            rows.append({
                "article": Path(raw.source.split("#")[0].split(":")[0]).name, "date": e.date,
                "date_start": e.date_start.isoformat(), "date_end": e.date_end.isoformat(),
                "precision": e.precision, "approximate": e.approximate, "type": e.type,
                "actors": [r.name or lex.actors[r.slug].name for r in e.actors if r.role != "mentioned"],
                "actor_roles": [{"slug": r.slug, "role": r.role} for r in e.actors],
                "topics": list(e.topics), "title": e.title, "evidence": e.evidence,
                "start": e.start, "end": e.end, "rules": list(e.rules),
            })
    if format == "json":
        typer.echo(json.dumps({"events": rows}, indent=1, ensure_ascii=False))
    else:
        for r in rows:
            typer.echo(json.dumps(r, ensure_ascii=False))


@app.command()
def timex(
    files: Annotated[list[Path], typer.Argument(help="Text articles whose first line is 'date YYYY-MM-DD headline'.")],
) -> None:
    """Print the temporal expressions of articles, offsets into each file's text."""
    from app.pipeline.reader import HEADER, ReadError, decode, parse_date
    from app.pipeline.timex import find_timexes

    failed = 0
    for f in files:
        try:
            text = decode(f.read_bytes(), str(f))
            first = text.split("\n", 1)[0]
            m = HEADER.match(first)
            if not m:
                raise ReadError(str(f), "first line must be 'date YYYY-MM-DD headline'")
            dct = parse_date(m[1], str(f))
        except ReadError as exc:
            failed += 1
            _failed(exc.where, exc.reason)
            continue
        except OSError as exc:
            failed += 1
            _failed(str(f), f"cannot read: {exc.strerror}")
            continue
        for t in find_timexes(text, dct, len(first) + 1):
            typer.echo(json.dumps({"article": f.name, "start": t.start, "end": t.end, "text": t.text,
                                   "type": t.type, "value": t.value, "mod": t.mod, "rule": t.rule}, ensure_ascii=False))
    if failed:
        raise typer.Exit(1)


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", help="json, csv, ics or atom.")] = "json",
    actor: Annotated[Optional[list[str]], typer.Option("--actor", help="Actor slug (repeatable; all must take part).")] = None,
    topic: Annotated[Optional[list[str]], typer.Option("--topic", help="Topic slug (repeatable).")] = None,
    type: Annotated[Optional[list[str]], typer.Option("--type", help="Event type (repeatable; any of them).")] = None,
    date_from: Annotated[Optional[str], typer.Option("--from", help="Earliest date, YYYY-MM-DD.")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", help="Latest date, YYYY-MM-DD.")] = None,
    q: Annotated[str, typer.Option("--q", help="Free text.")] = "",
    base_url: Annotated[str, typer.Option("--base-url", help="Prefix for event URLs.")] = "",
) -> None:
    """Write the events of the database (or of a filtered view) to standard output."""
    from sqlmodel import Session
    from starlette.datastructures import QueryParams

    from app.timeline import export as ex
    from app.timeline.filters import FilterError, Filters
    from app.timeline.queries import all_events

    if format not in ("json", "csv", "ics", "atom"):
        raise typer.BadParameter("format must be json, csv, ics or atom")
    params = [("actor", a) for a in actor or []] + [("topic", t) for t in topic or []] + [("type", t) for t in type or []]
    params += [(k, v) for k, v in (("from", date_from), ("to", date_to), ("q", q)) if v]
    try:
        f = Filters.from_params(QueryParams(params))
    except FilterError as exc:
        raise typer.BadParameter(str(exc)) from None
    with Session(_engine()) as session:
        events = all_events(session, f)
    base = base_url.rstrip("/") or f"http://{get_settings().host}:{get_settings().port}"
    if format == "json":
        typer.echo(ex.events_dump(events, base))
    elif format == "csv":
        sys.stdout.write(ex.to_csv(events, base))
    elif format == "ics":
        sys.stdout.buffer.write(ex.to_ics(events, base, f.describe()))
    else:
        typer.echo(ex.to_atom(events, base, f, base + f.url("/events.atom")))


@app.command(name="check-lexicon")
def check_lexicon() -> None:
    """Load and validate every lexicon file; print what it holds."""
    from app.lexicon import load_lexicon

    lex = load_lexicon()
    kinds = {}
    for a in lex.actors.values():
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    typer.echo(f"actors: {kinds}; event types: {len(lex.types)}; triggers: {len(lex.triggers)}; topics: {len(lex.topics)}")


feeds_app = typer.Typer(help="The feeds `timeline watch` follows.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="An RSS or Atom feed URL (http or https).")],
    title: Annotated[str, typer.Option(help="A name to show (default: the feed's own title).")] = "",
    interval: Annotated[int, typer.Option(help="Minutes between fetches (5 to 10080).")] = 30,
    by: Annotated[str, typer.Option("--by", help="Who added it (default: cli:$USER).")] = "",
) -> None:
    """Watch a feed."""
    import getpass

    from sqlmodel import Session

    from app.db import writer
    from app.feeds import add_feed

    with Session(writer(_engine())) as session:
        try:
            feed = add_feed(session, url, title, interval, by or f"cli:{getpass.getuser()}")
        except ValueError as exc:
            err.print(f"[red]not added[/red]: {exc}", highlight=False)
            raise typer.Exit(1) from None
        typer.echo(f"feed {feed.id} added: {feed.url} every {feed.interval_minutes} min")


@feeds_app.command("list")
def feeds_list() -> None:
    """Print every feed: id, state, interval, last fetch and its outcome, URL."""
    from sqlmodel import Session

    from app.feeds import list_feeds

    with Session(_engine()) as session:
        for f in list_feeds(session):
            state = (f"disabled: {f.disabled_reason}" if f.disabled_reason else "paused") if not f.enabled \
                else f"failing x{f.failures}" if f.failures else "watching"
            last = f"{f.last_fetched_at:%Y-%m-%d %H:%M} {f.last_status}" if f.last_fetched_at else "never fetched"
            reason = f" ({f.last_error})" if f.last_error else ""
            typer.echo(f"{f.id}\t{state}\tevery {f.interval_minutes} min\t{last}{reason}\t{f.url}")


@feeds_app.command("remove")
def feeds_remove(feed: Annotated[str, typer.Argument(help="The feed's id or URL.")]) -> None:
    """Stop watching a feed (the articles it brought stay)."""
    from sqlmodel import Session

    from app.db import writer
    from app.feeds import find_feed, remove_feed

    with Session(writer(_engine())) as session:
        found = find_feed(session, feed)
        if found is None:
            err.print(f"[red]no such feed[/red]: {feed}", highlight=False)
            raise typer.Exit(1)
        remove_feed(session, found.id)
        typer.echo(f"feed {found.id} removed: {found.url}")


@app.command()
def watch(
    once: Annotated[bool, typer.Option("--once", help="Fetch the feeds that are due, then exit.")] = False,
    every: Annotated[float, typer.Option(help="Seconds between looks for due feeds.", envvar="TIMELINE_WATCH_EVERY")] = 60,
    timeout: Annotated[float, typer.Option(help="Seconds one fetch may take.", envvar="TIMELINE_FEED_TIMEOUT")] = 20,
    max_bytes: Annotated[int, typer.Option(help="Largest feed body read.", envvar="TIMELINE_FEED_MAX_BYTES")] = 10 * 1024 * 1024,
) -> None:
    """Follow the watched feeds: fetch each when due, ingest new and changed entries; one log line per fetch."""
    import logging
    import signal
    import threading

    from app.feeds import WatchOptions, run_due
    from app.feeds import watch as watch_feeds

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log = logging.getLogger("timeline.watch")
    log.handlers[:], log.propagate = [handler], False
    log.setLevel(logging.INFO)
    opts = WatchOptions(timeout=timeout, max_bytes=max_bytes)
    engine = _engine()
    _warm()
    if once:
        failed = [o for o in run_due(engine, opts) if o.status == "failed"]
        raise typer.Exit(1 if failed else 0)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("watching feeds: a look for due ones every %g s (%s)", every, engine.dialect.name)
    watch_feeds(engine, opts, every, stop)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
