"""The lanes view and the dyad page in Chromium: joined lanes, zoom by links and by drag, Back/Forward,
keyboard navigation of the marks, the phone layout, the dyad's counts against the list, axe-core."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DOCS, serious_violations
from tests.screenshots import SHOTS, take

THREE = "/?view=lanes&actor=donald-trump&actor=vladimir-putin&actor=volodymyr-zelensky"
H = "#lanes svg.lanes-h"


def window(page: Page, svg: str = H) -> tuple[str, str]:
    el = page.locator(svg)
    return el.get_attribute("data-lo"), el.get_attribute("data-hi")


def settle(page: Page, part: str) -> None:
    page.wait_for_url(re.compile(re.escape(part)))
    page.wait_for_load_state("networkidle")


def wait_window(page: Page, lo: str, same: bool = True) -> None:
    """Until the figure's window starts on lo (or, same=False, no longer does)."""
    if same:
        expect(page.locator(H)).to_have_attribute("data-lo", lo)
    else:
        expect(page.locator(H)).not_to_have_attribute("data-lo", lo)
    page.wait_for_load_state("networkidle")


def shared_call(page: Page) -> str:
    """A call between Trump and Putin, from the JSON twin (never from counts of the seed corpus)."""
    data = page.request.get(page.base + "/events.json?actor=donald-trump&actor=vladimir-putin&type=call").json()
    assert data["events"]
    return data["events"][0]["url"].replace(page.base, "")


def test_three_lanes_and_a_call_joined_across_two_of_them(page: Page):
    call = shared_call(page)
    page.goto(page.base + THREE)
    labels = page.locator(H + " g.axis text[font-weight]").all_text_contents()
    assert labels == ["Donald Trump", "Vladimir Putin", "Volodymyr Zelensky"]
    marks = page.locator(f'{H} a.mark[href="{call}"]')
    expect(marks).to_have_count(2)
    lanes = sorted(int(m.get_attribute("data-lane")) for m in marks.all())
    assert lanes == [0, 1]
    event_id = marks.first.get_attribute("data-event")
    join = page.locator(f'{H} g.joins line[data-event="{event_id}"]')
    expect(join).to_have_count(1)
    boxes = [m.bounding_box() for m in marks.all()]
    line = join.bounding_box()
    assert line["height"] > 20 and abs(line["x"] - boxes[0]["x"] - boxes[0]["width"] / 2) < 4
    marks.first.hover()
    assert marks.first.locator("title").text_content().strip()


def test_zoom_in_and_out_by_links_then_back_and_forward_restore_the_window(page: Page):
    page.goto(page.base + THREE)
    whole = window(page)
    page.locator(".lanes-nav a", has_text="Zoom in").click()
    settle(page, "from=")
    zoomed = window(page)
    assert whole[0] < zoomed[0] <= zoomed[1] < whole[1]
    assert "view=lanes" in page.url and page.locator("aside.panel").count() == 1
    expect(page.locator("#from")).to_have_value(zoomed[0])  # the panel moves with the window
    expect(page.locator(".active-filters")).to_contain_text("from ")
    page.locator(".lanes-nav a", has_text="Later").click()
    wait_window(page, zoomed[0], same=False)
    later = window(page)
    assert later[0] > zoomed[1]
    page.go_back()
    wait_window(page, zoomed[0])
    assert window(page) == zoomed
    page.go_back()
    wait_window(page, whole[0])
    assert window(page) == whole and "from=" not in page.url
    page.go_forward()
    wait_window(page, zoomed[0])
    assert window(page) == zoomed
    page.locator(".lanes-nav a", has_text="Zoom out").click()
    wait_window(page, zoomed[0], same=False)
    out = window(page)
    assert out[0] <= zoomed[0] and out[1] >= zoomed[1] and out != zoomed


def test_dragging_across_the_axis_narrows_the_dates(page: Page):
    page.goto(page.base + THREE)
    lo, hi = window(page)
    box = page.locator(H).bounding_box()
    x0, y0, w, h = map(float, page.locator(H).get_attribute("data-plot").split())
    vb_w = float(page.locator(H).get_attribute("viewBox").split()[2])
    scale = box["width"] / vb_w
    left, right = box["x"] + (x0 + w * 0.25) * scale, box["x"] + (x0 + w * 0.5) * scale
    y = box["y"] + (y0 + h - 4) * scale
    page.mouse.move(left, y)
    page.mouse.down()
    page.mouse.move((left + right) / 2, y, steps=4)
    expect(page.locator(H + " rect.selection")).to_have_count(1)
    page.mouse.move(right, y, steps=4)
    page.mouse.up()
    settle(page, "from=")
    new_lo, new_hi = window(page)
    assert lo < new_lo < new_hi < hi
    assert f"from={new_lo}" in page.url and f"to={new_hi}" in page.url and "view=lanes" in page.url
    page.go_back()
    wait_window(page, lo)


def test_the_figure_is_one_tab_stop_and_arrow_keys_walk_the_marks_in_time_order(page: Page):
    page.goto(page.base + THREE)
    marks = page.locator(H + " a.mark")
    assert page.locator(H + ' a.mark[tabindex="0"]').count() == 1
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('mark')"):
            break
    order = lambda: int(page.evaluate("document.activeElement.dataset.order"))  # noqa: E731
    assert order() == 0
    expect(page.locator("#lanes-focus")).not_to_be_empty()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert order() == 2
    page.keyboard.press("ArrowLeft")
    assert order() == 1
    page.keyboard.press("End")
    assert order() == marks.count() - 1
    page.keyboard.press("Shift+Tab")  # leaves the figure in one step
    assert not page.evaluate("document.activeElement.classList.contains('mark')")
    page.keyboard.press("Tab")
    assert order() == marks.count() - 1  # and comes back to the mark it left
    href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    expect(page.locator("ol.sources")).to_be_visible()


def test_phone_layout_runs_the_axis_down_the_page(page: Page):
    page.set_viewport_size({"width": 360, "height": 800})
    for path in (THREE, "/actors/donald-trump/with/vladimir-putin"):
        page.goto(page.base + path)
        expect(page.locator("#lanes svg.lanes-h")).to_be_hidden()
        vertical = page.locator("#lanes svg.lanes-v")
        expect(vertical).to_be_visible()
        box = vertical.bounding_box()
        assert box["height"] > box["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        nav = page.locator(".lanes-nav a").first.bounding_box()
        assert nav["height"] >= 44  # big enough to tap
    page.goto(page.base + THREE)
    take(page, "lanes-360.png", DOCS, page.locator("#lanes"))


def test_dyad_page_matches_the_list_views_counts(page: Page):
    page.goto(page.base + "/?actor=donald-trump&actor=vladimir-putin")
    summary = page.locator(".summary").inner_text()
    listed = int(re.match(r"(\d+) event", summary).group(1))
    page.locator("a", has_text="These two actors’ shared events").click()
    page.wait_for_url(re.compile("/actors/donald-trump/with/vladimir-putin$"))
    assert int(page.locator(".dyad-total").inner_text()) == listed
    per_month = [int(t) for t in page.locator("table.counts tbody tr td:last-child").all_inner_texts()]
    assert sum(per_month) == listed
    assert page.locator("article.event").count() == min(listed, 50)
    joined = page.locator(H + " g.joins line").count()
    assert joined == listed


def test_the_dyad_counts_table_shows_its_all_column_without_scrolling_at_1280(page: Page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base + "/actors/donald-trump/with/vladimir-putin")
    box = page.locator(".dyad-counts .table-scroll")
    width = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert width[0] <= width[1], f"the table scrolls sideways: {width[0]} px in {width[1]} px"
    outer, last = box.bounding_box(), page.locator("table.counts thead th").last.bounding_box()
    assert page.locator("table.counts thead th").last.inner_text() == "All"
    assert last["x"] + last["width"] <= outer["x"] + outer["width"] + 0.5
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("name,path", [("lanes", THREE), ("dyad", "/actors/donald-trump/with/vladimir-putin")])
def test_accessibility_audit_and_screenshots(browser, live_server, name, path, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server + path)
    assert serious_violations(page) == []
    if width == 1280:
        take(page, f"{name}.png", DOCS)
    context.close()
