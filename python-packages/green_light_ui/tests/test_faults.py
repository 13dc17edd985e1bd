"""The UI when what it reads goes away: the database cut behind a real TCP gate. Every page
says plainly that the database did not answer (no traceback, no hang), and the same session
shows its data again once the database is back, without a restart."""

from __future__ import annotations

import pytest

from green_light_platform.network_faults import TcpGate

from .conftest import PAGES


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.reliability(
    kind="fault",
    case="UI: the database goes down, then comes back, while a page is open",
    expect="each page says the database did not answer, then shows its data again by itself",
)
def test_a_page_says_the_database_is_down_then_recovers(app, seeded_database_url, page):
    with TcpGate.for_database(seeded_database_url) as gate:
        gate.shut()
        test = app(gate.url_through(seeded_database_url), page)
        assert not test.exception, [e.message for e in test.exception]
        assert any("The database did not answer" in e.value for e in test.error)
        gate.open()
        test.run()
        assert not test.exception, [e.message for e in test.exception]
        assert not [e.value for e in test.error if "database" in e.value.lower()]
        assert test.title, "the page is drawn again"
