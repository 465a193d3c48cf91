"""gunicorn.conf.py's log filter: tokens never reach a log line, and every record still formats."""

import logging
import runpy
from pathlib import Path

from django.conf import settings

CONF = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
TOKEN = "eyJhbGciOiJIUzI1NiJ9.payload.signature"


def formatted(record: logging.LogRecord) -> str:
    assert CONF["RedactTokens"]().filter(record) is True
    return record.getMessage()


def test_uvicorn_records_with_tuple_arguments():
    record = logging.LogRecord(
        "uvicorn.error",
        logging.INFO,
        __file__,
        1,
        '%s - "WebSocket %s" [accepted]',
        ("1.2.3.4:5", f"/ws/x/?token={TOKEN}"),
        None,
    )
    assert formatted(record) == '1.2.3.4:5 - "WebSocket /ws/x/?token=[redacted]" [accepted]'


def test_gunicorn_access_records_with_mapping_arguments():
    atoms = {"r": f"GET /ws/x/?token={TOKEN}&a=1 HTTP/1.1", "s": "200"}
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '"%(r)s" %(s)s', (atoms,), None)
    assert formatted(record) == '"GET /ws/x/?token=[redacted]&a=1 HTTP/1.1" 200'


def test_records_without_arguments():
    record = logging.LogRecord("gunicorn.error", logging.INFO, __file__, 1, f"saw token={TOKEN}", None, None)
    assert formatted(record) == "saw token=[redacted]"
