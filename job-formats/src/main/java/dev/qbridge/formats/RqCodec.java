package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qbridge.core.queue.NewHashJob;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * RQ's jobs (RQ 1.13 as Debian ships it, and RQ 2.x) as its own client writes them, and back. A job is its id, the
 * element of the queue's list {@code rq:queue:<q>}, and its hash {@code rq:job:<id>}: {@code data} (zlib of the
 * serializer's dump of {@code (func_name, instance, args, kwargs)}), {@code origin}, {@code status},
 * {@code created_at}, {@code enqueued_at}, {@code timeout}, {@code description}, {@code meta} (the serializer's dump
 * of a dict), and more as RQ's version and the job's history have them. A codec reads and writes the pair as a
 * {@link NativeJob}: its bytes are the id, its hash the fields.
 *
 * <p>Everything that has no attribute of its own travels in the {@link JobExtensions#RQ} extension, a JSON object:
 * {@code fields} (the other hash fields as text, verbatim), {@code binary} (fields that are not UTF-8, such as a
 * failed job's zlib {@code exc_info}, in base64), {@code meta} (as JSON) and {@code marks} (which values of args,
 * kwargs and meta were tuples or bytes, {@link PythonJson}), so RQ -> event -> RQ gives back the same fields with the
 * same values and the worker calls the function with the same types.
 */
public final class RqCodec implements JobCodec {
    /** The key prefix of a job's hash: {@code rq:job:<id>}. */
    public static final String JOB_KEY_PREFIX = "rq:job:";
    /** What RQ's Queue gives a job enqueued without a timeout (Queue.DEFAULT_TIMEOUT, seconds). */
    static final String DEFAULT_TIMEOUT = "180";
    /** How long RQ keeps a failed job (rq.defaults.DEFAULT_FAILURE_TTL, seconds). */
    static final long DEFAULT_FAILURE_TTL = 31_536_000L;

    /** Hash fields that have their own attribute, data or extension, or that the writer derives from the set. */
    private static final Set<String> MAPPED = Set.of("data", "origin", "status", "meta", "number_of_retries");
    /**
     * Fields RQ 1.13's client writes empty for a new job, and so does the writer: left out of the extension while
     * empty, to keep it to what is particular to the job.
     */
    private static final List<String> EMPTY_WHEN_NEW = List.of("success_callback_name", "failure_callback_name",
            "started_at", "ended_at", "last_heartbeat", "worker_name");
    /** RQ's utcformat: '%Y-%m-%dT%H:%M:%S.%fZ', always six digits of microseconds. */
    private static final DateTimeFormatter RQ_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");
    private static final DateTimeFormatter RQ_OLD_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'");

    private final RqSerializer serializer;

    /** A codec that writes with RQ's default serializer, pickle. */
    public RqCodec() {
        this(RqSerializer.PICKLE);
    }

    /** A codec that writes with {@code serializer}, the one the queue's workers use; it reads both. */
    public RqCodec(RqSerializer serializer) {
        this.serializer = serializer;
    }

    @Override
    public JobFormat format() {
        return JobFormat.RQ;
    }

    /** The hash key of the job {@code id}. */
    public static String jobKey(String id) {
        return JOB_KEY_PREFIX + id;
    }

    /**
     * The job as the core pushes it into {@code set}: the id, the hash, its time ({@link NativeJob#at()}: the score of
     * the scheduled or failed registry), and the hash's expiry: in the failed registry when RQ drops the entry (as
     * {@code FailedJobRegistry.add} does), else when the job has a positive {@code ttl} (RQ's {@code Job.cleanup(ttl)}
     * at enqueue: a job not run within it is dropped).
     */
    public static NewHashJob newHashJob(NativeJob job, JobSet set) {
        if (set == JobSet.DEAD) {
            Instant drop = job.at().orElseGet(Instant::now);
            long seconds = Math.max(1, (Duration.between(Instant.now(), drop).toMillis() + 999) / 1000);
            return new NewHashJob(job.bytes(), job.hash(), Optional.of(Duration.ofSeconds(seconds)), job.at());
        }
        byte[] ttl = job.hash().get("ttl");
        Optional<Duration> expires = Optional.empty();
        if (ttl != null && ttl.length > 0) {
            try {
                long seconds = Long.parseLong(new String(ttl, StandardCharsets.US_ASCII).trim());
                expires = seconds > 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
            } catch (NumberFormatException e) {
                throw new UnreadableJobException("its ttl '" + new String(ttl, StandardCharsets.UTF_8) + "' is no seconds");
            }
        }
        return new NewHashJob(job.bytes(), job.hash(), expires, job.at());
    }

    @Override
    public CloudEvent toEvent(NativeJob stored, String queue, JobSet set) {
        String id = HashFields.text(stored.bytes());
        if (id == null || id.isEmpty()) {
            throw new UnreadableJobException("an element of the RQ " + set + " of queue " + queue
                    + " is no job id (empty or not UTF-8)");
        }
        String where = "RQ job " + id + " in " + set + " of queue " + queue;
        Map<String, byte[]> hash = stored.hash();
        if (hash.isEmpty()) {
            throw new UnreadableJobException("the " + where + " has no hash " + jobKey(id) + " (it expired, was deleted,"
                    + " or the id was pushed without its job); RQ's worker skips such an id");
        }
        byte[] data = hash.get("data");
        if (data == null) {
            throw new UnreadableJobException("the hash " + jobKey(id) + " of the " + where + " has no \"data\" field");
        }
        RqSerializer.Call call = RqSerializer.readData(data, where);
        where = where + " (" + call.funcName() + ")";

        CloudEventBuilder event = CloudEventBuilder.v1()
                .withId(id)
                .withType(call.funcName())
                .withSource(Sources.of("rq", queue))
                .withData("application/json", JobData.of(call.args(), call.kwargs()).toCloudEventData())
                .withExtension(JobExtensions.JOB_SYSTEM, "rq")
                .withExtension(JobExtensions.QUEUE, queue);
        Optional<Instant> enqueued = time(hash, "enqueued_at", where);
        (enqueued.isPresent() ? enqueued : time(hash, "created_at", where))
                .ifPresent(time -> event.withTime(JobExtensions.utc(time)));
        if (set == JobSet.SCHEDULED) {
            stored.at().ifPresent(due -> event.withExtension(JobExtensions.SCHEDULED, JobExtensions.utc(due)));
        } else if (set == JobSet.DEAD) {
            // the failed registry's score is when RQ drops the entry; the job ended (failed) at ended_at
            time(hash, "ended_at", where).ifPresent(died -> event.withExtension(JobExtensions.DIED, JobExtensions.utc(died)));
        }
        event.withExtension(JobExtensions.ATTEMPTS, attempts(hash, where));

        ObjectNode fields = Json.newObject();
        ObjectNode binary = Json.newObject();
        hash.forEach((name, value) -> {
            if (!MAPPED.contains(name) && !(value.length == 0 && EMPTY_WHEN_NEW.contains(name))) {
                String text = HashFields.text(value);
                if (text != null) {
                    fields.put(name, text);
                } else {
                    binary.put(name, Base64.getEncoder().encodeToString(value));
                }
            }
        });
        ObjectNode extension = Json.newObject();
        extension.set("fields", fields);
        if (!binary.isEmpty()) {
            extension.set("binary", binary);
        }
        byte[] meta = hash.get("meta");
        if (meta != null && meta.length > 0) {
            extension.set("meta", RqSerializer.readMeta(meta, call.marks(), where));
        }
        if (!call.marks().isEmpty()) {
            extension.set("marks", call.marks());
        }
        event.withExtension(JobExtensions.RQ, new String(Json.bytes(extension), StandardCharsets.UTF_8));
        return event.build();
    }

    @Override
    public NativeJob toNative(CloudEvent event, String queue) {
        return toNative(event, queue, JobSet.READY);
    }

    /**
     * The id and hash fields RQ's client writes for a job enqueued to {@code queue} ({@code Queue.enqueue_job}),
     * scheduled ({@code enqueue_at}: status {@code scheduled}, no {@code enqueued_at}, {@link NativeJob#at()} the due
     * time) or failed (status {@code failed}, {@link NativeJob#at()} when RQ's failed registry drops it).
     */
    @Override
    public NativeJob toNative(CloudEvent event, String queue, JobSet set) {
        String where = "event " + event.getId() + " (type " + event.getType() + ") for RQ queue " + queue;
        JobData data = JobData.of(event);
        ObjectNode extension = JobExtensions.object(event, JobExtensions.RQ);
        ObjectNode kept = Json.objectOrEmpty(extension.get("fields"));
        ObjectNode binary = Json.objectOrEmpty(extension.get("binary"));
        ObjectNode marks = Json.objectOrEmpty(extension.get("marks"));
        JsonNode meta = extension.get("meta");
        Instant now = Instant.now();

        Map<String, byte[]> hash = new LinkedHashMap<>();
        // the order of Job.to_dict, then Queue.enqueue_job's status
        HashFields.put(hash, "created_at", keptOr(kept, "created_at",
                format(event.getTime() != null ? event.getTime().toInstant() : now)));
        RqSerializer.Call call = new RqSerializer.Call(event.getType(), data.args(), data.kwargs(), marks);
        hash.put("data", serializer.writeData(call, where));
        for (String empty : EMPTY_WHEN_NEW) {
            HashFields.put(hash, empty, keptOr(kept, empty, ""));
        }
        HashFields.put(hash, "origin", queue);
        HashFields.put(hash, "description", keptOr(kept, "description", callString(event.getType(), data)));
        JsonNode enqueuedAt = kept.remove("enqueued_at");
        if (enqueuedAt != null) {
            HashFields.put(hash, "enqueued_at", enqueuedAt.asText());
        } else if (set == JobSet.READY) {
            HashFields.put(hash, "enqueued_at", format(now));
        }
        HashFields.put(hash, "timeout", keptOr(kept, "timeout", DEFAULT_TIMEOUT));
        Optional<Instant> at = Optional.empty();
        switch (set) {
            case READY -> HashFields.put(hash, "status", "queued");
            case SCHEDULED -> {
                HashFields.put(hash, "status", "scheduled");
                at = Optional.of(JobExtensions.time(event, JobExtensions.SCHEDULED).orElseThrow(() ->
                        new UnreadableJobException("the " + where + " has no \"scheduled\" time, which a job in RQ's"
                                + " scheduled registry needs")));
            }
            case DEAD -> {
                HashFields.put(hash, "status", "failed");
                if (hash.get("ended_at").length == 0) {
                    HashFields.put(hash, "ended_at", format(JobExtensions.time(event, JobExtensions.DIED).orElse(now)));
                }
                at = Optional.of(now.plusSeconds(failureTtl(kept, where)));
            }
            case RETRY -> throw new UnreadableJobException("RQ keeps no retry set (it retries a job by scheduling it"
                    + " or enqueueing it again): the " + where + " cannot be written to set=retry");
        }
        if (meta instanceof ObjectNode dict && !dict.isEmpty()) {
            hash.put("meta", serializer.writeMeta(dict, marks, where));
        }
        OptionalInt attempts = JobExtensions.integer(event, JobExtensions.ATTEMPTS);
        if (attempts.isPresent() && attempts.getAsInt() > 0) {
            HashFields.put(hash, "number_of_retries", Integer.toString(attempts.getAsInt())); // RQ 2.x counts retries here
        }
        kept.properties().forEach(field -> {
            if (!MAPPED.contains(field.getKey())) {
                HashFields.put(hash, field.getKey(), field.getValue().asText());
            }
        });
        binary.properties().forEach(field -> {
            if (!MAPPED.contains(field.getKey())) {
                hash.put(field.getKey(), HashFields.base64(field.getValue().asText(), field.getKey(), where));
            }
        });
        return NativeJob.ofHash(event.getId().getBytes(StandardCharsets.UTF_8), hash, at);
    }

    /** RQ's get_call_string(func, args, kwargs, max_length=75): what it writes as the description by default. */
    static String callString(String func, JobData data) {
        List<String> parts = new ArrayList<>();
        data.args().forEach(arg -> parts.add(truncate(PythonRepr.of(arg))));
        List<String> kwargs = new ArrayList<>();
        data.kwargs().properties().forEach(kw -> kwargs.add(kw.getKey() + "=" + truncate(PythonRepr.of(kw.getValue()))));
        kwargs.sort(null);
        parts.addAll(kwargs);
        return func + "(" + String.join(", ", parts) + ")";
    }

    private static String truncate(String repr) {
        return repr.codePointCount(0, repr.length()) > 75 ? repr.substring(0, repr.offsetByCodePoints(0, 75)) + "..." : repr;
    }

    /** What RQ's utcformat writes. */
    static String format(Instant instant) {
        return RQ_TIME.format(instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC));
    }

    /** What RQ's utcparse reads: the time with microseconds, or without them (older jobs). */
    static Instant parse(String text) {
        try {
            return LocalDateTime.parse(text, RQ_TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(text, RQ_OLD_TIME).toInstant(ZoneOffset.UTC);
        }
    }

    private static Optional<Instant> time(Map<String, byte[]> hash, String field, String where) {
        byte[] value = hash.get(field);
        if (value == null || value.length == 0) {
            return Optional.empty();
        }
        String text = new String(value, StandardCharsets.UTF_8);
        try {
            return Optional.of(parse(text));
        } catch (DateTimeParseException e) {
            throw new UnreadableJobException("the " + where + " has " + field + " '" + text + "', not RQ's time"
                    + " (%Y-%m-%dT%H:%M:%S.%fZ)", e);
        }
    }

    private static int attempts(Map<String, byte[]> hash, String where) {
        byte[] value = hash.get("number_of_retries");
        if (value == null || value.length == 0) {
            return 0;
        }
        try {
            return Integer.parseInt(new String(value, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new UnreadableJobException("the " + where + " has number_of_retries '"
                    + new String(value, StandardCharsets.UTF_8) + "', not a number", e);
        }
    }

    private static long failureTtl(ObjectNode kept, String where) {
        JsonNode ttl = kept.get("failure_ttl");
        if (ttl == null || ttl.asText().isEmpty()) {
            return DEFAULT_FAILURE_TTL;
        }
        try {
            return Long.parseLong(ttl.asText());
        } catch (NumberFormatException e) {
            throw new UnreadableJobException("the " + where + " has failure_ttl '" + ttl.asText() + "', not seconds", e);
        }
    }

    private static String keptOr(ObjectNode kept, String field, String otherwise) {
        JsonNode value = kept.remove(field);
        return value != null ? value.asText() : otherwise;
    }
}
