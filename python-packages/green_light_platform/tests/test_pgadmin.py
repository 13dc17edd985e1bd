"""pgAdmin as `make up` runs it: the real pgAdmin from `.venv-pgadmin` under the supervisor,
on a migrated database; logged in over HTTP (the smoke check) and in a headless Chromium."""

from __future__ import annotations

import os
import subprocess
import uuid
from itertools import pairwise
from pathlib import Path

import httpx
import pytest

from green_light_platform.bringup import platform_environment
from green_light_platform.db.admin import create_database, database_name, drop_database
from green_light_platform.db.embedded import free_port
from green_light_platform.pgadmin import (
    SERVER_GROUP,
    SERVER_NAME,
    PgAdmin,
    PgAdminSetupSettings,
    steps,
)
from green_light_platform.settings import DatabaseSettings, setting_variables
from green_light_platform.smoke import SmokeError
from green_light_platform.supervisor import Supervisor

CHROMIUM = Path(os.environ.get("GLS_TEST_CHROMIUM", "/usr/bin/chromium"))
EMAIL = "tester@greenlight.test"  # a reserved domain: pgAdmin refuses it unless configured
PASSWORD = "pgadmin-test-password"
TABLES = ("accidents", "places", "vehicles", "persons")


@pytest.fixture(scope="module")
def pgadmin(postgres_server_url, migrated_template, tmp_path_factory):
    """pgAdmin started by the supervisor on a fresh migrated database; stopped afterwards."""
    folder = tmp_path_factory.mktemp("pgadmin")
    name = f"gls_pgadmin_{uuid.uuid4().hex[:8]}"
    url = create_database(postgres_server_url, name, template=migrated_template)
    cleared = {k: os.environ.pop(k) for k in setting_variables() if k in os.environ}
    variables = {
        "GLS_DATABASE_URL": url,
        "ADMIN_PASSWORD": PASSWORD,
        "PGADMIN_DEFAULT_EMAIL": EMAIL,
        "GLS_PGADMIN_PORT": str(free_port()),
        "GLS_VOLUMES_DIR": str(folder / "Volumes"),
        "GLS_ENV_FILE": str(folder / "missing.env"),
    }
    with platform_environment(variables):
        service = steps()[0]
        supervisor = Supervisor(folder / "Volumes" / "run", folder / "Volumes" / "logs")
        supervisor.start(service)
        try:
            yield service, PgAdmin.from_settings(), supervisor
        finally:
            supervisor.stop(service)
            drop_database(postgres_server_url, name)
            os.environ.update(cleared)


def test_the_smoke_check_logs_in_and_finds_road_accidents(pgadmin):
    service, admin, _ = pgadmin
    with httpx.Client(timeout=15, follow_redirects=True) as client:
        detail = service.smoke(client)
    database = database_name(admin.settings.database.url)
    assert f"server {SERVER_NAME} connected, database {database} listed" in detail


def test_a_wrong_password_fails_the_smoke_check(pgadmin):
    _, admin, _ = pgadmin
    wrong = PgAdminSetupSettings(
        runtime=admin.settings.runtime,
        database=DatabaseSettings(
            admin_password="not-the-password", url_override=admin.settings.database.url
        ),
        pgadmin=admin.settings.pgadmin,
    )
    with (
        httpx.Client(timeout=15, follow_redirects=True) as client,
        pytest.raises(SmokeError, match="refused the login"),
    ):
        PgAdmin(wrong).smoke(client)


def test_files_stay_under_volumes_and_the_passfile_is_private(pgadmin):
    _, admin, supervisor = pgadmin
    passfile = admin.data_dir / "storage" / EMAIL.replace("@", "_") / "pgpass"
    assert passfile.stat().st_mode & 0o777 == 0o600
    assert (admin.data_dir / "pgadmin4.db").is_file()
    assert (supervisor.log_dir / "pgAdmin.log").read_text().count("Listening at") >= 1
    assert (supervisor.log_dir / "pgAdmin-app.log").is_file()


def test_restarting_registers_the_server_once(pgadmin):
    service, admin, supervisor = pgadmin
    assert supervisor.stop(service)
    assert supervisor.start(service)
    dump = admin.data_dir / "dump.json"
    subprocess.run(
        [str(admin.program("pgadmin4-cli")), "dump-servers", str(dump), "--user", EMAIL],
        env={**os.environ, **admin.environment()},
        check=True,
        capture_output=True,
        timeout=120,
    )
    servers = dump.read_text()
    assert servers.count(f'"Name": "{SERVER_NAME}"') == 1
    assert '"Password"' not in servers


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=flags
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def log_in(page, base: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Login").click()


def tree_node(page, label: str):
    return page.locator(".file-entry", has=page.locator(f'.file-name:text-is("{label}")')).first


def open_path(page, labels: list[str]) -> None:
    """Open the Object Explorer down `labels`, each opened until its child shows: the tree
    loads children asynchronously (a server connects first) and may miss a first click."""
    from playwright.sync_api import expect

    for label, child in pairwise(labels):
        node = tree_node(page, label)
        expect(node).to_be_visible()
        toggle = node.locator(".directory-toggle")
        for _ in range(3):
            if tree_node(page, child).is_visible():
                break
            if "open" not in (toggle.get_attribute("class") or ""):
                toggle.click()
            try:
                expect(tree_node(page, child)).to_be_visible(timeout=8_000)
            except AssertionError:
                toggle.click()
        expect(tree_node(page, child)).to_be_visible()


def test_the_browser_refuses_a_wrong_password(pgadmin, page):
    _, admin, _ = pgadmin
    from playwright.sync_api import expect

    log_in(page, admin.settings.pgadmin.url, "not-the-password")
    expect(page.get_by_text("Incorrect username or password.")).to_be_visible()


def test_the_admin_sees_the_road_accidents_tables_in_the_browser(pgadmin, page):
    _, admin, _ = pgadmin
    from playwright.sync_api import expect

    base = admin.settings.pgadmin.url
    log_in(page, base, PASSWORD)
    page.wait_for_url("**/browser/")
    database = database_name(admin.settings.database.url)
    path = [SERVER_GROUP, SERVER_NAME, "Databases", database, "Schemas", "public", "Tables"]
    open_path(page, [*path, TABLES[0]])
    for table in TABLES:
        expect(tree_node(page, table)).to_be_visible()
