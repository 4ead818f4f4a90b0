"""Steps the browser tests share: log in, open a task from the group worklist, submit it, and run engine work
that signs records outside Playwright's event loop."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection


def login(page: Any, base: str, username: str, password: str | None = None) -> None:
    """Log in afresh; the test users' password is ``pw-<name>``, the demo users' is given."""
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('待办任务')")


def open_task(page: Any, base: str, name: str, *, exact: bool = False) -> None:
    """Open the task called ``name`` (or containing it) from the user's groups' tasks."""
    page.goto(base + "/?tab=group")
    page.click(f"a:text-is('{name}')" if exact else f"a:has-text('{name}')")
    page.wait_for_selector(f"h1:has-text('{name}')")


def submit(page: Any) -> None:
    # Keyboard, not a mouse click: after a full-page screenshot Chromium can miss a click near the page's end.
    page.locator("button:has-text('提交办结')").press("Enter")
    page.wait_for_selector("text=已办结")


def off_the_browser_loop(work: Callable[[], Any]) -> Any:
    """Run ``work`` in another thread and return its result: signing a record runs ``asyncio.run()``, which cannot
    start in this thread while Playwright's event loop runs in it."""

    def run() -> Any:
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()
