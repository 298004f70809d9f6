"""The functions of testkit's RQ worker: each run appends one JSON line {"id", "func", "args", "kwargs", "origin",
"meta"} to QBRIDGE_RECORD_FILE, args and kwargs as Python's repr, so that their types (tuple, bytes, int or float)
are compared too.
"""
import fcntl
import json
import os

from rq import get_current_job


def recorder(name):
    def record(*args, **kwargs):
        job = get_current_job()
        line = json.dumps({"id": job.id, "func": name, "args": repr(args), "kwargs": repr(kwargs),
                           "origin": job.origin, "meta": repr(job.meta)})
        with open(os.environ["QBRIDGE_RECORD_FILE"], "a") as record_file:
            fcntl.flock(record_file, fcntl.LOCK_EX)
            record_file.write(line + "\n")
    record.__name__ = name.rsplit(".", 1)[-1]
    return record
