package dev.qbridge.formats;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueConfig.ListEnd;
import dev.qbridge.core.queue.QueueKind;
import java.util.List;

/**
 * One queue of a job system, named as the system names it ({@code default}, {@code celery}), and the Redis keys
 * that hold it. The core's queue semantics run on those keys unchanged: a job leaves the system's key only inside
 * the take script that records its lease, and the core's companion keys ({@code <key>:leases}, {@code :reaped},
 * {@code :retry}, {@code :dead}, {@code :seq}) sit beside the system's own, which its workers never read.
 * <pre>
 *   format   set    ready key(s), in take order                           also on every push
 *   raw/json ready  q
 *   sidekiq  ready  queue:q                                               SADD queues q
 *   celery   ready  q, q\x06\x163, q\x06\x166, q\x06\x169 (kombu's priority lists; 0 is taken first)
 *   sidekiq  scheduled / retry / dead: the sorted set schedule / retry / dead, its members whose "queue" is q;
 *            score = when the job is due, retried or died (epoch seconds); the queue's own keys are schedule:q:*, ...
 *   rq       ready  rq:queue:q (job ids; each job is the hash rq:job:&lt;id&gt;)      SADD rq:queues rq:queue:q
 *   rq       scheduled / dead: the registries rq:scheduled:q / rq:failed:q, sorted sets of job ids
 *   bullmq   ready  bull:q:wait, then bull:q:prioritized (a sorted set, lowest score first) once wait is empty
 *   bullmq   scheduled / dead: the sorted sets bull:q:delayed / bull:q:failed of job ids
 * </pre>
 * An RQ or BullMQ queue holds ids only: {@link #keepsJobsInHashes()} says so, and {@link #jobKey} names a job's
 * hash.
 *
 * @param format what the jobs look like
 * @param name   the queue's name in its system
 * @param set    which of the system's sets
 */
public record SystemQueue(JobFormat format, String name, JobSet set) {

    /** Kombu's separator between a queue's name and its priority step, and its default steps. */
    static final String CELERY_PRIORITY_SEPARATOR = "\u0006\u0016";
    static final List<Integer> CELERY_PRIORITY_STEPS = List.of(0, 3, 6, 9);

    public SystemQueue {
        if (name == null || name.isBlank()) {
            throw invalid(name, "the queue name is empty");
        }
        String refusal = refusal(format, set);
        if (refusal != null) {
            throw invalid(name, refusal);
        }
    }

    public static SystemQueue ready(JobFormat format, String name) {
        return new SystemQueue(format, name, JobSet.READY);
    }

    /** The key a plain push writes: the one the system's own client writes jobs of no priority to. */
    public String readyKey() {
        return switch (format) {
            case RAW, JSON, CELERY -> name;
            case SIDEKIQ -> switch (set) {
                case READY -> "queue:" + name;
                case SCHEDULED -> "schedule";
                case RETRY -> "retry";
                case DEAD -> "dead";
            };
            case RQ -> switch (set) {
                case READY -> "rq:queue:" + name;
                case SCHEDULED -> "rq:scheduled:" + name;
                case DEAD -> "rq:failed:" + name;
                case RETRY -> throw new IllegalStateException("refused by the constructor");
            };
            case BULLMQ -> BullmqCodec.key(name, switch (set) {
                case READY -> "wait";
                case SCHEDULED -> "delayed";
                case DEAD -> "failed";
                case RETRY -> throw new IllegalStateException("refused by the constructor");
            });
        };
    }

    /** True when the ready key is a sorted set holding other queues' jobs too (Sidekiq's schedule, retry, dead). */
    public boolean isSharedSet() {
        return format == JobFormat.SIDEKIQ && set != JobSet.READY;
    }

    /** The name the queue's own keys are derived from: the ready key, or for a shared set {@code <set key>:<q>}. */
    public String baseKey() {
        return isSharedSet() ? readyKey() + ":" + name : readyKey();
    }

    /** The further ready lists, taken after {@link #readyKey()} in this order: Celery's priority lists. */
    public List<String> moreReadyKeys() {
        if (format != JobFormat.CELERY) {
            return List.of();
        }
        return CELERY_PRIORITY_STEPS.stream().filter(step -> step > 0).map(this::celeryPriorityList).toList();
    }

    /**
     * BullMQ's sorted set of ready jobs with a priority, which its workers take only when {@code wait} is empty
     * (moveToActive: RPOPLPUSH wait, else ZPOPMIN prioritized); null for other formats and sets.
     */
    public String prioritizedKey() {
        return format == JobFormat.BULLMQ && set == JobSet.READY ? BullmqCodec.key(name, "prioritized") : null;
    }

    /**
     * The list a job of Celery priority {@code priority} goes to, as kombu's Redis transport picks it: the highest
     * step not above it (0-2 -> the queue itself, 3-5 -> step 3, ...).
     */
    public String keyForPriority(int priority) {
        if (format != JobFormat.CELERY) {
            return readyKey();
        }
        int step = 0;
        for (int s : CELERY_PRIORITY_STEPS) {
            if (s <= priority) {
                step = s;
            }
        }
        return celeryPriorityList(step);
    }

    /**
     * The set that lists the system's queues, which every push must also update; null when there is none. Sidekiq's
     * client registers a queue when it pushes a job to it, not when it schedules one.
     */
    public String registryKey() {
        if (set != JobSet.READY) {
            return null;
        }
        return switch (format) {
            case SIDEKIQ -> "queues";
            case RQ -> "rq:queues";
            default -> null;
        };
    }

    /** This queue's member of {@link #registryKey()}: Sidekiq lists queue names, RQ the queues' keys. */
    public String registryMember() {
        return format == JobFormat.RQ ? readyKey() : name;
    }

    /** True when the queue's keys hold job ids and each job is a hash of its own (RQ, BullMQ). */
    public boolean keepsJobsInHashes() {
        return format == JobFormat.RQ || format == JobFormat.BULLMQ;
    }

    /** The hash of the job {@code id} of a queue that {@link #keepsJobsInHashes()}. */
    public String jobKey(String id) {
        if (!keepsJobsInHashes()) {
            throw new IllegalStateException("a " + format + " queue keeps whole jobs in its keys, no job hashes");
        }
        return format == JobFormat.BULLMQ ? BullmqCodec.key(name, id) : RqCodec.jobKey(id);
    }

    /**
     * A queue configuration over this queue's keys, to which the caller adds its settings for leases, retries and
     * batches. Every system queue is reliable: its ready keys are lists. An RQ queue is a list of ids whose jobs are
     * hashes ({@link QueueConfig#jobHashes()}), taken from the head as RQ's workers take them.
     */
    public QueueConfig.Builder config() {
        refuseHashJobs();
        if (format == JobFormat.RQ && set != JobSet.READY) {
            // a registry of ids by time, read as a priority queue: every job, lowest score first, each keeping its time
            return QueueConfig.builder(readyKey()).kind(QueueKind.PRIORITY).jobHashes(RqCodec.JOB_KEY_PREFIX, ListEnd.HEAD);
        }
        if (format == JobFormat.RQ) {
            return QueueConfig.builder(readyKey()).kind(QueueKind.RELIABLE).jobHashes(RqCodec.JOB_KEY_PREFIX, ListEnd.HEAD)
                    .registry(registryKey(), registryMember());
        }
        if (isSharedSet()) {
            return QueueConfig.builder(baseKey()).kind(QueueKind.PRIORITY).format(format.payloadFormat())
                    .sharedSet(new QueueConfig.SharedSet(readyKey(), "queue", name));
        }
        QueueConfig.Builder b = QueueConfig.builder(readyKey()).kind(QueueKind.RELIABLE).format(format.payloadFormat())
                .extraReadyLists(moreReadyKeys());
        return registryKey() == null ? b : b.registry(registryKey(), registryMember());
    }

    /**
     * The queue a push writes through: the queue itself, or for a shared set the whole set as a delayed queue of
     * epoch seconds, so that each job is added with its own time ({@link NativeJob#at()}) as the system's client does.
     */
    public QueueConfig pushConfig() {
        refuseHashJobs();
        if (format == JobFormat.RQ && set != JobSet.READY) {
            // each id added under its own time (NativeJob.at); RQ's schedule_job also lists the queue in rq:queues
            QueueConfig.Builder b = QueueConfig.builder(readyKey()).kind(QueueKind.DELAYED).dueTimeUnit(DueTimeUnit.SECONDS)
                    .jobHashes(RqCodec.JOB_KEY_PREFIX, ListEnd.HEAD);
            return set == JobSet.SCHEDULED ? b.registry("rq:queues", "rq:queue:" + name).build() : b.build();
        }
        if (isSharedSet()) {
            return QueueConfig.builder(readyKey()).kind(QueueKind.DELAYED).dueTimeUnit(DueTimeUnit.SECONDS).build();
        }
        return config().build();
    }

    /**
     * The core takes and pushes an id with its hash (QueueConfig.jobHashes) as RQ keeps them; a BullMQ job also needs
     * its markers, events and counters written as BullMQ's own scripts do, which no path does yet.
     */
    private void refuseHashJobs() {
        if (format == JobFormat.BULLMQ) {
            throw invalid(name, "format=bullmq is not supported on this path yet: a BullMQ queue holds job ids and"
                    + " each job is a hash of its own, and qbridge's take and push scripts do not yet move an id"
                    + " together with its hash (docs/systems.md, BullMQ)");
        }
    }

    private String celeryPriorityList(int step) {
        return step == 0 ? name : name + CELERY_PRIORITY_SEPARATOR + step;
    }

    /** Why a set of a format cannot be read or written, or null when it can. */
    private static String refusal(JobFormat format, JobSet set) {
        if (set == JobSet.READY) {
            return null;
        }
        return switch (format) {
            case RAW, JSON -> "set=" + set + " applies to the job systems' formats (sidekiq, celery, rq, bullmq); a "
                    + format + " queue is one set: leave set out";
            case CELERY -> switch (set) {
                case SCHEDULED -> "Celery keeps tasks with an ETA or countdown in its workers' memory, not in Redis: "
                        + "there is no scheduled set to read or write; they are in the ready lists until a worker "
                        + "fetches them";
                case RETRY -> "Celery retries a task by publishing it again to its queue: there is no retry set; "
                        + "use set=ready";
                default -> "Celery keeps no dead tasks in Redis (failed results go to the result backend): there "
                        + "is no dead set";
            };
            case SIDEKIQ -> null;
            case RQ -> set == JobSet.RETRY ? "RQ keeps no retry set: it retries a failed job by scheduling it"
                    + " (rq:scheduled:<q>, use set=scheduled) or by enqueueing it again (set=ready)" : null;
            case BULLMQ -> set == JobSet.RETRY ? "BullMQ keeps no retry set: a failed job with attempts left waits"
                    + " in its delayed set (bull:<q>:delayed, use set=scheduled) or goes back to wait (set=ready)"
                    : null;
        };
    }

    private static QueueException invalid(String name, String why) {
        return new QueueException(QueueException.Kind.CONFIG, "queue '" + name + "': " + why);
    }
}
