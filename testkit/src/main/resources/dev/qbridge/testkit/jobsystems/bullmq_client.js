// Adds jobs with BullMQ's own Queue, the way an application does (testkit's Bullmq.add).
//
// Usage: QBRIDGE_REDIS_URL=redis://... NODE_PATH=<node_modules> node bullmq_client.js SPECS_JSON_FILE
// Each spec: {"name": "mail"} with optional "data" (any JSON value; BullMQ's default is {}), "opts" (BullMQ's job
// options as given to Queue.add: priority, delay, attempts, backoff, jobId, lifo, ...) and "queue" (default
// "default"). Prints "ENQUEUED <id>\t<JSON.stringify of the data>" for each, in order.
'use strict';
const fs = require('fs');
const { Queue } = require('bullmq');
const IORedis = require('ioredis');

async function main() {
  const specs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const connection = new IORedis(process.env.QBRIDGE_REDIS_URL, { maxRetriesPerRequest: null });
  const queues = new Map();
  try {
    for (const spec of specs) {
      const name = spec.queue || 'default';
      if (!queues.has(name)) {
        queues.set(name, new Queue(name, { connection }));
      }
      const job = await queues.get(name).add(spec.name, spec.data, spec.opts || {});
      console.log('ENQUEUED ' + job.id + '\t' + JSON.stringify(job.data === undefined ? {} : job.data));
    }
  } finally {
    for (const queue of queues.values()) {
      await queue.close();
    }
    await connection.quit();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
