"""Issue 14's acceptance, in a browser: the district administrator sees a dead letter
(the provincial simulator's fault switch made it fail); the platform operator clears the
switch; the administrator re-drives it from the gateway console, and the case page shows
it sent with the upstream's reference."""

from __future__ import annotations

import re

import pytest

from tests.integration.test_case_lifecycle import desk  # noqa: F401 - the fixture
from tests.integration.test_gateway_console import (  # noqa: F401 - fixtures
    _decided,
    district_id,
    operator,
    province,
)
from tests.integration.test_gateway_delivery import drain, rows
from yimen.gateway.delivery import engine
from yimen.gateway.delivery.model import DEAD, SENT

pytestmark = pytest.mark.browser


@pytest.fixture
def case_day(time_machine):
    from tests.integration.conftest import CASE_DAY

    time_machine.move_to(CASE_DAY, tick=True)


def test_the_administrator_redrives_a_dead_letter_once_the_operator_cleared_the_fault(
    case_day,
    sign_in,
    client,
    desk,  # noqa: F811
    province,  # noqa: F811
    district_id,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setattr(engine, "MAX_ATTEMPTS", 1)
    province.switch(error_rate=1.0)  # the upstream answers 503 to everything
    case = _decided(client, desk)
    drain(district_id)
    (dead,) = rows(district_id, aggregate_key=f"case:{case.id}", connector="province", status=DEAD)

    page = sign_in(f"{desk['slug']}.gaoming")  # the district administrator
    page.goto(f"{page.url}admin/officers")
    page.get_by_role("link", name="数据对接").click()
    letter = page.locator(f"#dead-{dead.id}")
    assert "503" in letter.locator(".error-text").inner_text()
    health = page.locator('#gateway-health tr[data-connector="province"]')
    assert "已开通" in health.inner_text() and health.locator(".dead").inner_text() != "0"

    province.switch(error_rate=0.0)  # the platform operator clears the fault switch
    letter.get_by_role("button", name="重新投递").click()
    assert "已重新投递" in page.locator("#gateway-done").inner_text()
    assert page.locator(f"#dead-{dead.id}").count() == 0
    drain(district_id)  # the worker's next tick

    page.goto(page.url.split("/console/")[0] + f"/console/cases/{case.id}")
    row = page.locator('#sync-status tr[data-connector="province"]')
    (sent,) = rows(district_id, aggregate_key=f"case:{case.id}", connector="province")
    assert sent.status == SENT and sent.upstream_ref
    assert row.locator(".sync-state").inner_text().startswith("已送达")
    assert row.locator(".sync-ref").inner_text() == sent.upstream_ref
    assert re.search(r"省行政执法监督平台", row.inner_text())
