"""Production security settings: `check --deploy` is clean, the HTTPS switches and their
defaults, the redirect to HTTPS (health probes exempt), and the security headers of each kind of
page (Content-Security-Policy, Permissions-Policy, Referrer-Policy, HSTS).

The settings themselves are read in a subprocess with a production environment (DEBUG off, a
real-looking key): the test suite runs on zhilian.test_settings, which serves plain HTTP.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings

ROOT = Path(django_settings.BASE_DIR)
SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REFERRER_POLICY",
]


def production_env(**overrides: str) -> dict[str, str]:
    """What a production host sets, and nothing of this test process's own environment (the
    test settings put SECRET_KEY there)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "zhilian.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ops.zhilian.example",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def settings_under(**overrides: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    result = run(["-c", code], production_env(**overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- manage.py check --deploy -----------------------------------------------------------------


def test_deploy_checks_are_clean_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_deploy_checks_flag_a_site_without_https():
    """The check above can fail: switching HTTPS off brings its warnings back."""
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(HTTPS_ONLY="false"))
    assert result.returncode != 0
    found = set(re.findall(r"security\.W\d+", result.stdout + result.stderr))
    assert {"security.W004", "security.W008", "security.W012", "security.W016"} <= found


# --- the switches and their defaults -----------------------------------------------------------


def test_debug_off_means_https_only():
    values = settings_under()
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_REDIRECT_EXEMPT"] == [r"^health/(live|ready)$"]


def test_debug_on_serves_plain_http():
    values = settings_under(DEBUG="true")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False


def test_https_only_off_and_single_overrides():
    values = settings_under(HTTPS_ONLY="false")
    assert not any(
        values[name]
        for name in (
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "SECURE_HSTS_PRELOAD",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
        )
    )
    values = settings_under(SECURE_HSTS_SECONDS="300", SECURE_HSTS_PRELOAD="false")
    assert values["SECURE_HSTS_SECONDS"] == 300
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_SSL_REDIRECT"] is True


def test_behind_a_tls_proxy_trusts_x_forwarded_proto_and_keeps_the_redirect():
    values = settings_under(BEHIND_PROXY="true")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is True


# --- the redirect and HSTS, served ------------------------------------------------------------


@pytest.fixture
def https_only(settings):
    """The production values on the test settings (the test client then builds its handler)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def test_plain_http_is_redirected_to_https_except_the_health_probes(https_only, client, db):
    response = client.get("/api/v1/stores/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/stores/?page=2"
    assert client.get("/dashboard/login/").status_code == 301

    # An orchestrator probing over plain HTTP inside the network still gets its answer.
    live = client.get("/health/live")
    assert live.status_code == 200
    assert live.json() == {"status": "ok"}
    https_only.REDIS_URL = ""
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


def test_https_responses_carry_hsts_and_secure_cookies(https_only, client, db):
    response = client.get("/dashboard/login/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.cookies["csrftoken"]["secure"] is True


def test_behind_a_proxy_x_forwarded_proto_decides(https_only, client, db):
    https_only.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/dashboard/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response
    # A plain-HTTP request that reached us through the proxy is sent to HTTPS.
    response = client.get("/dashboard/login/", HTTP_X_FORWARDED_PROTO="http")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/dashboard/login/"


# --- headers of each kind of page -------------------------------------------------------------


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_the_strict_policy_and_the_other_headers(client, db):
    response = client.get("/dashboard/login/")
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert "worker-src" not in directives
    # The page's own WebSocket origin, for browsers where 'self' does not cover ws:/wss:.
    assert directives["connect-src"] == ["'self'", "ws://testserver", "wss://testserver"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


def test_the_api_answers_with_the_policy_too(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/api/v1/stores/")
    assert response.status_code == 200
    assert policy(response)["script-src"] == ["'self'"]


def test_a_host_outside_allowed_hosts_gets_no_websocket_source(client, db):
    response = client.get("/dashboard/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert policy(response)["connect-src"] == ["'self'"]


def assert_scripts_are_files(page: str) -> None:
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, flags=re.S)
    assert scripts, page
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts), scripts
    assert "<style" not in page
    assert re.search(r"\son[a-z]+=", page) is None  # no inline event handlers


def test_swagger_ui_has_no_inline_script(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert_scripts_are_files(page)
    # Its init script is a file, served by the same view.
    script_url = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', page)[1]
    script = client.get(script_url.replace("&amp;", "&"))
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert policy(response)["script-src"] == ["'self'"]


def test_redoc_gets_a_nonce_for_its_styles_and_a_blob_worker(client, db):
    response = client.get("/api/redoc/")
    assert response.status_code == 200
    page = response.content.decode()
    directives = policy(response)
    nonce = re.search(r'data-nonce="([^"]+)"', page)[1]
    assert f"'nonce-{nonce}'" in directives["style-src"]
    assert directives["script-src"] == ["'self'"]
    assert directives["worker-src"] == ["blob:"]
    assert_scripts_are_files(page)
    assert "fonts.googleapis.com" not in page
    # A new nonce for every response.
    again = re.search(r'data-nonce="([^"]+)"', client.get("/api/redoc/").content.decode())[1]
    assert again != nonce


# --- docker compose ----------------------------------------------------------------------------


def test_compose_refuses_to_start_without_a_secret_key():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["services"]["web"]["environment"]
    assert re.fullmatch(r"\$\{SECRET_KEY:\?.+\}", environment["SECRET_KEY"]), environment["SECRET_KEY"]
    assert environment["DEBUG"] == "false"
    # HTTPS stays on unless the operator turns it off.
    assert environment["HTTPS_ONLY"] == "${HTTPS_ONLY:-true}"


def test_a_websocket_server_on_its_own_origin_is_named_to_the_page_and_allowed(client, manager, settings):
    settings.ZHILIAN_WS_URL = "ws://127.0.0.1:8001"
    client.force_login(manager)
    response = client.get("/dashboard/")
    assert "ws://127.0.0.1:8001" in policy(response)["connect-src"]
    config = re.search(r'<script id="dashboard-config" type="application/json">(.*?)</script>', response.text, re.S)
    assert json.loads(config.group(1))["wsOrigin"] == "ws://127.0.0.1:8001"
