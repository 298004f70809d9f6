package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * BullMQ's jobs (read from BullMQ 6.7.6's Lua scripts and Job class) as its own Queue writes them, and back. A job is
 * its id, the element of {@code bull:<q>:wait} (or a member of {@code prioritized}, {@code delayed}, {@code failed}),
 * and its hash {@code bull:<q>:<id>}: {@code name}, {@code data} (JSON.stringify of one JSON value), {@code opts}
 * (Lua cjson of the job's options), {@code timestamp} and {@code delay} (milliseconds), {@code priority}, and once a
 * worker ran it {@code atm}, {@code ats}, {@code processedOn}, {@code finishedOn}, {@code failedReason},
 * {@code stacktrace}, ... A codec reads and writes the pair as a {@link NativeJob}: its bytes are the id, its hash
 * the fields.
 *
 * <p>BullMQ's {@code data} is one value where the others have args and kwargs: an object travels as the kwargs
 * (its fields are named arguments, as a Celery task or an RQ function takes them, and a Sidekiq job gets them as
 * its trailing Hash), any other value as the only positional argument. Written back, no args means the kwargs are
 * the data, one arg without kwargs is the data, several args are an array, and args with kwargs are
 * {@code {"args": [...], "kwargs": {...}}}: BullMQ -> event -> BullMQ gives back the same data, byte for byte.
 *
 * <p>The rest travels in the {@link JobExtensions#BULLMQ} extension, a JSON object: {@code opts} (the job's options
 * as JSON, in their stored order) and {@code fields} (every other hash field as text, verbatim).
 */
public final class BullmqCodec implements JobCodec {
    /** BullMQ's default key prefix ({@code QueueOptions.prefix}). */
    public static final String PREFIX = "bull";
    /** What {@code Job.validateOptions} allows ({@code PRIORITY_LIMIT}, 2^21 - 1). */
    static final int PRIORITY_LIMIT = 2_097_151;
    /** BullMQ's delayed score: the due time in milliseconds times 0x1000, plus the place among jobs due then. */
    static final long DELAYED_SCORE_FACTOR = 0x1000;

    /** Hash fields that have their own attribute, data or extension entry. */
    private static final Set<String> MAPPED = Set.of("name", "data", "opts", "timestamp", "priority", "atm");
    /** BullMQ refuses a custom id that {@code parseInt} gives back as is: those are its counter's ids. */
    private static final Pattern COUNTER_ID = Pattern.compile("-?(0|[1-9][0-9]*)");

    @Override
    public JobFormat format() {
        return JobFormat.BULLMQ;
    }

    /** A key of queue {@code queue}: {@code bull:<q>:<suffix>} ({@code wait}, {@code delayed}, a job's id). */
    public static String key(String queue, String suffix) {
        return PREFIX + ":" + queue + ":" + suffix;
    }

    /**
     * The due time of a member of {@code bull:<q>:delayed} from its score ({@code getDelayedScore}: due milliseconds
     * times 0x1000 plus a counter); the score of {@code failed} is the time it failed, in milliseconds.
     */
    public static Instant timeOfScore(String score, JobSet set) {
        try {
            BigDecimal value = new BigDecimal(score);
            long millis = set == JobSet.SCHEDULED
                    ? value.divide(BigDecimal.valueOf(DELAYED_SCORE_FACTOR), 0, RoundingMode.FLOOR).longValueExact()
                    : value.setScale(0, RoundingMode.FLOOR).longValueExact();
            return Instant.ofEpochMilli(millis);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UnreadableJobException("its score " + score + " is no BullMQ " + set + " score", e);
        }
    }

    /** True when BullMQ's counter made the id: written elsewhere, such a job gets that queue's next counter id. */
    public static boolean isCounterId(String id) {
        return COUNTER_ID.matcher(id).matches();
    }

    @Override
    public CloudEvent toEvent(NativeJob stored, String queue, JobSet set) {
        String id = HashFields.text(stored.bytes());
        if (id == null || id.isEmpty()) {
            throw new UnreadableJobException("an element of the BullMQ " + set + " of queue " + queue
                    + " is no job id (empty or not UTF-8)");
        }
        String where = "BullMQ job " + id + " in " + set + " of queue " + queue;
        Map<String, byte[]> hash = stored.hash();
        if (hash.isEmpty()) {
            throw new UnreadableJobException("the " + where + " has no hash " + key(queue, id) + " (it was removed,"
                    + " or the id was added without its job); BullMQ's worker fails such a job as missing");
        }
        String name = field(hash, "name", where);
        if (name == null || name.isEmpty()) {
            throw new UnreadableJobException("the hash " + key(queue, id) + " of the " + where + " has no \"name\"");
        }
        where = where + " (" + name + ")";
        String dataText = field(hash, "data", where);
        JsonNode data = Json.tree((dataText == null ? "{}" : dataText).getBytes(StandardCharsets.UTF_8),
                "the data of the " + where);
        ArrayNode args = Json.newArray();
        ObjectNode kwargs = Json.newObject();
        if (data instanceof ObjectNode object) {
            kwargs = object;
        } else {
            args.add(data);
        }

        CloudEventBuilder event = CloudEventBuilder.v1()
                .withId(id)
                .withType(name)
                .withSource(Sources.of("bullmq", queue))
                .withData("application/json", JobData.of(args, kwargs).toCloudEventData())
                .withExtension(JobExtensions.JOB_SYSTEM, "bullmq")
                .withExtension(JobExtensions.QUEUE, queue);
        OptionalLong timestamp = millis(hash, "timestamp", where);
        if (timestamp.isPresent()) {
            event.withTime(JobExtensions.utc(Instant.ofEpochMilli(timestamp.getAsLong())));
        }
        // the writer derives delay from the times (0, or due - timestamp), so the extension keeps only another one
        long derivedDelay = 0;
        if (set == JobSet.SCHEDULED) {
            Optional<Instant> due = stored.at();
            if (due.isEmpty() && timestamp.isPresent()) {
                due = Optional.of(Instant.ofEpochMilli(timestamp.getAsLong() + millis(hash, "delay", where).orElse(0)));
            }
            due.ifPresent(at -> event.withExtension(JobExtensions.SCHEDULED, JobExtensions.utc(at)));
            if (due.isPresent() && timestamp.isPresent()) {
                derivedDelay = Math.max(0, due.get().toEpochMilli() - timestamp.getAsLong());
            }
        } else if (set == JobSet.DEAD) {
            OptionalLong finished = millis(hash, "finishedOn", where);
            Optional<Instant> died = finished.isPresent() ? Optional.of(Instant.ofEpochMilli(finished.getAsLong()))
                    : stored.at();
            died.ifPresent(at -> event.withExtension(JobExtensions.DIED, JobExtensions.utc(at)));
        }
        long priority = millis(hash, "priority", where).orElse(0);
        if (priority > 0) {
            event.withExtension(JobExtensions.PRIORITY, (int) Math.min(priority, PRIORITY_LIMIT));
        }
        OptionalLong attempts = millis(hash, "atm", where);
        if (attempts.isEmpty()) {
            attempts = millis(hash, "attemptsMade", where); // BullMQ before 5 counted here
        }
        event.withExtension(JobExtensions.ATTEMPTS, (int) attempts.orElse(0));

        ObjectNode extension = Json.newObject();
        String opts = field(hash, "opts", where);
        if (opts != null) {
            extension.set("opts", Json.tree(opts.getBytes(StandardCharsets.UTF_8), "the opts of the " + where));
        }
        ObjectNode fields = Json.newObject();
        ObjectNode binary = Json.newObject();
        String derived = Long.toString(derivedDelay);
        hash.forEach((field, value) -> {
            if (!MAPPED.contains(field) && !(field.equals("delay") && derived.equals(HashFields.text(value)))) {
                String text = HashFields.text(value);
                if (text != null) {
                    fields.put(field, text);
                } else {
                    binary.put(field, Base64.getEncoder().encodeToString(value));
                }
            }
        });
        extension.set("fields", fields);
        if (!binary.isEmpty()) {
            extension.set("binary", binary);
        }
        event.withExtension(JobExtensions.BULLMQ, new String(Json.bytes(extension), StandardCharsets.UTF_8));
        return event.build();
    }

    @Override
    public NativeJob toNative(CloudEvent event, String queue) {
        return toNative(event, queue, JobSet.READY);
    }

    /**
     * The id and hash BullMQ's {@code Queue.add} writes for the event into queue {@code queue}: {@code name},
     * {@code data}, {@code opts}, {@code timestamp}, {@code delay}, {@code priority} (storeJob's order), then the
     * fields the job had gathered. The id is kept unless BullMQ's counter made it (a number, which BullMQ refuses as
     * a custom id and which the target's counter may already have given): then {@link NativeJob#bytes()} is empty
     * and the write takes the next id of the target's counter, as {@code Queue.add} without {@code jobId} does.
     * {@link NativeJob#at()} is the due time of a delayed job (set=scheduled) and the failure time of a failed one;
     * {@link NativeJob#priority()} is BullMQ's priority when above 0 (the job goes to {@code prioritized}).
     */
    @Override
    public NativeJob toNative(CloudEvent event, String queue, JobSet set) {
        String where = "event " + event.getId() + " (type " + event.getType() + ") for BullMQ queue " + queue;
        if (set == JobSet.RETRY) {
            throw new UnreadableJobException("BullMQ keeps no retry set (a job to be retried waits in its delayed set):"
                    + " the " + where + " cannot be written to set=retry");
        }
        String id = event.getId();
        boolean counterId = isCounterId(id);
        if (!counterId && id.contains(":")) {
            throw new UnreadableJobException("the " + where + " has an id with ':', which BullMQ refuses in a job id"
                    + " (its keys are bull:<queue>:<id>)");
        }
        ObjectNode extension = JobExtensions.object(event, JobExtensions.BULLMQ);
        ObjectNode kept = Json.objectOrEmpty(extension.get("fields"));
        ObjectNode binary = Json.objectOrEmpty(extension.get("binary"));
        JobData data = JobData.of(event);
        Instant now = Instant.now();
        long timestamp = (event.getTime() != null ? event.getTime().toInstant() : now).toEpochMilli();
        int priority = priority(event, where);

        Optional<Instant> at = Optional.empty();
        long delay = 0;
        if (set == JobSet.SCHEDULED) {
            Instant due = JobExtensions.time(event, JobExtensions.SCHEDULED).orElseThrow(() ->
                    new UnreadableJobException("the " + where + " has no \"scheduled\" time, which a job in BullMQ's"
                            + " delayed set needs"));
            at = Optional.of(due);
            delay = Math.max(0, due.toEpochMilli() - timestamp);
        } else if (set == JobSet.DEAD) {
            at = Optional.of(JobExtensions.time(event, JobExtensions.DIED).orElse(now));
        }

        Map<String, byte[]> hash = new LinkedHashMap<>();
        HashFields.put(hash, "name", event.getType());
        hash.put("data", BullmqJson.stringify(data(data)));
        JsonNode opts = extension.get("opts");
        hash.put("opts", BullmqJson.cjson(opts instanceof ObjectNode object ? object
                : newOpts(counterId ? null : id, priority, delay)));
        HashFields.put(hash, "timestamp", Long.toString(timestamp));
        JsonNode keptDelay = kept.remove("delay");
        HashFields.put(hash, "delay", keptDelay != null ? keptDelay.asText() : Long.toString(delay));
        HashFields.put(hash, "priority", Integer.toString(priority));
        OptionalInt attempts = JobExtensions.integer(event, JobExtensions.ATTEMPTS);
        if (attempts.isPresent() && attempts.getAsInt() > 0) {
            HashFields.put(hash, "atm", Integer.toString(attempts.getAsInt()));
        }
        if (set == JobSet.DEAD && !kept.has("finishedOn")) {
            HashFields.put(hash, "finishedOn", Long.toString(at.orElseThrow().toEpochMilli()));
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
        byte[] bytes = counterId ? new byte[0] : id.getBytes(StandardCharsets.UTF_8);
        return new NativeJob(bytes, at, priority > 0 ? OptionalInt.of(priority) : OptionalInt.empty(), hash);
    }

    /** BullMQ's one value of data from args and kwargs (the class comment has the rule). */
    static JsonNode data(JobData data) {
        if (data.args().isEmpty()) {
            return data.kwargs();
        }
        if (data.kwargs().isEmpty()) {
            return data.args().size() == 1 ? data.args().get(0) : data.args();
        }
        ObjectNode both = Json.newObject();
        both.set("args", data.args());
        both.set("kwargs", data.kwargs());
        return both;
    }

    /**
     * The options {@code Queue.add} stores for a job of another system: {@code attempts} 0 (the Job's default), the
     * custom id, priority and delay it was added with, in the order Redis' cjson writes them.
     */
    private static ObjectNode newOpts(String customId, int priority, long delay) {
        ObjectNode opts = Json.newObject();
        if (customId != null) {
            opts.put("jobId", customId);
        }
        if (priority > 0) {
            opts.put("priority", priority);
        }
        if (delay > 0) {
            opts.put("delay", delay);
        }
        opts.put("attempts", 0);
        return opts;
    }

    private static int priority(CloudEvent event, String where) {
        OptionalInt priority = JobExtensions.integer(event, JobExtensions.PRIORITY);
        if (priority.isEmpty() || priority.getAsInt() <= 0) {
            return 0;
        }
        if (priority.getAsInt() > PRIORITY_LIMIT) {
            throw new UnreadableJobException("the " + where + " has priority " + priority.getAsInt()
                    + "; BullMQ's priorities go from 0 to " + PRIORITY_LIMIT);
        }
        return priority.getAsInt();
    }

    private static String field(Map<String, byte[]> hash, String field, String where) {
        byte[] value = hash.get(field);
        if (value == null) {
            return null;
        }
        String text = HashFields.text(value);
        if (text == null) {
            throw new UnreadableJobException("the " + where + " has a field " + field + " that is not UTF-8");
        }
        return text;
    }

    private static OptionalLong millis(Map<String, byte[]> hash, String field, String where) {
        String text = field(hash, field, where);
        if (text == null || text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(new BigDecimal(text).setScale(0, RoundingMode.FLOOR).longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UnreadableJobException("the " + where + " has " + field + " '" + text + "', not a number", e);
        }
    }
}
