"""Celery app of testkit's Celery fixture, for its client and a real `celery -A qbridge_celery_tasks worker`.

QBRIDGE_BROKER_URL: the test redis-server. QBRIDGE_TASKS: task names whose runs are appended as one JSON line
{"id", "task", "args", "kwargs", "retries"} to QBRIDGE_RECORD_FILE.
"""
import fcntl
import json
import os

from celery import Celery

app = Celery("qbridge_celery_tasks", broker=os.environ["QBRIDGE_BROKER_URL"])
# No result backend: the record file is the proof that a task ran.
app.conf.task_ignore_result = True


def _recorder(name):
    def record(self, *args, **kwargs):
        line = json.dumps({"id": self.request.id, "task": self.name, "args": list(args), "kwargs": kwargs,
                           "retries": self.request.retries})
        with open(os.environ["QBRIDGE_RECORD_FILE"], "a") as record_file:
            fcntl.flock(record_file, fcntl.LOCK_EX)
            record_file.write(line + "\n")
    record.__name__ = "record_" + name.replace(".", "_")
    return record


for task_name in filter(None, os.environ.get("QBRIDGE_TASKS", "").split(",")):
    app.task(name=task_name, bind=True)(_recorder(task_name))
