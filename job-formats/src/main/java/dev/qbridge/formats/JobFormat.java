package dev.qbridge.formats;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.PayloadFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * What the jobs of a queue look like: the option {@code format} everywhere ({@code redisq:q?format=sidekiq},
 * {@code queue.format}, {@code --format}). {@code raw} and {@code json} are guide-style queues whose payloads are
 * passed on as they are; a job system's format maps the queue's own name to that system's keys and turns its jobs
 * into CloudEvents on the way out and back into native jobs on the way in.
 */
public enum JobFormat {
    /** Any bytes, passed on unchanged (the default). */
    RAW,
    /** One JSON value per job, passed on unchanged; anything else is dead-lettered. */
    JSON,
    /** Sidekiq's jobs: {@code queue:<q>} lists, the {@code schedule}, {@code retry} and {@code dead} sorted sets. */
    SIDEKIQ,
    /** Celery's tasks as kombu keeps them in Redis: the {@code <q>} list and its priority lists. */
    CELERY,
    /**
     * RQ's jobs: ids in the {@code rq:queue:<q>} list (and the registries {@code rq:scheduled:<q>},
     * {@code rq:failed:<q>}), each job in its hash {@code rq:job:<id>}, taken and pushed together by the core
     * (docs/systems.md, RQ).
     */
    RQ,
    /**
     * BullMQ's jobs: ids in {@code bull:<q>:wait} and {@code bull:<q>:prioritized}, each job in its hash
     * {@code bull:<q>:<id>}. The codec reads and writes them; the paths refuse the format until the core takes an id
     * with its hash (docs/systems.md, BullMQ).
     */
    BULLMQ;

    /** True for the job systems, whose jobs travel as CloudEvents. */
    public boolean isJobSystem() {
        return this != RAW && this != JSON;
    }

    /** The core's check of a payload at take: systems are checked by their codec instead. */
    public PayloadFormat payloadFormat() {
        return this == JSON ? PayloadFormat.JSON : PayloadFormat.RAW;
    }

    /** Parses a format name in any case, with a message that lists the choices. */
    public static JobFormat parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new QueueException(QueueException.Kind.CONFIG,
                    "format '" + value + "' is unknown; use raw, json, sidekiq, celery, rq or bullmq");
        }
    }

    /** The codec of a job system; empty for raw and json. */
    public Optional<JobCodec> codec() {
        return Optional.ofNullable(switch (this) {
            case RAW, JSON -> null;
            case SIDEKIQ -> new SidekiqCodec();
            case CELERY -> new CeleryCodec();
            case RQ -> new RqCodec();
            case BULLMQ -> new BullmqCodec();
        });
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
