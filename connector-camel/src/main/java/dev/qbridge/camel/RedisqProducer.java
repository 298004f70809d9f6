package dev.qbridge.camel;

import dev.qbridge.core.queue.NewHashJob;
import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.JobTranslation;
import dev.qbridge.formats.NativeJob;
import dev.qbridge.formats.RqCodec;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.formats.UnreadableJobException;
import java.lang.reflect.Array;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.TypeConverter;
import org.apache.camel.support.DefaultProducer;

/**
 * Pushes the body as one job, or each element of a collection or array body as a batch (one round trip per
 * 1,000 jobs). The priority and due time come from the {@link RedisqConstants} headers or the endpoint's defaults;
 * the reply headers say how many jobs were added and with which priority or due time. The push is done when
 * {@code process} returns: a route that continues after it knows the job is in Redis.
 */
public class RedisqProducer extends DefaultProducer {

    private final RedisqEndpoint endpoint;

    public RedisqProducer(RedisqEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        RedisQueue queue = endpoint.queue();
        Message in = exchange.getIn();
        List<byte[]> payloads = payloads(exchange);
        if (!endpoint.translation().isIdentity()) {
            in.setHeader(RedisqConstants.QUEUE, queue.name());
            in.setHeader(RedisqConstants.PUSHED, pushNative(payloads));
            return;
        }
        NewJob template = NewJob.of(new byte[0]);
        QueueKind kind = queue.config().kind();
        Long priority = null;
        Instant dueAt = null;
        if (kind == QueueKind.PRIORITY) {
            priority = in.getHeader(RedisqConstants.PRIORITY, Long.class);
            template = priority == null ? template : template.withPriority(priority);
            priority = priority == null ? queue.config().defaultPriority() : priority;
        } else if (kind == QueueKind.DELAYED) {
            dueAt = dueAt(exchange, in);
            if (dueAt == null) {
                Duration delay = delay(exchange, in);
                dueAt = Instant.now().plus(delay == null ? queue.config().defaultDelay() : delay);
                template = delay == null ? template : template.withDelay(delay);
            } else {
                template = template.dueAt(dueAt);
            }
        }
        List<NewJob> jobs = new ArrayList<>(payloads.size());
        for (byte[] payload : payloads) {
            jobs.add(new NewJob(payload, template.priority(), template.delay(), template.dueAt()));
        }
        long pushed = queue.pushJobs(jobs);
        in.setHeader(RedisqConstants.QUEUE, queue.name());
        in.setHeader(RedisqConstants.PUSHED, pushed);
        if (priority != null) {
            in.setHeader(RedisqConstants.PRIORITY, priority);
        }
        if (dueAt != null) {
            in.setHeader(RedisqConstants.DUE_AT, dueAt.toEpochMilli());
        }
    }

    /**
     * Writes each body as the job system's client writes a job, into the list its priority picks (in order within
     * each list). A body that is no event or job of the system fails the exchange for good, with the reason: a
     * redisq: route it came from dead-letters it instead of retrying.
     */
    private long pushNative(List<byte[]> bodies) {
        JobTranslation translation = endpoint.translation();
        SystemQueue queue = translation.queue();
        Map<String, List<byte[]>> byKey = new LinkedHashMap<>();
        List<NewJob> timed = new ArrayList<>();
        List<NewHashJob> hashed = new ArrayList<>();
        for (byte[] body : bodies) {
            NativeJob job;
            try {
                job = translation.inbound(body);
                if (queue.keepsJobsInHashes()) {
                    // the hash and the id, written together by the core (RQ)
                    hashed.add(RqCodec.newHashJob(job, queue.set()));
                    continue;
                }
            } catch (UnreadableJobException e) {
                throw new NonRetriableJobException("cannot write to " + queue.format() + " queue " + queue.name()
                        + (queue.set() == JobSet.READY ? "" : " (set " + queue.set() + ")") + ": " + e.getMessage(), e);
            }
            if (queue.isSharedSet()) {
                // each job with its own time, as the system's client adds it; no time: due, or dead, now
                timed.add(NewJob.of(job.bytes()).dueAt(job.at().orElseGet(Instant::now)));
                continue;
            }
            String key = queue.keyForPriority(job.priority().orElse(0));
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(job.bytes());
        }
        long pushed = timed.isEmpty() ? 0 : endpoint.pushQueue(queue.pushConfig()).pushDelayedExactly(timed);
        if (!hashed.isEmpty()) {
            // a job whose hash is there already is not written again nor counted (a redelivery of an at-least-once
            // move), as a sorted set does not add a member twice
            pushed += endpoint.pushQueue(queue.pushConfig()).pushHashes(hashed).pushed();
        }
        for (Map.Entry<String, List<byte[]>> list : byKey.entrySet()) {
            pushed += endpoint.pushQueue(list.getKey()).push(list.getValue());
        }
        return pushed;
    }

    /** One payload per element of a collection or array body (a byte[] is one payload), else the body itself. */
    private static List<byte[]> payloads(Exchange exchange) throws Exception {
        Object body = exchange.getIn().getBody();
        TypeConverter converter = exchange.getContext().getTypeConverter();
        if (body == null) {
            throw new IllegalArgumentException("redisq cannot push a null body: a job needs a payload");
        }
        List<byte[]> payloads = new ArrayList<>();
        if (body instanceof Collection<?> items) {
            for (Object item : items) {
                payloads.add(converter.mandatoryConvertTo(byte[].class, exchange, item));
            }
        } else if (body.getClass().isArray() && !(body instanceof byte[])) {
            for (int i = 0; i < Array.getLength(body); i++) {
                payloads.add(converter.mandatoryConvertTo(byte[].class, exchange, Array.get(body, i)));
            }
        } else {
            payloads.add(exchange.getIn().getMandatoryBody(byte[].class));
        }
        return payloads;
    }

    private static Instant dueAt(Exchange exchange, Message in) {
        Object value = in.getHeader(RedisqConstants.DUE_AT);
        if (value == null || value instanceof Instant) {
            return (Instant) value;
        }
        Long millis = exchange.getContext().getTypeConverter().tryConvertTo(Long.class, exchange, value);
        if (millis == null) {
            throw new IllegalArgumentException("header " + RedisqConstants.DUE_AT + " must be an Instant or epoch "
                    + "milliseconds, was " + value);
        }
        return Instant.ofEpochMilli(millis);
    }

    private static Duration delay(Exchange exchange, Message in) {
        Object value = in.getHeader(RedisqConstants.DELAY);
        if (value == null || value instanceof Duration) {
            return (Duration) value;
        }
        Long millis = exchange.getContext().getTypeConverter().tryConvertTo(Long.class, exchange, value);
        if (millis == null) {
            throw new IllegalArgumentException("header " + RedisqConstants.DELAY + " must be a Duration or "
                    + "milliseconds, was " + value);
        }
        return Duration.ofMillis(millis);
    }
}
