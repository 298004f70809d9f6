package dev.qbridge.server;

import dev.qbridge.camel.RedisqEndpoint;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.core.retry.RetryPolicy;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.SystemQueue;
import java.time.Duration;

/**
 * The Redis and the queue a {@code redisq:} endpoint names, read from its public options, for code that works on the
 * queue directly (metrics sampling, migrations). The Redis is the endpoint's own {@link RedisqEndpoint#redis()}; the
 * queue follows connector-camel's package-private mapping option for option.
 */
public final class RedisqEndpoints {

    private RedisqEndpoints() {
    }

    /** Where the endpoint's Redis is, with its credentials and TLS settings. */
    public static RedisEndpoint redis(RedisqEndpoint e) {
        return e.redis(); // the endpoint's own mapping, so that no option (a key store, verifyHostname) is left behind
    }

    /** The endpoint's queue: name, kind, due-time unit, lease and retry policy (payload format left raw: bytes move as they are; a job system's jobs are read by the endpoint's translation). */
    public static QueueConfig queue(RedisqEndpoint e) {
        QueueKind kind = QueueKind.parse(e.getKind());
        JobFormat format = JobFormat.parse(e.getFormat());
        QueueConfig.Builder b = (format.isJobSystem()
                ? new SystemQueue(format, e.getQueue(), JobSet.parse(e.getSet())).config()
                : QueueConfig.builder(e.getQueue()).kind(kind))
                .leaseTimeout(Duration.ofMillis(e.getVisibilityTimeout()))
                .retry(new RetryPolicy(Math.max(1, e.getMaxAttempts()), Duration.ofMillis(e.getInitialBackoff()),
                        e.getBackoffMultiplier(), Duration.ofMillis(e.getMaxBackoff()), e.getBackoffJitter()));
        if (kind == QueueKind.DELAYED && e.getDueTimeUnit() != null) {
            b.dueTimeUnit(DueTimeUnit.parse(e.getDueTimeUnit()));
        }
        return b.build();
    }
}
