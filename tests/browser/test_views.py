"""One view, one truth, in Chromium: after filtering by clicking, everything on the page that depends on
the view (heading, count, twins in the footer and in <head>, title, URL) follows it, and each twin downloaded
from the page's own links lists the events the page shows. Plus phone and keyboard use."""
from __future__ import annotations

import csv
import io
import re

import feedparser
import icalendar
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DOCS, serious_violations
from tests.screenshots import take


def shown_ids(page: Page) -> list[int]:
    hrefs = page.locator("article.event .title a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return [int(re.match(r"/events/(\d+)", h)[1]) for h in hrefs]


def settle(page: Page, part: str) -> None:
    page.wait_for_url(re.compile(re.escape(part)))
    page.wait_for_load_state("networkidle")


def twin_ids(page: Page, url: str, ext: str) -> list[int]:
    body = page.request.get(page.base + url).body()
    if ext == "json":
        import json
        return [e["id"] for e in json.loads(body)["events"]]
    if ext == "csv":
        return [int(r["id"]) for r in csv.DictReader(io.StringIO(body.decode()))]
    if ext == "ics":
        cal = icalendar.Calendar.from_ical(body)
        return [int(re.match(r"event-(\d+)@", str(v["uid"]))[1]) for v in cal.walk("VEVENT")]
    feed = feedparser.parse(body)
    return [int(re.search(r"/events/(\d+)", e.id)[1]) for e in feed.entries]


def test_every_part_of_the_page_follows_the_view_after_swaps(page: Page):
    page.goto(page.base + "/")
    page.locator("#actors-h + ul a", has_text="Vladimir Putin").click()
    settle(page, "actor=vladimir-putin")
    page.locator("#topics-h + ul a", has_text="ceasefire").click()
    settle(page, "topic=ceasefire")
    assert page.url == page.base + "/?actor=vladimir-putin&topic=ceasefire"

    shown = shown_ids(page)
    assert shown
    expect(page.locator("h1")).to_have_text("Vladimir Putin · ceasefire")
    assert page.title() == "Vladimir Putin · ceasefire · Diplomatic timeline"
    n = len(shown)
    expect(page.locator("#results-h")).to_have_text(f"{n} event{'s' if n != 1 else ''} match{'es' if n == 1 else ''} these filters.")
    expect(page.locator("#announce")).to_have_text(page.locator("#results-h").inner_text())

    footer = {a.get_attribute("data-twin"): a.get_attribute("href") for a in page.locator("#twins a").all()}
    head = {ln.get_attribute("id")[4:]: ln.get_attribute("href") for ln in page.locator("head link[rel=alternate]").all()}
    assert set(footer) == {"json", "csv", "ics", "atom"} and head == footer
    for ext, url in footer.items():
        assert url == f"/events.{ext}?actor=vladimir-putin&topic=ceasefire"
        got = twin_ids(page, url, ext)
        assert (sorted(got) if ext == "atom" else got) == (sorted(shown) if ext == "atom" else shown), ext


def test_a_form_change_pushes_the_canonical_url_and_updates_the_twins(page: Page):
    page.goto(page.base + "/?actor=vladimir-putin")
    page.locator("#quick .types input[value=call]").check()
    settle(page, "type=call")
    assert page.url == page.base + "/?actor=vladimir-putin&type=call"  # no q=&from=&to=&order=desc
    assert page.locator("#twins a[data-twin=csv]").get_attribute("href") == "/events.csv?actor=vladimir-putin&type=call"
    assert twin_ids(page, "/events.csv?actor=vladimir-putin&type=call", "csv") == shown_ids(page)


def test_adding_an_actor_by_name_with_suggestions(page: Page):
    page.goto(page.base + "/")
    box = page.locator("#find")
    box.fill("zelenskiy")
    expect(page.locator("#actor-options option").first).to_have_attribute("value", "Volodymyr Zelensky")
    box.press("Enter")
    settle(page, "actor=volodymyr-zelensky")
    expect(page.locator(".active-filters")).to_contain_text("Volodymyr Zelensky")


def test_search_marks_the_words_it_matched(page: Page):
    page.goto(page.base + "/?q=ceasefire")
    marks = page.locator("article.event mark").all_inner_texts()
    assert marks and all(m.lower().startswith("ceasefire") for m in marks)


def test_keyboard_first_event_within_ten_tabs_and_enter_on_a_facet_lands_on_the_results(page: Page):
    page.goto(page.base + "/")
    for presses in range(1, 11):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('article.event')"):
            break
    assert page.evaluate("!!document.activeElement.closest('article.event')"), "first event not reached in 10 Tabs"
    stops = page.evaluate("Array.from(document.querySelectorAll('figure.density a')).filter(a => a.tabIndex >= 0).length")
    assert stops == 1

    page.locator("#actors-h + ul a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#results-h")).to_be_focused()  # (wait_for_function would need eval: the CSP forbids it)


def test_density_strip_moves_with_the_arrow_keys(page: Page):
    page.goto(page.base + "/")
    bars = page.locator("figure.density a")
    assert bars.count() > 2
    bars.last.focus()
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement === document.querySelectorAll('figure.density a')[document.querySelectorAll('figure.density a').length - 2]")
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement === document.querySelector('figure.density a')")


def test_phone_results_before_filters_and_a_tap_scrolls_to_the_results(page: Page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/")
    first = page.locator("article.event").first.bounding_box()
    assert first["y"] < 844, "the first event is below the first screen"
    expect(page.locator("#filters summary")).to_contain_text("Filters")
    assert page.evaluate("document.getElementById('filters').open") is False
    page.locator("#filters summary").click()
    page.locator("#actors-h + ul a", has_text="Vladimir Putin").click()
    settle(page, "actor=vladimir-putin")
    expect(page.locator("#results-h")).to_be_focused()  # (wait_for_function would need eval: the CSP forbids it)
    top = page.locator("#results-h").bounding_box()["y"]
    assert 0 <= top < 844
    expect(page.locator("#filters summary")).to_contain_text("1 active")
    take(page, "timeline-390.png", DOCS)


PAGES = [("timeline", "/?actor=vladimir-putin"), ("search", "/?q=nothing-matches-this"), ("range", "/?from=2025-04-01&to=2025-03-01"),
         ("event", None), ("actor", "/actors/vladimir-putin"), ("article", "/articles/1"), ("corrections", "/corrections"),
         ("ingest", "/ingest"), ("login", "/login")]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name,path", PAGES)
def test_no_serious_accessibility_violation_at_both_widths(browser, live_server, name, path, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    if path is None:  # an event page: the first event's permalink
        path = page.request.get(live_server + "/events.json").json()["events"][0]["url"].replace(live_server, "")
    page.goto(live_server + path)
    assert serious_violations(page) == []
    if name == "timeline" and width == 1280:
        take(page, "timeline.png", DOCS)
    context.close()


def view_state(page: Page) -> dict:
    """Everything on the page that depends on the view, as the page shows it now."""
    return page.evaluate("""() => ({
        url: location.pathname + location.search,
        title: document.title,
        h1: document.querySelector('h1').textContent.trim(),
        summary: document.getElementById('results-h').textContent.trim(),
        head: Object.fromEntries(Array.from(document.head.querySelectorAll('link[rel=alternate]'))
                                 .map(l => [l.id.slice(4), l.getAttribute('href')])),
        footer: Object.fromEntries(Array.from(document.querySelectorAll('#twins a'))
                                   .map(a => [a.dataset.twin, a.getAttribute('href')])),
        q: document.getElementById('q').value,
        chips: Array.from(document.querySelectorAll('.active-filters a')).map(a => a.getAttribute('href')),
        filters: document.querySelector('#filters summary').textContent.trim(),
    })""")


def expected_twins(url: str) -> dict:
    path, _, query = url.partition("?")
    assert path == "/"
    return {ext: f"/events.{ext}" + (f"?{query}" if query else "") for ext in ("json", "csv", "ics", "atom")}


@pytest.mark.parametrize("cache", ["hit", "miss"])
def test_back_and_forward_restore_every_view_dependent_part(page: Page, cache):
    """After Back (htmx restores the page from its history cache, or on a miss asks the server for the
    full page) and Forward, the head's alternate links, title, heading, footer twins and form follow the
    restored URL, exactly as a fresh load of that URL shows them."""
    page.goto(page.base + "/")
    page.locator("#actors-h + ul a", has_text="Vladimir Putin").click()
    settle(page, "actor=vladimir-putin")
    first = view_state(page)
    page.locator("#topics-h + ul a", has_text="ceasefire").click()
    settle(page, "topic=ceasefire")
    second = view_state(page)
    assert first["url"] == "/?actor=vladimir-putin" and second["url"] == "/?actor=vladimir-putin&topic=ceasefire"
    if cache == "miss":  # what a reader sees when the cache has lost the entry (full or cleared)
        page.evaluate("sessionStorage.removeItem('htmx-history-cache')")

    page.go_back()
    page.wait_for_url(re.compile(r"actor=vladimir-putin$"))
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Vladimir Putin")
    back = view_state(page)
    assert back["head"] == expected_twins(back["url"]) == back["footer"]
    assert back == first
    bars = page.locator("figure.density a")  # the strip's arrow keys work again on the restored page
    bars.last.focus()
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement === Array.from(document.querySelectorAll('figure.density a')).at(-2)")

    page.go_forward()
    page.wait_for_url(re.compile(r"topic=ceasefire$"))
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Vladimir Putin · ceasefire")
    forward = view_state(page)
    assert forward["head"] == expected_twins(forward["url"])
    assert forward == second

    page.goto(page.base + back["url"])  # a fresh load shows the same
    assert view_state(page) == back


def assert_results_in_view_and_announced(page: Page) -> None:
    expect(page.locator("#results-h")).to_be_focused()  # (wait_for_function would need eval: the CSP forbids it)
    box = page.locator("#results-h").bounding_box()
    assert -1 < box["y"] and box["y"] + box["height"] <= page.viewport_size["height"], box  # (subpixel scroll)
    expect(page.locator("#announce")).to_have_text(page.locator("#results-h").inner_text())


def test_phone_form_changes_move_focus_and_scroll_to_the_results(page: Page):
    """At 390 px, with the filter disclosure open below the results: adding an actor (Enter), changing the
    order and changing a date each bring the results heading on screen, focused, its count announced."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/")
    page.locator("#filters summary").click()
    page.locator("#find").fill("Trump")
    page.locator("#find").press("Enter")
    settle(page, "actor=donald-trump")
    assert_results_in_view_and_announced(page)

    page.locator("#order").select_option("asc")
    settle(page, "order=asc")
    assert_results_in_view_and_announced(page)

    page.locator("#from").fill("2025-03-01")
    settle(page, "from=2025-03-01")
    assert_results_in_view_and_announced(page)
    assert page.evaluate("document.getElementById('filters').open")  # the reader's choice survives the swaps
    expect(page.locator("#results-h")).to_contain_text("these filters")


def test_phone_typing_a_search_keeps_focus_until_enter(page: Page):
    """The search box swaps as you type: focus stays in it (the live region tells the count); Enter moves
    focus to the results like any other submitted filter."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/")
    page.locator("#q").click()
    page.keyboard.type("Alaska")
    settle(page, "q=Alaska")
    expect(page.locator("#announce")).to_have_text(page.locator("#results-h").inner_text())
    expect(page.locator("#q")).to_be_focused()
    assert page.locator("#q").input_value() == "Alaska"
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert_results_in_view_and_announced(page)


def test_a_type_checkbox_moves_focus_to_the_results(page: Page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/")
    page.locator("#quick .types input[value=call]").check()
    settle(page, "type=call")
    assert_results_in_view_and_announced(page)


def test_the_readme_states_the_measured_tab_count(page: Page):
    """The README says how many Tab presses the first event is from the top: the number measured here."""
    from pathlib import Path

    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text().split())
    claimed = int(re.search(r"the first event is (\d+) Tab presses from the top", readme)[1])
    page.goto(page.base + "/")
    for presses in range(1, 30):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('article.event')"):
            break
    assert presses == claimed
    claimed = int(re.search(r"or (\d+) after “Skip to events”", readme)[1])
    page.goto(page.base + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Skip to events"
    for presses in range(1, 30):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('article.event')"):
            break
    assert presses == claimed
