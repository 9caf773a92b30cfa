"""axe-core (from the npm registry, `npm ci` installs it) finds no serious or critical WCAG 2.1
A/AA violation on the main pages, for each role, at desktop and phone width."""

from pathlib import Path

import pytest

from casework.journey import Stage

from ..journey import to_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def case_in_training(world, case):
    """Built before the browser starts: Playwright's event loop forbids the ORM afterwards."""
    return to_stage(case, world, Stage.TRAINING)


def test_main_pages_have_no_serious_accessibility_violations(
    world, case_in_training, server_url, browser
):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci`")
    case = case_in_training
    pages = {
        "worker": [
            "/",
            "/cases/",
            "/cases/new/",
            f"/cases/{case.pk}/",
            "/events/",
            "/sessions/new/",
            "/notifications/",
            "/clients/",
            f"/clients/{case.client_id}/open-case/",
        ],
        "mentor": ["/", f"/cases/{case.pk}/"],
        "supervisor": ["/", f"/cases/{case.pk}/", "/clients/import/"],
        "admin": [
            "/setup/",
            "/setup/new/from-template/",
            f"/setup/{case.programme_id}/",
            f"/setup/{case.programme_id}/locations/",
            f"/setup/{case.programme_id}/partners/",
            f"/setup/{case.programme_id}/targets/",
        ],
    }
    found = {}
    for username, urls in pages.items():
        for width in (1280, 360):
            context = browser.new_context(locale="hu-HU", viewport={"width": width, "height": 800})
            page = context.new_page()
            page.goto(f"{server_url}/accounts/login/")
            if username == "worker" and width == 1280:
                found[f"login@{width}"] = serious_violations(page)
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", "pw")
            page.click("form button[type=submit]")
            page.wait_for_url(f"{server_url}/")
            for url in urls:
                response = page.goto(f"{server_url}{url}")
                assert response.status == 200, f"{username} {url}: {response.status}"
                found[f"{username} {url}@{width}"] = serious_violations(page)
            context.close()
    assert {page: problems for page, problems in found.items() if problems} == {}
