"""Enqueues jobs with RQ's own client, the way an application does (testkit's Rq.enqueue).

Usage: QBRIDGE_REDIS_URL=redis://... /usr/bin/python3 rq_client.py SPECS_JSON_FILE
Each spec: {"func": "tasks.add"} with optional "args" (a JSON array) or "args_py" (a Python literal, for tuples and
bytes: ast.literal_eval, which evaluates literals only), "kwargs" or "kwargs_py", "meta" or "meta_py", "queue"
(default "default"), "serializer" ("json": rq.serializers.JSONSerializer), "at" (epoch seconds: enqueue_at),
"job_timeout", "result_ttl", "ttl", "failure_ttl", "description", "at_front".
Prints "ENQUEUED <id>\t<repr of the args tuple>\t<repr of the kwargs>" each, what the function will be called with.
"""
import ast
import json
import os
import sys
from datetime import datetime, timezone

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

OPTIONS = ("job_timeout", "result_ttl", "ttl", "failure_ttl", "description", "at_front")


def value(spec, name, default):
    if name + "_py" in spec:
        return ast.literal_eval(spec[name + "_py"])
    return spec.get(name, default)


connection = Redis.from_url(os.environ["QBRIDGE_REDIS_URL"])
with open(sys.argv[1]) as specs_file:
    specs = json.load(specs_file)
for spec in specs:
    serializer = JSONSerializer if spec.get("serializer") == "json" else None
    queue = Queue(spec.get("queue", "default"), connection=connection, serializer=serializer)
    args = tuple(value(spec, "args", ()))
    kwargs = value(spec, "kwargs", {})
    options = {name: spec[name] for name in OPTIONS if name in spec}
    meta = value(spec, "meta", None)
    if meta is not None:
        options["meta"] = meta
    # args= and kwargs= explicitly: enqueue takes the job's options from the same keyword arguments
    if "at" in spec:
        job = queue.enqueue_at(datetime.fromtimestamp(spec["at"], timezone.utc), spec["func"], args=args,
                               kwargs=kwargs, **options)
    else:
        job = queue.enqueue(spec["func"], args=args, kwargs=kwargs, **options)
    print("ENQUEUED %s\t%r\t%r" % (job.id, args, kwargs), flush=True)
