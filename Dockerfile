# Zhilian OS: one image, four process types (docs/architecture.md): the HTTP server (the default
# command, gunicorn.conf.py: Django over WSGI in threads, port 8000), the WebSocket server
# (gunicorn -c gunicorn-ws.conf.py: Channels on the uvicorn worker, port 8001), and the background
# jobs' Celery worker and beat (`celery -A zhilian worker` / `beat`, docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN groupadd --system zhilian && useradd --system --gid zhilian --create-home --home-dir /home/zhilian zhilian

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=zhilian:zhilian . .

# Static files are collected at build time and served by whitenoise.
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

# MEDIA_ROOT (uploaded dish photos): a volume in docker-compose.yml, which takes this directory's
# owner when it is first created, so the app may write there.
RUN mkdir -p /app/media && chown zhilian:zhilian /app/media

USER zhilian
EXPOSE 8000 8001

# HEALTH_PORT: 8000 for the HTTP server, 8001 for the WebSocket server (docker-compose.yml sets it).
ENV HEALTH_PORT=8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,urllib.request,sys; sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"HEALTH_PORT\"]}/health/live', timeout=4).status == 200 else 1)"

CMD ["gunicorn", "-c", "gunicorn.conf.py"]
