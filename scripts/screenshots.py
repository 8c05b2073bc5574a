"""Take the README's screenshots from a running demo server (`make run`, then this script).

Usage: .venv/bin/python scripts/screenshots.py [http://127.0.0.1:5000 [name ...]]
(names pick some of the screenshots, e.g. `phone-home staff-manage`; all by default)
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "okik-demo"  # noqa: S105 - the documented demo password

SHOTS: list[tuple[str | None, str, str]] = [
    (None, "/", "home"),
    ("wolontariusz@example.org", "/dashboard", "dashboard-volunteer"),
    ("instytucja@example.org", "/dashboard", "dashboard-staff"),
    ("koordynator@example.org", "/dashboard", "dashboard-coordinator"),
    ("admin@example.org", "/dashboard", "dashboard-admin"),
    (None, "/institutions/", "institutions"),
    (None, "/register", "register"),
    (None, "/needs/?q=muzeum", "needs-search"),
    (None, "/calendar/", "calendar"),
    ("wolontariusz@example.org", "/me/schedule", "volunteer-schedule"),
    ("wolontariusz@example.org", "/me/profile", "volunteer-profile"),
    ("instytucja@example.org", "/manage/institutions/gsw", "staff-manage"),
    (None, "/needs/1", "need-page"),
    ("koordynator@example.org", "/proposals/", "matching"),
    ("koordynator@example.org", "@run-matching", "matching-run"),
    ("koordynator@example.org", "/coordination/requests", "coordinator-requests"),
    ("koordynator@example.org", "/coordination/audit", "audit-log"),
    ("instytucja@example.org", "/institutions/gsw", "staff-institution"),
    ("admin@example.org", "/admin/skills", "admin-skills"),
]
# The same app on a phone (375 x 812): "@menu" opens the main menu on the page before it.
PHONE_SHOTS: list[tuple[str | None, str, str]] = [
    (None, "/", "phone-home"),
    ("wolontariusz@example.org", "/dashboard", "phone-dashboard-volunteer"),
    ("instytucja@example.org", "/dashboard", "phone-dashboard-staff"),
    ("koordynator@example.org", "/@menu", "phone-menu"),
    (None, "/needs/", "phone-needs"),
    ("wolontariusz@example.org", "/me/schedule", "phone-volunteer-schedule"),
    ("instytucja@example.org", "/manage/needs/1#shifts-heading", "phone-staff-shifts"),
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1200, "height": 800}


def main(base: str, only: set[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        shots = [(*shot, DESKTOP) for shot in SHOTS] + [(*shot, PHONE) for shot in PHONE_SHOTS]
        for who, path, name, viewport in shots:
            if only and name not in only:
                continue
            context = browser.new_context(base_url=base, viewport=viewport, locale="pl-PL")
            page = context.new_page()
            if who:
                page.goto("/login")
                page.fill("#email", who)
                page.fill("#password", PASSWORD)
                page.get_by_role("button", name="Zaloguj się").click()
            if path == "@run-matching":
                page.goto("/proposals/")
                page.get_by_role("button", name="Uruchom dopasowanie").click()
                page.wait_for_selector("text=Propozycje", timeout=30000)
            elif path.endswith("@menu"):
                page.goto(path.removesuffix("@menu"))
                page.locator(".site-menu summary").click()
            else:
                page.goto(path)
            # A dashboard is shown whole on a desktop: its panels are the point of the picture.
            whole = name.startswith("dashboard-")
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=whole)
            context.close()
            print("saved", name)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000", set(sys.argv[2:]))
