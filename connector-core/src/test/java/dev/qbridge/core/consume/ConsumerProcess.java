package dev.qbridge.core.consume;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A consumer JVM for crash tests: records each job it finishes in the Redis list {@code done} (before the
 * ack, as real work would happen before the ack), slowly enough to be killed mid-batch.
 * Arguments: redis URI, queue name, lease millis, and optionally {@code rq}: the queue is RQ's list of ids, each job a
 * hash {@code rq:job:<id>} taken with it; a job is then recorded as {@code <id>=<its hash's field count>}.
 */
public final class ConsumerProcess {

    public static void main(String[] args) throws Exception {
        JedisConnection connection = JedisConnection.open(RedisEndpoint.parse(args[0]));
        boolean rq = args.length > 3 && args[3].equals("rq");
        QueueConfig.Builder builder = QueueConfig.builder(args[1]).leaseTimeout(Duration.ofMillis(Long.parseLong(args[2])));
        QueueConfig config = rq ? builder.jobHashes("rq:job:", QueueConfig.ListEnd.HEAD).build() : builder.build();
        RedisQueue queue = new RedisQueue(connection, config);
        byte[] done = "done".getBytes(StandardCharsets.UTF_8);
        QueueWorker.start(queue, d -> {
            connection.jedis().rpush(done, rq ? (d.payloadAsString() + "=" + d.hash().size()).getBytes(StandardCharsets.UTF_8)
                    : d.payload());
            Thread.sleep(1);
        }, 2, 100);
        System.out.println("CONSUMING");
        Thread.sleep(Long.MAX_VALUE);
    }
}
