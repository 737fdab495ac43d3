"""Member segments on the demo: HQ reads the RFM groups with their chart and table, opens a group's
members (the same the API lists, biggest spender first) and recomputes them."""
import pytest
from selenium.webdriver.common.by import By

from ui import C, T, button, click, fill, link, table_row_cells, text_appears, visible, wait


@pytest.fixture
def size():
    return "desktop"


def test_hq_reads_segments_and_a_groups_members(browser, api):
    admin = api.staff_token("admin")
    overview = api.ok("GET", "/admin/segments", token=admin)
    assert overview["computedAt"], "the demo computes segments at seed"
    d = browser.driver
    browser.open("/console/login?next=/console/segments")
    fill(d, T("console_username"), "admin")
    fill(d, T("login_password"), "Demo@2026")
    click(d, button(d, T("login_submit")))
    text_appears(d, "#console-main h1", C("segments.title"))

    # The table and the chart say the same sizes as the API.
    for group in overview["groups"]:
        cells = table_row_cells(d, C(f"segmentGroup.{group['group']}"), css="table.segment-groups tbody tr")
        assert cells[2] == f"{group['members']:,}"
    slices = d.find_elements(By.CSS_SELECTOR, "figure[data-chart=donut] svg .slice")
    assert len(slices) == sum(1 for g in overview["groups"] if g["members"] > 0)
    browser.shot("segments")

    # The biggest non-empty group's members, biggest spender first.
    biggest = max(overview["groups"], key=lambda g: g["members"])
    members = api.ok("GET", f"/admin/segments/{biggest['group']}/members?per=20", token=admin)
    click(d, link(d, C(f"segmentGroup.{biggest['group']}")))
    text_appears(d, "#console-main h1", C(f"segmentGroup.{biggest['group']}"))
    first = table_row_cells(d, members["items"][0]["nickname"])
    assert first[0] == members["items"][0]["nickname"]
    rows = wait(d).until(lambda drv: drv.find_elements(By.CSS_SELECTOR, "#console-main tbody tr") or False)
    assert len(rows) == min(20, members["total"])
    browser.shot("group-members")

    # Recompute from the overview: the time moves on.
    browser.open("/console/segments")
    click(d, button(d, C("segments.recompute")))
    wait(d).until(lambda _: api.ok("GET", "/admin/segments", token=admin)["computedAt"] != overview["computedAt"])
    text_appears(d, "#console-main h1", C("segments.title"))
    browser.assert_healthy()
