package dev.qbridge.server.cli;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.formats.JobExtensions;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.server.QbridgeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The queue a {@code queues} command works on, as its options name it: {@code <queue>} with {@code --format},
 * {@code --set} and {@code --kind}, checked together before Redis is reached (a mistake is a usage error, exit 2, with
 * the reason the other paths give), then turned into the core's configuration over the right keys.
 *
 * @param name   the queue: a guide-style queue's key, or a job system's own name for its queue
 * @param format what its jobs look like
 * @param set    which of a job system's sets
 * @param kind   a guide-style queue's kind, null to guess it from Redis
 */
record NamedQueue(String name, JobFormat format, JobSet set, QueueKind kind) {

    NamedQueue {
        if (set != JobSet.READY && !format.isJobSystem()) {
            throw usage("--set " + set + " applies to the job systems' formats (" + JOB_SYSTEMS + "), whose queues "
                    + "have several sets; a " + format + " queue (--format " + format + ") is one: leave --set out, or "
                    + "name the queue's system with --format");
        }
        if (format.isJobSystem() && kind != null) {
            throw usage("--kind applies to guide-style queues; a " + format + " queue's keys are the system's own: "
                    + "leave --kind out");
        }
        if (format.isJobSystem()) {
            try {
                new SystemQueue(format, name, set).config(); // the sets a system lacks, the formats no path reads yet
            } catch (QueueException e) {
                throw usage("--format " + format + " --set " + set + ": " + e.getMessage());
            }
        }
    }

    /** The formats that name a job system's queue, for messages. */
    private static final String JOB_SYSTEMS = Arrays.stream(JobFormat.values()).filter(JobFormat::isJobSystem)
            .map(JobFormat::toString).collect(Collectors.joining(", "));

    private static QbridgeException usage(String message) {
        return new QbridgeException(2, message, null);
    }

    /** The job system's queue, or empty for a guide-style one. */
    Optional<SystemQueue> system() {
        return format.isJobSystem() ? Optional.of(new SystemQueue(format, name, set)) : Optional.empty();
    }

    /** The core's configuration over the queue's keys: a system's own, or a guide-style queue's kind as guessed. */
    QueueConfig config(QueueInspector inspector) {
        return system().map(q -> q.config().build()).orElseGet(() -> inspector.config(name, kind));
    }

    /** True when the queue's jobs sit in a sorted set that holds other queues' jobs too (Sidekiq's schedule, ...). */
    boolean shared() {
        return system().map(SystemQueue::isSharedSet).orElse(false);
    }

    /** What the queue is, where its jobs are: for the first line of stats and purge's question. */
    String describe(QueueConfig config) {
        Optional<SystemQueue> system = system();
        if (system.isEmpty()) {
            return config.kind() + (config.kind() == QueueKind.DELAYED
                    ? ", scores in " + config.dueTimeUnit().toString().toLowerCase(Locale.ROOT) : "");
        }
        SystemQueue q = system.get();
        if (q.isSharedSet()) {
            return format + " " + set + ": its jobs in the sorted set " + q.readyKey() + ", which every queue shares";
        }
        return format + " " + set + ": the " + (config.kind() == QueueKind.RELIABLE ? "list " : "sorted set ") + q.readyKey()
                + (q.moreReadyKeys().isEmpty() ? "" : " and its " + q.moreReadyKeys().size() + " priority lists");
    }

    /** Where to look when the queue is not there: its keys, named so that a typo shows. */
    String whereLooked(QueueConfig config) {
        if (shared()) {
            return "no job of queue " + name + " in " + config.keys().readyKey() + " and no key " + config.name() + ":*";
        }
        return "no key " + config.name() + " or " + config.name() + ":*";
    }

    /** A ready job's score as the queue means it: a priority, a due time, or a job system's time of its set. */
    String score(QueueConfig config, double score) {
        if (shared() && !Double.isInfinite(score)) {
            Instant at = JobExtensions.instantOfScore(score);
            return switch (set) {
                case SCHEDULED -> "due " + at;
                case RETRY -> "retry due " + at;
                case DEAD -> "died " + at;
                case READY -> String.valueOf(score);
            };
        }
        if (format == JobFormat.RQ && set != JobSet.READY && !Double.isInfinite(score)) {
            // RQ's registries score each id with a time in epoch seconds: when a scheduled job is due, when a failed
            // job leaves the failed registry (its failure_ttl)
            Instant at = Instant.ofEpochMilli(Math.round(score * 1000));
            return (set == JobSet.SCHEDULED ? "due " : "kept until ") + at;
        }
        return QueuesCommand.score(config, score);
    }
}
