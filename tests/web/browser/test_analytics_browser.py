"""In Chromium: the Company View draws its five charts from the vendored Chart.js, and
the Customer View shows the value-and-risk panel, without a console error."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.analytics.factories import score_world
from tests.web.browser.test_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("segments", "value", "alive", "calibration", "churn")


def test_company_view_draws_its_charts_and_the_panel_shows_scores(
        page: Page, live_server: Any, world: Any) -> None:
    score_world(world)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server.url, "admin")

    page.get_by_role("navigation").get_by_role("link", name="Company").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Company View")
    for chart in CHARTS:
        canvas = page.locator(f'canvas[data-chart="{chart}"]')
        expect(canvas).to_be_visible()
        # Chart.js sized the canvas and keeps its instance: the chart was drawn.
        drawn = canvas.evaluate("c => Boolean(c.chart) && c.width > 0 && c.height > 0 && "
                                "window.Chart.getChart(c) === c.chart")
        assert drawn, chart
    # Something was painted: not every pixel of the segments chart is transparent.
    painted = page.locator('canvas[data-chart="segments"]').evaluate(
        "c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data"
        ".some((v, i) => i % 4 === 3 && v > 0)")
    assert painted
    table = page.locator("#chart-segments details")
    table.locator("summary").click()
    expect(table.locator("table")).to_contain_text("Champions")
    expect(page.locator("#fits")).to_contain_text("BG/NBD")
    page.screenshot(path="/tmp/accord-company-view.png", full_page=True)

    page.goto(f"{live_server.url}/customers/{world.north_customer.pk}/")
    panel = page.locator("#value-panel")
    expect(panel).to_contain_text("Value and risk")
    expect(panel.locator("#pattern-flag")).to_contain_text("nothing for 11 weeks")
    expect(panel.locator("#next-best-offer")).to_contain_text("Assam 250g")
    page.screenshot(path="/tmp/accord-value-panel.png")
    assert problems == [], problems
