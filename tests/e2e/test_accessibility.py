"""Every page of every role, on the demo year, at 1366 px and on a 390 px phone.

Each role signs in and follows the links it is offered, from its home page, once per kind of page
(a URL name); on each page axe-core (vendored: tests/e2e/vendor/axe.min.js, no CDN) checks
WCAG 2.1 A and AA, the page must be no wider than the window (a wide table scrolls inside its
own box) and no visible text smaller than 12 px; at 1366 px the menu bar holds on one line. A
serious or critical violation, a page wider than the screen, small text, a menu on two lines or
a link that leads to an error fails the test, with the list of what was found.

The admin site is Django's own and left out; so are files (workbooks, documents) and sign-out.
"""

import re
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

AXE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text()
PASSWORD = "demo@2026"
WIDTHS = (1366, 390)
# Each role's sign-in, and the pages it must at least reach (a crawl that found nothing would
# pass otherwise).
ROLES = {
    None: {"login", "public_index", "public_results"},
    "canbo.snv": {"home", "assessment_detail", "assessment_history", "self_assessment_print"},
    "lanhdao.snv": {"home", "assessment_detail"},
    "thamdinh1": {"home", "review_queue", "review_detail"},
    "hoidong": {"home", "period_dashboard", "provisional_results", "council_assessments", "reports_index"},
    "quantri": {"home"},
    "xem": {"home", "public_results"},
}
# Links that are not pages: files, and the way out.
NOT_PAGES = re.compile(r"\.(xlsx|docx|pdf|png|svg|zip)$|^/admin/|^/dang-xuat/|^/media/|^/static/")
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# Visible text set in a font under 12 px: "element font-size: text", at most five per page.
SMALL_TEXT = """() => {
    const found = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode() && found.size < 5) {
        const text = walker.currentNode.textContent.trim();
        const element = walker.currentNode.parentElement;
        if (!text || element.closest(".visually-hidden")) continue;
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        if (!box.width || !box.height || style.visibility === "hidden") continue;
        if (parseFloat(style.fontSize) < 12) {
            found.add(element.tagName + " " + style.fontSize + ": " + text.slice(0, 40));
        }
    }
    return [...found];
}"""
# The menu bar at 1366 px: every entry on one line, nothing beyond the bar's right edge.
MENU_BAR = """() => {
    const bar = document.querySelector("nav.navbar .container");
    const entries = [...bar.querySelectorAll(".navbar-nav > .nav-item")];
    const right = bar.getBoundingClientRect().right;
    return {
        lines: new Set(entries.map(entry => Math.round(entry.getBoundingClientRect().top))).size,
        beyond: entries.filter(entry => entry.getBoundingClientRect().right > right + 1).length,
    };
}"""
# Pages shown once per role (they differ by role); every other kind of page once per width.
PER_ROLE = {"home", "login"}


def url_name(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


def sign_in(page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form[action='/dang-nhap/'] button[type=submit]").click()


def crawl(page, *, start: list[str], seen: set[str], problems: list[str], label: str) -> set[str]:
    """Visit every kind of page reachable from `start` not in `seen`; return the kinds reached."""
    queue = [(path, "") for path in start]
    visited_paths: set[str] = set()
    reached: set[str] = set()
    while queue:
        path, came_from = queue.pop(0)
        name = url_name(urlsplit(path).path)
        if path in visited_paths or name is None:
            continue
        visited_paths.add(path)
        key = f"{label}:{name}" if name in PER_ROLE else name
        if key in seen:
            reached.add(name)
            continue
        seen.add(key)
        response = page.goto(path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        reached.add(name)
        if response.status != 200:
            problems.append(f"{label} {path} (from {came_from or 'start'}): HTTP {response.status}")
            continue
        page.add_script_tag(content=AXE)
        found = page.evaluate(
            """async (rules) => {
                const result = await axe.run(document, rules);
                return result.violations
                    .filter(v => v.impact === "serious" || v.impact === "critical")
                    .map(v => v.id + " × " + v.nodes.length + ": "
                         + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
            }""",
            RULES,
        )
        problems.extend(f"{label} {path}: {violation}" for violation in found)
        wide, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if wide > window:
            problems.append(f"{label} {path}: {wide} px wide in a {window} px window")
        tiny = page.evaluate(SMALL_TEXT)
        problems.extend(f"{label} {path}: text under 12 px: {text}" for text in tiny)
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(link => link.getAttribute('href'))"
        ):
            target = href.split("#")[0]
            if target.startswith("?"):
                target = urlsplit(path).path + target
            if not target.startswith("/") or NOT_PAGES.search(urlsplit(target).path):
                continue
            queue.append((target, path))
    return reached


@pytest.mark.e2e
@pytest.mark.xdist_group("browser")
@pytest.mark.django_db(transaction=True)
def test_every_page_of_every_role_is_accessible_and_fits_the_screen(browser, live_server):
    call_command("seed_demo", stdout=StringIO())
    problems: list[str] = []
    missed: dict[str, set[str]] = {}
    for width in WIDTHS:
        seen: set[str] = set()
        for username, expected in ROLES.items():
            label = f"{username or 'anonymous'}@{width}"
            # bypass_csp: axe is added to the page as a script of its own, which the site's
            # policy rightly forbids to anyone else.
            context = browser.new_context(
                base_url=live_server.url,
                viewport={"width": width, "height": 900},
                locale="vi-VN",
                bypass_csp=True,
            )
            page = context.new_page()
            if username:
                sign_in(page, username)
                start = ["/"]
                if width == 1366:
                    bar = page.evaluate(MENU_BAR)
                    if bar != {"lines": 1, "beyond": 0}:
                        problems.append(f"{label}: menu bar on {bar['lines']} lines, {bar['beyond']} beyond")
            else:
                start = ["/dang-nhap/", "/ket-qua/"]
            reached = crawl(page, start=start, seen=seen, problems=problems, label=label)
            context.close()
            if expected - reached:
                missed[label] = expected - reached
    assert (missed, problems) == ({}, [])
