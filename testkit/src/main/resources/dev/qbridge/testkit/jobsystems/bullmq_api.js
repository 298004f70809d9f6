// Runs JavaScript with BullMQ's own API against a test Redis and prints its value as JSON (testkit's Bullmq.api):
// what BullMQ itself sees of the jobs qbridge wrote (Queue.getFailed, getJobCounts, job.retry, ...).
//
// Usage: QBRIDGE_REDIS_URL=redis://... NODE_PATH=<node_modules> node bullmq_api.js CODE_FILE
// The code is the body of an async function of (queue, connection): queue('name') gives a BullMQ Queue; its return
// value is printed as "RESULT <JSON>".
'use strict';
const fs = require('fs');
const { Queue } = require('bullmq');
const IORedis = require('ioredis');

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;

async function main() {
  const connection = new IORedis(process.env.QBRIDGE_REDIS_URL, { maxRetriesPerRequest: null });
  const queues = [];
  const queue = name => {
    const made = new Queue(name, { connection });
    queues.push(made);
    return made;
  };
  try {
    const result = await new AsyncFunction('queue', 'connection', fs.readFileSync(process.argv[2], 'utf8'))(queue,
      connection);
    console.log('RESULT ' + JSON.stringify(result === undefined ? null : result));
  } finally {
    for (const made of queues) {
      await made.close();
    }
    await connection.quit();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
