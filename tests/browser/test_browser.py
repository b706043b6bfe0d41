"""The timeline in a real browser: htmx filtering, history, permalinks, keyboard use, accessibility."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DOCS, serious_violations


def cards(page: Page) -> list[str]:
    return page.locator("article.event .title").all_inner_texts()


def actor_chips_per_card(page: Page) -> list[list[str]]:
    return [c.locator("a.chip.actor").all_inner_texts() for c in page.locator("article.event").all()]


def wait_for_url_part(page: Page, part: str) -> None:
    page.wait_for_url(re.compile(re.escape(part)))
    page.wait_for_load_state("networkidle")


def card_ids(page: Page) -> list[int]:
    return [int(re.fullmatch(r"ev-(\d+)-title", a)[1])
            for a in page.locator("article.event").evaluate_all("els => els.map(e => e.getAttribute('aria-labelledby'))")]


def assert_cards_match_json_twin(page: Page) -> list[int]:
    """The cards on screen are the events (ids and order) of the /events.json view of the page's URL."""
    query = urlsplit(page.url).query
    data = page.request.get(page.base + "/events.json" + (f"?{query}" if query else "")).json()
    expected = [e["id"] for e in data["events"]]
    assert expected, page.url  # a view that shows nothing would prove nothing
    assert card_ids(page) == expected, page.url
    return expected


def test_filter_by_putin_add_topic_go_back_and_reload(page: Page):
    page.goto(page.base + "/")
    all_cards = cards(page)
    page.locator("#actors-h + ul a", has_text="Vladimir Putin").click()
    wait_for_url_part(page, "actor=vladimir-putin")
    expect(page.locator(".active-filters")).to_contain_text("Vladimir Putin")
    putin = cards(page)
    assert putin and len(putin) < len(all_cards)
    assert all("Vladimir Putin" in chips for chips in actor_chips_per_card(page))
    assert_cards_match_json_twin(page)

    page.locator("#topics-h + ul a", has_text="ceasefire").click()
    wait_for_url_part(page, "topic=ceasefire")
    assert "actor=vladimir-putin" in page.url
    both = cards(page)
    assert both and len(both) <= len(putin)
    assert_cards_match_json_twin(page)
    both_url = page.url

    page.go_back()
    page.wait_for_url(re.compile(r"actor=vladimir-putin$"))
    expect(page.locator("article.event .title")).to_have_count(len(putin))
    assert cards(page) == putin
    assert_cards_match_json_twin(page)

    page.goto(both_url)
    assert cards(page) == both
    assert_cards_match_json_twin(page)


def test_filtered_url_loaded_directly_matches_json_twin(page: Page):
    page.goto(page.base + "/?actor=vladimir-putin&type=call")
    titles = cards(page)
    data = page.request.get(page.base + "/events.json?actor=vladimir-putin&type=call").json()
    assert titles == [e["title"] for e in data["events"]]


def test_permalink_opens_the_event(page: Page):
    page.goto(page.base + "/?actor=donald-trump")
    first = page.locator("article.event").first
    title = first.locator(".title").inner_text()
    first.locator("a", has_text="Permalink").click()
    page.wait_for_url(re.compile(r"/events/\d+-"))
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("ol.sources mark").first).to_be_visible()


def test_filtering_by_keyboard_alone(page: Page):
    page.goto(page.base + "/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    everything = card_ids(page)
    page.keyboard.type("Alaska")
    wait_for_url_part(page, "q=Alaska")
    alaska = assert_cards_match_json_twin(page)
    assert alaska != everything
    assert page.evaluate("document.activeElement.id") == "q"
    for _ in range(40):
        page.keyboard.press("Tab")
        if (page.evaluate("document.activeElement.name") or "") == "type":
            break
    assert page.evaluate("document.activeElement.name") == "type", "no type checkbox reached by Tab"
    checked = page.evaluate("document.activeElement.value")
    page.keyboard.press("Space")
    wait_for_url_part(page, "type=")
    query = parse_qs(urlsplit(page.url).query)
    assert (query.pop("q"), query.pop("type"), query.pop("order", ["desc"])) == (["Alaska"], [checked], ["desc"]) and not query
    typed = assert_cards_match_json_twin(page)
    assert set(typed) <= set(alaska)


def test_readable_at_360px(page: Page):
    page.set_viewport_size({"width": 360, "height": 800})
    for path in ("/", "/actors/vladimir-putin", "/articles/1"):
        page.goto(page.base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    page.screenshot(path=str(DOCS / "timeline-360.png"))


def _event_path(page: Page) -> str:
    data = page.request.get(page.base + "/events.json?actor=vladimir-putin&type=call").json()
    return data["events"][0]["url"].replace(page.base, "")


@pytest.mark.parametrize("name,path", [("timeline", "/?actor=vladimir-putin"), ("event", None), ("actor", "/actors/vladimir-putin"),
                                       ("article", "/articles/1")])
def test_accessibility_audit_and_screenshots(browser, live_server, name, path):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.base = live_server
    page.goto(live_server + (path or _event_path(page)))
    assert serious_violations(page) == []
    if name != "timeline":  # docs/timeline.png is tests/browser/test_views.py's (stamped with its state)
        page.screenshot(path=str(DOCS / f"{name}.png"), full_page=False)
    context.close()
