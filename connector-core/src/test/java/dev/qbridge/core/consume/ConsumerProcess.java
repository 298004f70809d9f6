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
 * Arguments: redis URI, queue name, lease millis.
 */
public final class ConsumerProcess {

    public static void main(String[] args) throws Exception {
        JedisConnection connection = JedisConnection.open(RedisEndpoint.parse(args[0]));
        QueueConfig config = QueueConfig.builder(args[1]).leaseTimeout(Duration.ofMillis(Long.parseLong(args[2]))).build();
        RedisQueue queue = new RedisQueue(connection, config);
        byte[] done = "done".getBytes(StandardCharsets.UTF_8);
        QueueWorker.start(queue, d -> {
            connection.jedis().rpush(done, d.payload());
            Thread.sleep(1);
        }, 2, 100);
        System.out.println("CONSUMING");
        Thread.sleep(Long.MAX_VALUE);
    }
}
