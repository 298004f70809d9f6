// A real BullMQ Worker (testkit's Bullmq.startWorker): one job at a time, in BullMQ's own order, each run appending
// one JSON line {"queue", "id", "name", "data", "opts", "timestamp", "delay", "priority", "attemptsMade",
// "processedOn"} to QBRIDGE_RECORD_FILE. A job whose name is listed in QBRIDGE_FAIL_NAMES (comma-separated) throws,
// so that BullMQ retries it or moves it to its failed set. An idle worker blocks on the queue's marker for up to
// 60 s (drainDelay) instead of BullMQ's 5: only the marker an add writes wakes it in time, as a test must see.
//
// Usage: QBRIDGE_REDIS_URL=redis://... QBRIDGE_RECORD_FILE=... NODE_PATH=<node_modules> node bullmq_worker.js QUEUE...
'use strict';
const fs = require('fs');
const { Worker } = require('bullmq');
const IORedis = require('ioredis');

const record = process.env.QBRIDGE_RECORD_FILE;
const failing = new Set((process.env.QBRIDGE_FAIL_NAMES || '').split(',').filter(name => name));

async function main() {
  const workers = [];
  for (const queue of process.argv.slice(2)) {
    const connection = new IORedis(process.env.QBRIDGE_REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker(queue, async job => {
      fs.appendFileSync(record, JSON.stringify({
        queue, id: job.id, name: job.name, data: job.data, opts: job.opts, timestamp: job.timestamp,
        delay: job.delay, priority: job.priority, attemptsMade: job.attemptsMade, processedOn: job.processedOn,
      }) + '\n');
      if (failing.has(job.name)) {
        throw new Error('qbridge test: ' + job.name + ' fails');
      }
      return 'done';
    }, { connection, concurrency: 1, drainDelay: 60 });
    worker.on('error', error => console.error('worker error', error));
    await worker.waitUntilReady();
    workers.push(worker);
  }
  console.log('WORKER READY ' + process.argv.slice(2).join(','));
  const stop = async () => {
    await Promise.all(workers.map(worker => worker.close()));
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
