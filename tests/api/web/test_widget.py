"""The web chat widget in a real browser (Debian's headless Chromium) against the real service.

The S3 conversation runs against the real SeaweedFS server, reached through a relay that
answers a second late, so the progress of the connection test and the discovery is on
screen long enough to see. Screenshots are saved for a person to look at (see conftest).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web
from mypy_boto3_s3 import S3Client
from playwright.async_api import Browser, Page, Route, expect
from pydantic import SecretStr

from api.app import create_app
from api.settings import Settings
from connectors.base import ConnectorContext
from tests.api.web.conftest import DESKTOP, Live, Screenshots, open_page, serve
from tests.api.web.slow_relay import slow_relay
from tests.support.seaweedfs import SeaweedS3

SLOW = 15_000  # ms: generous upper bounds for steps that wait on the server
AGENT = ".ia-msg--agent"


@pytest.fixture
def files(s3_admin: S3Client, bucket: str) -> str:
    for day in ("2026-05-24", "2026-05-25"):
        s3_admin.put_object(
            Bucket=bucket, Key=f"daily/{day}/booking.csv", Body=b"hotel_id,name\n1,Ritz\n"
        )
    s3_admin.put_object(Bucket=bucket, Key="daily/expedia.csv", Body=b"id,price\n1,9.5\n")
    return bucket


@pytest.fixture
async def slow_s3(seaweed: SeaweedS3) -> AsyncIterator[str]:
    """The SeaweedFS endpoint, each connection answered a second late."""
    async with slow_relay(seaweed.endpoint_url, delay=1.0) as url:
        yield url


async def transcript(page: Page) -> list[tuple[str, str]]:
    """What the message list shows: (who, text) per message (a shown-once card aside)."""
    items: list[list[str]] = await page.eval_on_selector_all(
        ".ia-messages > .ia-msg:not(.ia-reveal)",
        "nodes => nodes.map(n => [n.classList.contains('ia-msg--user') ? 'user' : 'agent',"
        " n.querySelector('.ia-bubble').textContent])",
    )
    return [(who, text) for who, text in items]


async def storage(page: Page) -> str:
    """Everything in localStorage and sessionStorage, as one string."""
    dumped: str = await page.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    )
    return dumped


async def input_values(page: Page) -> list[str]:
    values: list[str] = await page.eval_on_selector_all(
        "input, textarea", "nodes => nodes.map(n => n.value)"
    )
    return values


async def say(page: Page, text: str) -> None:
    """Type into the message box and press Enter; wait until the agent has answered."""
    before = await page.locator(AGENT).count()
    box = page.get_by_role("textbox", name="Message")
    await box.fill(text)
    await box.press("Enter")
    await expect(page.locator(AGENT)).to_have_count(before + 1, timeout=SLOW)


async def test_a_whole_s3_conversation_creates_the_source_and_survives_a_reload(
    page: Page,
    live: Live,
    seaweed: SeaweedS3,
    files: str,
    slow_s3: str,
    screenshots: Screenshots,
) -> None:
    secret = seaweed.reader.secret_access_key
    await page.goto(live.base_url)
    await expect(page.locator(AGENT).first).to_contain_text("Welcome")
    await expect(page.locator(".ia-badge")).to_have_text("Local dev · you")
    await screenshots.take(page, "01-welcome")

    await page.get_by_role("button", name="Amazon S3").click()
    await expect(page.locator(AGENT)).to_have_count(2)
    await expect(page.locator(AGENT).last).to_contain_text("Amazon S3 it is")

    await say(
        page,
        f"bucket {files}, prefix daily/, endpoint {slow_s3}, key id {seaweed.reader.access_key_id}",
    )
    masked = page.get_by_label("Secret access key")
    await expect(masked).to_be_visible()
    await expect(masked).to_have_attribute("type", "password")
    await expect(masked).to_be_focused()
    await expect(page.get_by_role("textbox", name="Message")).to_be_hidden()

    await masked.press_sequentially(secret)
    await page.get_by_role("button", name="Show the secret").click()
    await expect(masked).to_have_attribute("type", "text")
    await expect(masked).to_have_value(secret)
    await screenshots.take(page, "02-secret-shown")
    await page.get_by_role("button", name="Hide the secret").click()
    await expect(masked).to_have_attribute("type", "password")
    await screenshots.take(page, "03-secret-masked")
    await masked.press("Enter")

    testing = page.locator('.ia-task[data-step="test connection"]')
    await expect(testing).to_have_attribute("data-status", "running")
    await expect(testing).to_contain_text("Testing the connection")
    await expect(page.locator(".ia-msg--secret .ia-bubble")).to_have_text(
        "Secret access key sent securely to the vault"
    )
    assert secret not in await page.content()
    await screenshots.take(page, "04-testing")
    discovering = page.locator('.ia-task[data-step="discover schema"]')
    await expect(discovering).to_have_attribute("data-status", "running", timeout=SLOW)
    await expect(testing).to_have_attribute("data-status", "done")
    await screenshots.take(page, "05-discovering")

    chooser = page.get_by_role("group", name="Choose what to pull")
    await expect(chooser).to_be_visible(timeout=SLOW)
    await expect(discovering).to_have_attribute("data-status", "done")
    await chooser.get_by_role("button", name="1 · booking").click()
    await chooser.get_by_role("button", name="2 · expedia").click()
    await expect(chooser.get_by_role("button", name="1 · booking")).to_have_attribute(
        "aria-pressed", "true"
    )
    await screenshots.take(page, "06-streams")
    await chooser.get_by_role("button", name="Use 2 selected").click()

    await page.get_by_role("button", name="Every 6 hours").click()
    await expect(page.locator(AGENT).last).to_contain_text("Create it?")
    await expect(page.locator(AGENT).last).to_contain_text("ia_****")
    await screenshots.take(page, "07-review")

    held: list[Route] = []

    async def hold(route: Route) -> None:
        held.append(route)  # answered below, once the typing indicator was seen

    await page.route("**/chat", hold)
    await page.get_by_role("button", name="Create").click()
    await expect(page.locator(".ia-typing")).to_be_visible()
    await screenshots.take(page, "08-typing")
    for route in held:
        await route.continue_()
    await page.unroute("**/chat")
    await expect(page.locator(AGENT).last).to_contain_text("Done.", timeout=SLOW)
    await expect(page.locator(".ia-typing")).to_be_hidden()
    await screenshots.take(page, "09-done")

    agent = await live.get("/api/v1/agents/default")
    sources: Any = await live.get(f"/api/v1/agents/{agent['id']}/data-sources")
    assert [(s["scheduleCron"], s["selectedStreams"]) for s in sources["items"]] == [
        ("0 */6 * * *", ["booking", "expedia"])
    ]

    # The secret is nowhere: not in the page, the message list, the inputs or storage.
    shown = await transcript(page)
    assert secret not in await page.content()
    assert secret not in json.dumps(shown)
    assert secret not in "".join(await input_values(page))
    assert secret not in await storage(page)
    assert re.fullmatch(
        r'\[\[\["ingestion-agent:session:[^"]+","ses_\w+"\]\],\[\]\]', await storage(page)
    )

    await page.reload()
    await expect(page.locator(".ia-messages > .ia-msg")).to_have_count(len(shown))
    assert await transcript(page) == shown
    await expect(page.get_by_role("button", name="Start over")).to_be_visible()
    assert secret not in await page.content()
    await screenshots.take(page, "10-restored")


async def test_a_generated_signing_secret_is_shown_once_and_kept_nowhere(
    page: Page, live: Live, screenshots: Screenshots
) -> None:
    await page.goto(live.base_url)
    await page.get_by_role("button", name="Send results to…").click()
    await page.get_by_role("button", name="HTTPS webhook").click()
    await expect(page.locator(AGENT)).to_have_count(3)
    # A closed loopback port: the test after "generate" fails fast, which is fine here.
    await say(page, "https://127.0.0.1:9/results")
    await expect(page.get_by_label("Signing secret")).to_have_attribute("type", "password")

    await page.get_by_role("button", name="Generate").click()
    reveal = page.locator(".ia-reveal")
    await expect(reveal).to_contain_text("Shown once")
    value = await reveal.locator(".ia-reveal-value").text_content()
    assert value is not None
    assert value.startswith("whsec_")
    await screenshots.take(page, "20-reveal-once")
    assert value not in await storage(page)
    assert value not in json.dumps(await transcript(page))

    await reveal.get_by_role("button", name="I've saved it").click()
    await expect(reveal).to_have_count(0)
    assert value not in await page.content()
    await expect(page.locator(".ia-msg--fail")).to_have_count(1, timeout=SLOW)
    await screenshots.take(page, "21-test-failed")

    await page.reload()
    await expect(page.locator(".ia-msg--fail")).to_have_count(1)
    assert value not in await page.content()
    assert value not in await storage(page)


async def test_the_widget_works_from_the_keyboard_alone(
    page: Page, live: Live, screenshots: Screenshots
) -> None:
    await page.goto(live.base_url)
    await expect(page.locator(AGENT).first).to_contain_text("Welcome")
    message = page.get_by_role("textbox", name="Message")
    await expect(message).to_be_focused()

    # Back from the input to the quick replies: real buttons, in order, with a focus ring.
    options = await page.locator(".ia-controls button").all_text_contents()
    assert "Amazon S3" in options
    seen = []
    for _ in options:
        await page.keyboard.press("Shift+Tab")
        seen.append(await page.evaluate("document.activeElement.textContent"))
        if seen[-1] == "Amazon S3":
            break
    assert seen == options[::-1][: len(seen)]
    ring = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"
    await screenshots.take(page, "30-keyboard-focus")
    await page.keyboard.press("Enter")
    await expect(page.locator(AGENT)).to_have_count(2)
    await expect(page.locator(".ia-msg--user").last).to_have_text("You said: Amazon S3")
    await expect(message).to_be_focused()

    # Forward: the tab order reaches the input again.
    for _ in range(12):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.getAttribute('aria-label')") == "Message":
            break
    await expect(message).to_be_focused()
    await page.keyboard.type("cancel")
    await page.keyboard.press("Enter")
    await expect(page.locator(AGENT)).to_have_count(3)
    await expect(page.get_by_role("button", name="Amazon S3")).to_be_visible()
    await expect(message).to_have_value("")


async def test_a_phone_width_screen_never_scrolls_sideways(
    phone: Page, live: Live, seaweed: SeaweedS3, screenshots: Screenshots
) -> None:
    await phone.goto(live.base_url)
    await expect(phone.locator(AGENT).first).to_contain_text("Welcome")
    await screenshots.take(phone, "40-phone-welcome")
    long_bucket = "acme-inventory-with-a-rather-long-bucket-name-for-phones"
    await say(phone, f"s3://{long_bucket}/daily-uploads/2026/partner-exports/")
    await say(phone, f"endpoint {seaweed.endpoint_url}, key id {seaweed.reader.access_key_id}")
    await expect(phone.get_by_label("Secret access key")).to_be_visible()
    await screenshots.take(phone, "41-phone-secret")

    overflow = await phone.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')]
                .filter(n => n.getBoundingClientRect().right > width + 0.5)
                .map(n => n.className || n.tagName);
            return {scroll: document.documentElement.scrollWidth, width, wide};
        }"""
    )
    assert overflow == {"scroll": 390, "width": 390, "wide": []}


def embedding_page(html: dict[str, str]) -> web.Application:
    """Another site's page: its own styles, and the widget's one script tag."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=html[request.path.strip("/") or "page"], content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    app.router.add_get("/inline", page)
    return app


def page_with_widget(widget_url: str) -> str:
    return (
        "<!doctype html><html><head><title>Acme intranet</title>"
        "<style>body{font:18px Georgia,serif;background:#fbf7ef;color:#3b2f1e}"
        "button{background:#c00;color:#ff0;border:4px dotted #000}</style></head>"
        "<body><h1>Acme intranet</h1><p>Quarterly numbers, team pages and more.</p>"
        f'<script src="{widget_url}/widget.js" data-ingestion-agent></script>'
        "</body></html>"
    )


async def test_one_script_tag_embeds_the_widget_on_an_allowed_site(
    browser: Browser,
    tmp_path: Any,
    loopback_context: ConnectorContext,
    monkeypatch: pytest.MonkeyPatch,
    screenshots: Screenshots,
) -> None:
    html: dict[str, str] = {}
    async with serve(embedding_page(html)) as site:
        monkeypatch.setenv("INGESTION_AGENT_WIDGET_ORIGINS", site)
        app = create_app(Settings(data_dir=tmp_path), connector_context=loopback_context)
        async with serve(app) as widget_url:
            assert widget_url != site  # another origin: another port
            html["page"] = page_with_widget(widget_url)
            page, problems = await open_page(browser, DESKTOP)
            try:
                await page.goto(site)
                launcher = page.get_by_role("button", name="Open the chat: connect your data")
                await launcher.click()
                panel = page.get_by_role("dialog", name="Connect your data")
                await expect(panel.locator(AGENT).first).to_contain_text("Welcome")
                await expect(panel.get_by_role("textbox", name="Message")).to_be_focused()
                # The site's button styles stop at the shadow root.
                chip = panel.get_by_role("button", name="Amazon S3")
                assert await chip.evaluate("b => getComputedStyle(b).borderStyle") == "solid"
                await chip.click()
                await expect(panel.locator(AGENT)).to_have_count(2)
                await screenshots.take(page, "50-embedded")

                await page.keyboard.press("Escape")
                await expect(panel).to_be_hidden()
                await expect(launcher).to_be_focused()
                await page.reload()
                # The panel was closed: it stays closed, and opens on the same conversation.
                await expect(page.get_by_role("dialog")).to_be_hidden()
                await page.get_by_role("button", name="Open the chat: connect your data").click()
                await expect(panel.locator(AGENT)).to_have_count(2)

                # data-target: mounted inside the page's own element, no launcher.
                html["inline"] = page_with_widget(widget_url).replace(
                    "<script ", '<div id="chat"></div><script data-target="#chat" '
                )
                await page.goto(f"{site}/inline")
                inline = page.locator("#chat").get_by_role("region", name="Connect your data")
                await expect(inline.locator(AGENT)).to_have_count(2)
                launchers = page.get_by_role("button", name=re.compile("Open the chat"))
                await expect(launchers).to_have_count(0)
                assert problems.messages == []
            finally:
                await page.context.close()


async def test_a_site_that_is_not_allowed_cannot_use_the_widget(
    browser: Browser, live: Live, screenshots: Screenshots
) -> None:
    html = {"page": ""}
    async with serve(embedding_page(html)) as site:
        html["page"] = page_with_widget(live.base_url)
        page, _ = await open_page(browser, DESKTOP)
        try:
            await page.goto(site)
            await page.get_by_role("button", name="Open the chat: connect your data").click()
            alert = page.get_by_role("dialog").get_by_role("alert")
            await expect(alert).to_contain_text("couldn't start a conversation")
            await screenshots.take(page, "51-embedding-refused")
        finally:
            await page.context.close()


async def test_work_in_progress_can_be_cancelled_from_its_card(
    page: Page, live: Live, seaweed: SeaweedS3, files: str
) -> None:
    async with slow_relay(seaweed.endpoint_url, delay=30.0) as very_slow:
        await page.goto(live.base_url)
        await expect(page.locator(AGENT).first).to_contain_text("Welcome")
        await say(page, f"s3://{files}/daily/")
        await say(page, f"endpoint {very_slow}, key id {seaweed.reader.access_key_id}")
        masked = page.get_by_label("Secret access key")
        await masked.fill(seaweed.reader.secret_access_key)
        await masked.press("Enter")
        card = page.locator('.ia-task[data-status="running"]')
        await expect(card).to_be_visible()

        await card.get_by_role("button", name="Cancel").click()

        await expect(page.locator(".ia-task")).to_have_attribute("data-status", "done")
        await expect(page.get_by_role("button", name="Amazon S3")).to_be_visible()
        await expect(page.get_by_role("textbox", name="Message")).to_be_focused()


JWT_KEY = "widget-test-signing-key-long-enough-for-hmac-0123456789abcdef"


async def test_in_jwt_mode_an_embedding_page_passes_the_token(
    browser: Browser,
    tmp_path: Any,
    loopback_context: ConnectorContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = int(time.time())
    token = jwt.encode(
        {
            "sub": "grace",
            "tenant_id": "acme",
            "roles": ["ROLE_DATA_ENGINEER"],
            "aud": "ingestion-agent",
            "iat": now,
            "exp": now + 600,
        },
        JWT_KEY,
        algorithm="HS256",
    )
    html: dict[str, str] = {}
    async with serve(embedding_page(html)) as site:
        monkeypatch.setenv("INGESTION_AGENT_WIDGET_ORIGINS", site)
        settings = Settings(data_dir=tmp_path, auth_mode="jwt", jwt_key=SecretStr(JWT_KEY))
        app = create_app(settings, connector_context=loopback_context)
        async with serve(app) as widget_url:
            html["page"] = page_with_widget(widget_url).replace(
                "data-ingestion-agent>", f'data-ingestion-agent data-token="{token}">'
            )
            page, problems = await open_page(browser, DESKTOP)
            try:
                await page.goto(site)
                await page.get_by_role("button", name="Open the chat: connect your data").click()
                panel = page.get_by_role("dialog", name="Connect your data")
                await expect(panel.locator(AGENT).first).to_contain_text("Welcome")
                await expect(panel.locator(".ia-badge")).to_be_hidden()  # no local identity
                session_id = await page.evaluate(
                    "Object.entries(localStorage).find(([k]) => k.startsWith('ingestion-agent'))[1]"
                )
                async with (
                    aiohttp.ClientSession() as http,
                    http.get(
                        f"{widget_url}/api/v1/agents/ingestion/sessions/{session_id}",
                        headers={"Authorization": f"Bearer {token}"},
                    ) as response,
                ):
                    assert response.status == 200  # the session is grace's, in tenant acme
                assert problems.messages == []
            finally:
                await page.context.close()


async def test_a_failed_test_shows_a_failed_card_and_retry_tests_again(
    page: Page, live: Live, seaweed: SeaweedS3, files: str
) -> None:
    await page.goto(live.base_url)
    await expect(page.locator(AGENT).first).to_contain_text("Welcome")
    await say(page, f"s3://{files}/daily/")
    await say(page, f"endpoint {seaweed.endpoint_url}, key id {seaweed.reader.access_key_id}")
    masked = page.get_by_label("Secret access key")
    await masked.fill("not-the-secret-" + "x" * 24)
    await masked.press("Enter")

    card = page.locator(".ia-task").last
    await expect(card).to_have_attribute("data-status", "failed", timeout=SLOW)
    await expect(card).to_contain_text("Connection test failed")
    await expect(card.locator(".ia-task-done")).to_have_count(0)
    # The secret prompt is open again, and its quick replies are commands.
    await expect(page.get_by_label("Secret access key")).to_be_visible()
    before = await page.locator(AGENT).count()

    await page.get_by_role("button", name="Retry").click()

    await expect(page.locator(AGENT)).to_have_count(before + 2, timeout=SLOW)
    said = [text for who, text in await transcript(page) if who == "user"]
    assert said[-1] == "Retry"


async def test_an_empty_masked_field_answers_no_password(page: Page, live: Live) -> None:
    await page.goto(live.base_url)
    await expect(page.locator(AGENT).first).to_contain_text("Welcome")
    await say(page, "postgres://postgres@127.0.0.1:5432/test")
    masked = page.get_by_label("Password")
    await expect(masked).to_be_visible()

    await masked.press("Enter")

    await expect(page.locator(AGENT).filter(has_text="No password, then.")).to_have_count(
        1, timeout=SLOW
    )
