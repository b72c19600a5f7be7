"""The widget when the service restarts without Redis and forgets every conversation.

The same data folder is served again on the same port (the page's origin, and so its
stored session id, stays), as after ``ingestion-agent serve`` is restarted.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from playwright.async_api import Browser, Page, expect

from api.app import create_app
from api.settings import Settings
from connectors.base import ConnectorContext
from tests.api.web.conftest import DESKTOP, open_page, serve
from tests.support.ports import free_port

AGENT = ".ia-msg--agent"
LOST = "This conversation was lost"


def _service(data_dir: Path, context: ConnectorContext) -> web.Application:
    return create_app(Settings(data_dir=data_dir), connector_context=context)


async def _stored_session(page: Page) -> str:
    stored: str = await page.evaluate(
        "() => Object.entries(localStorage).find(([k]) => k.startsWith('ingestion-agent:'))[1]"
    )
    return stored


async def test_a_lost_conversation_is_said_lost_and_a_new_one_starts(
    browser: Browser, tmp_path: Path, loopback_context: ConnectorContext
) -> None:
    port = free_port()
    page, problems = await open_page(browser, DESKTOP)
    messages = page.locator(".ia-messages")
    try:
        async with serve(_service(tmp_path, loopback_context), port) as url:
            await page.goto(url)
            await expect(page.locator(AGENT).first).to_contain_text("Welcome")
            await page.get_by_role("button", name="Amazon S3").click()
            await expect(page.locator(AGENT).last).to_contain_text("Amazon S3 it is")
            first = await _stored_session(page)

        # Restarted while the page stays open: the next message finds the session gone.
        async with serve(_service(tmp_path, loopback_context), port):
            box = page.get_by_role("textbox", name="Message")
            await box.fill("s3://acme-data/exports/")
            await box.press("Enter")
            await expect(messages).to_contain_text(LOST)
            await expect(page.locator(AGENT).last).to_contain_text("Welcome")
            await expect(page.get_by_role("button", name="Amazon S3")).to_be_visible()
            second = await _stored_session(page)

        # Restarted while the page was away: the stored session is gone when it comes back.
        async with serve(_service(tmp_path, loopback_context), port):
            await page.reload()
            await expect(messages).to_contain_text(LOST)
            await expect(page.locator(AGENT).last).to_contain_text("Welcome")
            await expect(messages.get_by_text(LOST)).to_have_count(1)
            third = await _stored_session(page)
    finally:
        await page.context.close()

    assert len({first, second, third}) == 3
    assert problems.messages == []
