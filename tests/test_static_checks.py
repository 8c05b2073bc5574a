"""Static checks that belong to the suite: bandit finds no medium or high issue in the code, and
services and models never read the request."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bandit_reports_no_medium_or_high_findings():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", "app", "matching", "-ll", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    findings = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] in ("MEDIUM", "HIGH")
    ]
    assert findings == [], "\n".join(findings)


# What a request brings: services and models get the actor and the values as arguments instead.
REQUEST_STATE = {("flask", "request"), ("flask", "session"), ("flask", "g")}
REQUEST_STATE |= {("flask_login", "current_user")}


def request_state_imports(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [
                f"{name}:{node.lineno} {node.module}.{alias.name}"
                for alias in node.names
                if (node.module, alias.name) in REQUEST_STATE
            ]
    return found


def test_services_and_models_take_the_actor_as_an_argument_not_from_the_request():
    modules = sorted((ROOT / "app" / "services").rglob("*.py"))
    modules += sorted((ROOT / "app" / "models").rglob("*.py"))
    assert len(modules) > 20
    hits = [
        hit
        for path in modules
        for hit in request_state_imports(path.read_text(encoding="utf-8"), path.name)
    ]
    assert hits == []


def test_the_request_state_check_sees_current_user_and_request():
    sample = "from flask_login import current_user\nfrom flask import request, url_for\n"
    assert request_state_imports(sample, "sample.py") == [
        "sample.py:1 flask_login.current_user",
        "sample.py:2 flask.request",
    ]


def test_feature_packages_import_nothing_when_imported():
    """A scheduler job that needs a feature's rules must not load its routes, forms or blueprint."""
    from app import FEATURES

    loud = []
    for name, _prefix in FEATURES:
        tree = ast.parse((ROOT / "app" / name / "__init__.py").read_text())
        loud += [
            f"app/{name}/__init__.py:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
        ]
    assert loud == []


def test_no_view_function_runs_past_fifteen_lines_beyond_the_few_allowed():
    """Views read as the user's story; what they do at length belongs in the feature's rules."""
    result = subprocess.run(
        [sys.executable, "scripts/long_views.py"], cwd=ROOT, capture_output=True, text=True
    )
    long_views = [line for line in result.stdout.splitlines() if line[:1].isdigit()]
    assert len(long_views) <= LONG_VIEWS_ALLOWED, "\n".join(long_views)


# At most ten views may run longer (pages with several forms or filters of their own).
LONG_VIEWS_ALLOWED = 10


def test_no_block_of_six_identical_lines_stands_twice_in_app_or_matching():
    result = subprocess.run(
        [sys.executable, "scripts/repeated_blocks.py", "app", "matching"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip().endswith("duplicated windows: 0"), result.stdout
