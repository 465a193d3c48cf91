"""The production servers' shared parts (zhilian/serving.py, zhilian/wsgi.py): tokens never reach a
log line, every record still formats, and /health/live is answered in front of Django."""

import logging
import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory

from zhilian.serving import RedactTokens
from zhilian.wsgi import application

TOKEN = "eyJhbGciOiJIUzI1NiJ9.payload.signature"
ROOT = Path(settings.BASE_DIR)


def formatted(record: logging.LogRecord) -> str:
    assert RedactTokens().filter(record) is True
    return record.getMessage()


def test_uvicorn_records_with_tuple_arguments():
    args = ("1.2.3.4:5", f"/ws/x/?token={TOKEN}")
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]', args, None)
    assert formatted(record) == '1.2.3.4:5 - "WebSocket /ws/x/?token=[redacted]" [accepted]'


def test_gunicorn_access_records_with_mapping_arguments():
    atoms = {"r": f"GET /ws/x/?token={TOKEN}&a=1 HTTP/1.1", "s": "200"}
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '"%(r)s" %(s)s', (atoms,), None)
    assert formatted(record) == '"GET /ws/x/?token=[redacted]&a=1 HTTP/1.1" 200'


def test_records_without_arguments():
    record = logging.LogRecord("gunicorn.error", logging.INFO, __file__, 1, f"saw token={TOKEN}", None, None)
    assert formatted(record) == "saw token=[redacted]"


@pytest.mark.parametrize("conf", ["gunicorn.conf.py", "gunicorn-ws.conf.py"])
def test_both_servers_install_the_filter_in_every_worker(conf):
    hooks = runpy.run_path(str(ROOT / conf))
    hooks["post_worker_init"](worker=None)
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("uvicorn.access").filters)
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("gunicorn.access").filters)


def test_the_http_server_serves_wsgi_in_threads_and_the_ws_server_asgi():
    http, ws = runpy.run_path(str(ROOT / "gunicorn.conf.py")), runpy.run_path(str(ROOT / "gunicorn-ws.conf.py"))
    assert (http["wsgi_app"], http["worker_class"]) == ("zhilian.wsgi:application", "gthread")
    assert ws["wsgi_app"] == "zhilian.asgi:application"
    assert ws["worker_class"].CONFIG_KWARGS["ws"] == "websockets-sansio"


def call_wsgi(method: str, path: str) -> tuple[str, dict, bytes]:
    environ = RequestFactory().generic(method, path).environ
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(application(environ, start_response))
    return seen["status"], seen["headers"], body


def test_liveness_is_answered_before_django():
    status, headers, body = call_wsgi("GET", "/health/live")
    assert (status, body) == ("200 OK", b'{"status": "ok"}')
    assert headers["Content-Type"] == "application/json"
    assert "no-cache" in headers["Cache-Control"]
    assert call_wsgi("HEAD", "/health/live")[::2] == ("200 OK", b"")
    status, headers, _ = call_wsgi("POST", "/health/live")
    assert (status, headers["Allow"]) == ("405 Method Not Allowed", "GET, HEAD")


def test_other_paths_go_to_django(db):
    status, _headers, body = call_wsgi("GET", "/health/ready")
    assert status == "200 OK"
    assert b'"database": "ok"' in body


def test_compose_runs_the_production_layout_behind_one_origin():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert compose["web"]["command"][-1].endswith("exec gunicorn -c gunicorn.conf.py")
    assert compose["ws"]["command"] == ["gunicorn", "-c", "gunicorn-ws.conf.py"]
    for service in ("web", "ws"):
        assert compose[service]["environment"]["REDIS_URL"], "events cross from web to ws through Redis"
    mount = next(v for v in compose["proxy"]["volumes"] if v.startswith("./deploy/nginx.conf:"))
    assert (ROOT / mount.split(":")[0]).exists()
    nginx = (ROOT / "deploy/nginx.conf").read_text()
    assert "server web:8000;" in nginx and "server ws:8001;" in nginx
    ws_block = nginx[nginx.index("location /ws/") : nginx.index("location / ")]
    assert "proxy_pass http://zhilian_ws;" in ws_block and "Upgrade $http_upgrade" in ws_block
    assert compose["proxy"]["ports"] == ["8000:8000"]
