"""Sends tasks with Celery's own client, the way an application does (testkit's Celery.enqueue).

Usage: QBRIDGE_BROKER_URL=redis://... /usr/bin/python3 celery_client.py SPECS_JSON_FILE
Each spec: {"task": "tasks.add", "args": [...]} with optional "kwargs", "queue", "countdown" (seconds: an eta),
"expires" (seconds), "priority" and "serializer". Prints "ENQUEUED <id>" each.
"""
import json
import sys

from qbridge_celery_tasks import app

OPTIONS = ("queue", "countdown", "expires", "priority", "serializer")

with open(sys.argv[1]) as specs_file:
    specs = json.load(specs_file)
for spec in specs:
    options = {name: spec[name] for name in OPTIONS if name in spec}
    result = app.send_task(spec["task"], args=spec["args"], kwargs=spec.get("kwargs", {}), **options)
    print("ENQUEUED " + result.id, flush=True)
