"""Every page of every role on a phone (375 x 812): nothing wider than the screen, the menu behind
one button and short when closed, every control of the page inside the screen and big enough to
touch.

The pages are those the authorisation table (tests/authz/) lets each role open with 200, on the
same test world the authorisation test uses, plus the coalition's reference data so that lists
are long and names realistic. Downloads (PDF, CSV, XLSX, iCalendar, JSON) have no layout and are
only checked to be downloads. One browser context per role visits its pages in sequence.

Touch targets: 44 x 44 CSS px is the size WCAG 2.5.5 asks for. Exempt, as WCAG 2.5.8 exempts
them, are links inside a sentence (an inline link whose block holds other words too): making
them taller would break the line spacing of the text they belong to. A checkbox or radio button
counts with its label, which toggles it as well.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.conftest import WCAG_TAGS
from tests.e2e.test_accounts_in_browser import sign_in
from tests.test_authorization import TABLE

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
MIN_TARGET = 44
# The role names of the authorisation table, as the people of each role are called in the brief.
ROLES = {
    "anonymous": "anonymous",
    "volunteer": "volunteer",
    "staff": "staff_a",
    "coordinator": "coordinator",
    "administrator": "admin",
}
# Endpoints that answer with data, not a page: checked to be no HTML, not laid out.
NOT_PAGES = re.compile(r"^(api\.|static$|main\.healthz$)")
DOWNLOAD = re.compile(r"\.(pdf|csv|xlsx|ics|json|svg|atom)(\?|$)")
EXTRA_PAGES = {"anonymous": ["/nie-ma-takiej-strony"]}

# One pass over the page in the browser: what is wider than the screen, what is too small.
MEASURE = """
([minTarget]) => {
  const vw = document.documentElement.clientWidth;
  const seen = (el) => {
    if (!el.getClientRects().length) return false;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;  // the visually-hidden pattern is 1 x 1
  };
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '')
      .trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `<${el.tagName.toLowerCase()}${el.type ? ' ' + el.type : ''}> "${text}"`;
  };
  // A link inside a sentence: inline, and its block holds words besides its links and controls.
  const inSentence = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display === 'inline') block = block.parentElement;
    let around = block.innerText;
    for (const other of block.querySelectorAll('a, button, label, select, input, .hint, .muted')) {
      if (other.innerText) around = around.replace(other.innerText.trim(), '');
    }
    return around.replace(/[\\s.,:;()·|/–-]/g, '').length > 0;
  };
  const targetBox = (el) => {
    const r = el.getBoundingClientRect();
    if ((el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels.length) {
      const l = el.labels[0].getBoundingClientRect();
      return {left: Math.min(r.left, l.left), right: Math.max(r.right, l.right),
              height: Math.max(r.bottom, l.bottom) - Math.min(r.top, l.top)};
    }
    return {left: r.left, right: r.right, height: r.height};
  };
  const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const check = (root) => {
    const outside = [], small = [], inline = [];
    if (!root) return {outside, small, inline};
    for (const el of root.querySelectorAll(controls)) {
      if (!seen(el)) continue;
      const box = targetBox(el);
      if (box.left < -0.5 || box.right > vw + 0.5) {
        outside.push(`${describe(el)} at ${Math.round(box.left)}..${Math.round(box.right)}`);
      }
      if (box.height < minTarget - 0.5) {
        if (inSentence(el)) inline.push(describe(el));
        else small.push(`${describe(el)} ${Math.round(box.height)} px tall`);
      }
    }
    return {outside, small, inline};
  };
  const header = document.querySelector('.site-header');
  return {
    scrollWidth: document.documentElement.scrollWidth,
    viewport: vw,
    headerHeight: header ? header.getBoundingClientRect().height : 0,
    main: check(document.querySelector('main')),
    footer: check(document.querySelector('.site-footer')),
  };
}
"""


def pages_of(role: str, world) -> tuple[list[str], list[str]]:
    """The (pages, downloads) the authorisation table lets `role` GET with 200."""
    pages, downloads = [], []
    for (endpoint, method), (url, expected) in sorted(TABLE.items()):
        if method != "GET" or expected[role] != 200:
            continue
        path = url(world)
        if NOT_PAGES.match(endpoint) or DOWNLOAD.search(path):
            downloads.append(path)
        else:
            pages.append(path)
    return pages, downloads


def layout_problems(page: Page, path: str, exempt: set[str]) -> list[str]:
    """What is wrong with the page as it is now laid out, one line each; links in a sentence
    that are smaller than a touch target go to `exempt`."""
    found = page.evaluate(MEASURE, [MIN_TARGET])
    exempt.update(
        f"{path}: {link}" for part in ("main", "footer") for link in found[part]["inline"]
    )
    problems = []
    if found["headerHeight"] > PHONE["height"] / 3:
        problems.append(f"header {found['headerHeight']:.0f} px tall > a third of the screen")
    if found["scrollWidth"] > found["viewport"]:
        problems.append(f"scrolls sideways: {found['scrollWidth']} px > {found['viewport']} px")
    for part in ("main", "footer"):
        for item in found[part]["outside"]:
            problems.append(f"{part}: outside the screen: {item}")
        for item in found[part]["small"]:
            problems.append(f"{part}: under {MIN_TARGET} px: {item}")
    return [f"{path}: {p}" for p in problems]


def menu_problems(page: Page, path: str, axe: Axe) -> list[str]:
    """The menu: short when closed, one button opens it, every link in it inside the screen and
    big enough to touch, and a link in it leads where it says."""
    problems = []
    header = page.locator(".site-header")
    height = header.bounding_box()["height"]
    if height > PHONE["height"] / 3:
        problems.append(f"header {height:.0f} px tall when closed > {PHONE['height'] / 3:.0f} px")
    menu = page.locator(".site-menu")
    links = menu.locator("nav a")
    if links.count() and links.first.is_visible():
        problems.append("menu links visible before the menu is opened")
    button = menu.locator("summary")
    expect(button).to_have_accessible_name(re.compile("Menu"))
    button.click()
    expect(menu).to_have_attribute("open", "")
    controls = menu.locator("a[href], button, select")
    for i in range(controls.count()):
        control = controls.nth(i)
        if not control.is_visible():
            problems.append(f"menu: hidden when open: {control.inner_text()!r}")
            continue
        box = control.bounding_box()
        name = control.inner_text().strip() or control.get_attribute("name")
        if box["x"] < 0 or box["x"] + box["width"] > PHONE["width"]:
            problems.append(f"menu: outside the screen: {name!r}")
        if box["height"] < MIN_TARGET - 0.5:
            problems.append(f"menu: under {MIN_TARGET} px: {name!r} {box['height']:.0f} px")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"open menu scrolls sideways: {width} px")
    problems += [f"open menu: {p}" for p in axe_problems(axe, page, path)]
    button.click()
    expect(links.first).to_be_hidden()
    button.click()
    last = links.last
    href = last.get_attribute("href")
    last.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    expect(page.locator(".site-menu")).not_to_have_attribute("open", "")
    return [f"{path}: {p}" for p in problems]


def desktop_problems(page: Page) -> list[str]:
    """On a desktop screen the menu sits in the header, open, with no button in the way."""
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    problems = []
    if page.locator(".site-menu summary").is_visible():
        problems.append("desktop: the menu button is shown")
    if not page.locator(".main-nav a").first.is_visible():
        problems.append("desktop: the menu links are hidden")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > DESKTOP["width"]:
        problems.append(f"desktop: scrolls sideways: {width} px")
    return problems


def axe_problems(axe: Axe, page: Page, path: str) -> list[str]:
    """axe-core's WCAG 2.1 A and AA rules, on the page as a phone shows it."""
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{path}: axe {v['id']}: {v['help']} -> "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


@pytest.fixture
def phone_world(factory, authz_world):
    """The authorisation test's world, with the coalition's reference data and a matching run
    that explains an unfilled shift, so that every list and table on the pages has rows."""
    from datetime import UTC
    from datetime import datetime

    from app.extensions import db
    from app.models import MatchRun

    world, users = authz_world
    factory.reference_data()
    with factory.app.app_context():
        run = db.session.get(MatchRun, world.run_id)
        run.finished_at = datetime.now(UTC)
        run.diagnostics = [
            {
                "place_id": world.shift_a,
                "need_id": world.need_a,
                "places_left": 2,
                "proposed": 1,
                "code": "candidates_taken",
                "params": {"count": 3, "proposed": 1},
            }
        ]
        db.session.commit()
    return world, users


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_a_phone(
    browser: Browser, browser_context_args, base_url, phone_world, axe, role
):
    world, users = phone_world
    pages, downloads = pages_of(ROLES[role], world)
    pages += EXTRA_PAGES.get(role, [])
    context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
    page = context.new_page()
    if users[ROLES[role]]:
        sign_in(page, users[ROLES[role]])
    problems: list[str] = []
    exempt: set[str] = set()
    for number, path in enumerate(pages):
        page.goto(path)
        expect(page.locator("h1")).to_have_count(1)
        problems += layout_problems(page, path, exempt)
        if number == 0:
            problems += menu_problems(page, path, axe)
        problems += axe_problems(axe, page, path)
    problems += desktop_problems(page)
    for path in downloads:
        response = context.request.get(path)
        assert response.status == 200, path
        assert "text/html" not in response.headers["content-type"], f"{path} is a page"
    context.close()
    print(f"{role}: {len(pages)} pages at 375 x 812, {len(downloads)} downloads")
    print(
        f"{role}: {len(exempt)} links in a sentence under 44 px (exempt)",
        *sorted(exempt),
        sep="\n  ",
    )
    assert not problems, f"{len(problems)} problems on {len(pages)} pages:\n" + "\n".join(problems)
