"""A live service on a loopback port, and one headless Chromium for the whole session."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright

from api.app import create_app
from api.settings import Settings
from api.web import LOCAL_IDENTITY
from connectors.base import ConnectorContext

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1100, "height": 800}
PHONE = {"width": 390, "height": 844}


@contextlib.asynccontextmanager
async def serve(app: web.Application, port: int = 0) -> AsyncIterator[str]:
    """Serve ``app`` on ``port`` of loopback (a free one by default); yield its base URL.

    Open event streams are cut after a second on shutdown rather than waited for.
    """
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium; missing is a failure, never a skip."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package `chromium`.")
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium_path: Path) -> AsyncIterator[Browser]:
    """One headless Chromium for the session, driven by Playwright (no downloaded browser)."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@dataclass
class Live:
    """The service on a loopback port, with helpers to look behind the widget."""

    base_url: str

    async def get(self, path: str) -> dict[str, object]:
        """A GET as the widget's local identity."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(self.base_url + path, headers=LOCAL_IDENTITY) as response,
        ):
            assert response.status == 200, await response.text()
            body: dict[str, object] = await response.json()
            return body


@pytest.fixture(scope="module")
async def live(
    tmp_path_factory: pytest.TempPathFactory, loopback_context: ConnectorContext
) -> AsyncIterator[Live]:
    """``create_app`` as ``ingestion-agent serve`` builds it, on a free loopback port."""
    data_dir = tmp_path_factory.mktemp("widget-app")
    app = create_app(Settings(data_dir=data_dir), connector_context=loopback_context)
    async with serve(app) as base_url:
        yield Live(base_url)


@dataclass
class PageProblems:
    """Script errors and Content-Security-Policy refusals seen by a page."""

    messages: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.messages.append(message.text)


async def open_page(browser: Browser, viewport: dict[str, int]) -> tuple[Page, PageProblems]:
    """A fresh browser context (its own storage) and page."""
    context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = await context.new_page()
    problems = PageProblems()
    page.on("console", problems.console)
    page.on("pageerror", lambda error: problems.messages.append(f"page error: {error}"))
    return page, problems


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A desktop-sized page; the test fails if a script error or a CSP refusal happened."""
    opened, problems = await open_page(browser, DESKTOP)
    yield opened
    await opened.context.close()
    assert problems.messages == []


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[Page]:
    """A phone-sized page (390 x 844)."""
    opened, problems = await open_page(browser, PHONE)
    yield opened
    await opened.context.close()
    assert problems.messages == []


@dataclass(frozen=True)
class Screenshots:
    """Saves screenshots for a person to look at.

    They go to the session's temporary folder and, when ``INGESTION_AGENT_SCREENSHOTS`` names
    a folder, are copied there too.
    """

    folder: Path

    async def take(self, page: Page, name: str) -> Path:
        path = self.folder / f"{name}.png"
        await page.screenshot(path=str(path))
        target = os.environ.get("INGESTION_AGENT_SCREENSHOTS")
        if target:
            await asyncio.to_thread(_copy, path, Path(target))
        return path


def _copy(path: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, folder / path.name)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Screenshots:
    return Screenshots(tmp_path_factory.mktemp("screenshots"))
