"""Helpers for the browser tests: one browser context per sign-in, waits on htmx and on
page loads, screenshots, and the JavaScript errors a page raised."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

# The password of every user the factories make (tests/factories.py).
PASSWORD = "mat-khau-thu-nghiem"
TIMEOUT_MS = 60_000


class Browsing:
    """The people of a test, each in a fresh browser context against the live server."""

    def __init__(self, browser: Browser, base_url: str, folder: Path):
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.folder = folder
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def page(self) -> Page:
        """A page in a new context, in Vietnamese, that accepts every confirmation dialog."""
        context = self.browser.new_context(
            base_url=self.base_url, locale="vi-VN", viewport={"width": 1400, "height": 1000}
        )
        self.contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        # Buttons ask "are you sure?" through window.confirm (data-confirm, hx-confirm): say yes,
        # and keep the question for the test to check.
        page.on("dialog", self.confirm)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        return page

    def confirm(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()

    def sign_in(self, username: str, full_name: str, *, screenshot: str | None = None) -> Page:
        """Sign in through the login form and land on the home page, greeted by name."""
        page = self.page()
        page.goto("/dang-nhap/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(PASSWORD)
        if screenshot:
            self.shot(page, screenshot)
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng nhập", exact=True).click()
        expect(page).to_have_url(f"{self.base_url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Xin chào, {full_name}")
        return page

    def shot(self, page: Page, name: str) -> None:
        # From the top: a sticky panel would otherwise be drawn where the last input scrolled to.
        # The pointer goes to a corner, so that no button is caught half-way through its hover colour.
        page.evaluate("window.scrollTo(0, 0)")
        page.mouse.move(0, 0)
        page.screenshot(path=str(self.folder / name), full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


def navigate(page: Page, action: Callable[[], None]) -> None:
    """Do something that loads a new page (a link, a form post and its redirect) and wait for it."""
    with page.expect_navigation():
        action()


def htmx_post(page: Page, path: str, action: Callable[[], None], *, status: int = 200) -> Response:
    """Do something that makes htmx post to `path`, and wait for the answer."""
    with page.expect_response(
        lambda response: response.request.method == "POST" and response.url.endswith(path)
    ) as answer:
        action()
    response = answer.value
    assert response.status == status, f"POST {path}: {response.status}"
    return response
