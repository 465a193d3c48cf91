"""The Celery app (docs/architecture.md, "Jobs"): configured from Django's settings (the `CELERY_`
names in zhilian/settings.py), tasks found in every installed app's `tasks.py`.

`celery -A zhilian worker` runs the tasks, `celery -A zhilian beat` sends them on the schedule kept
in the database (django-celery-beat, editable by admins in the admin). Without a broker
(development: neither CELERY_BROKER_URL nor REDIS_URL) tasks run eagerly, in the calling process,
and `make run` starts beat next to the development server, so the schedule still runs.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhilian.settings")

app = Celery("zhilian", task_cls="zhilian.jobs:JobTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
