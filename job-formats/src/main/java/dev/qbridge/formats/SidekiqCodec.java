package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Sidekiq's jobs as its own client (6.4) writes them, and back. A job is one JSON object: {@code class},
 * {@code args}, {@code jid}, {@code queue}, {@code retry}, {@code created_at} and {@code enqueued_at} (float Unix
 * seconds), plus whatever the job picked up (retry state, tags, middleware fields). Everything that has no
 * attribute of its own travels verbatim in the {@link JobExtensions#SIDEKIQ} extension, so Sidekiq -> event ->
 * Sidekiq gives back the same fields with the same values.
 */
public final class SidekiqCodec implements JobCodec {
    /** The fields that have their own attribute, data or extension. */
    private static final Set<String> MAPPED = Set.of("jid", "class", "args", "queue", "retry", "retry_count", "at");

    private final SidekiqEventWriter writer = new SidekiqEventWriter();

    @Override
    public JobFormat format() {
        return JobFormat.SIDEKIQ;
    }

    /** Streamed from the job for the shapes Sidekiq writes; any other job goes through {@link #toEvent}. */
    @Override
    public WrittenEvent write(byte[] job, String queue, JobSet set, Optional<Instant> at) {
        WrittenEvent written = writer.write(job, queue, set, at);
        return written != null ? written : JobCodec.super.write(job, queue, set, at);
    }

    @Override
    public CloudEvent toEvent(NativeJob stored, String queue, JobSet set) {
        byte[] bytes = stored.bytes();
        Optional<Instant> at = stored.at();
        String where = "Sidekiq job in " + set + " of queue " + queue;
        ObjectNode job = Json.object(bytes, "the " + where);
        String jid = requiredText(job, "jid", where);
        String type = requiredText(job, "class", where);
        JsonNode args = job.get("args");
        if (args == null || !args.isArray()) {
            throw new UnreadableJobException("the " + where + " (jid " + jid + ") has no \"args\" array");
        }
        CloudEventBuilder event = CloudEventBuilder.v1()
                .withId(jid)
                .withType(type)
                .withSource(Sources.of("sidekiq", queue))
                .withData("application/json", JobData.of((ArrayNode) args, null).toCloudEventData())
                .withExtension(JobExtensions.JOB_SYSTEM, "sidekiq")
                .withExtension(JobExtensions.QUEUE, queue);
        enqueuedAt(job, where).ifPresent(time -> event.withTime(JobExtensions.utc(time)));

        // the job is read once: what is not mapped is the extras, taken from it rather than from a deep copy
        ObjectNode extras = job;
        JsonNode retry = job.get("retry");
        JsonNode retryCount = job.get("retry_count");
        Optional<Instant> due = at.isPresent() ? at : seconds(job, "at", where);
        extras.remove(MAPPED);
        if (retry != null && retry.isBoolean()) {
            event.withExtension(JobExtensions.RETRY, retry.booleanValue());
        } else if (retry != null && retry.canConvertToExactIntegral() && retry.canConvertToInt()) {
            event.withExtension(JobExtensions.RETRY, retry.intValue());
        } else if (retry != null) {
            extras.set("retry", retry);
        }
        if (retryCount == null) {
            event.withExtension(JobExtensions.ATTEMPTS, 0);
        } else if (retryCount.isIntegralNumber() && retryCount.canConvertToInt() && retryCount.intValue() >= 0) {
            // retry_count is 0 after the first failure: attempts counts the failures, as Celery's retries does.
            event.withExtension(JobExtensions.ATTEMPTS, retryCount.intValue() + 1);
        } else {
            extras.set("retry_count", retryCount);
        }
        if (set == JobSet.DEAD) {
            at.ifPresent(died -> event.withExtension(JobExtensions.DIED, JobExtensions.utc(died)));
        } else {
            due.ifPresent(time -> event.withExtension(JobExtensions.SCHEDULED, JobExtensions.utc(time)));
        }
        if (!extras.isEmpty()) {
            event.withExtension(JobExtensions.SIDEKIQ, new String(Json.bytes(extras), StandardCharsets.UTF_8));
        }
        return event.build();
    }

    @Override
    public NativeJob toNative(CloudEvent event, String queue) {
        JobData data = JobData.of(event);
        ObjectNode extras = JobExtensions.object(event, JobExtensions.SIDEKIQ);
        ObjectNode job = Json.newObject();
        job.set("retry", retry(event, extras));
        job.put("queue", queue);
        ArrayNode args = data.args().deepCopy();
        if (!data.kwargs().isEmpty()) {
            // Sidekiq has positional arguments only; a trailing Hash is how keyword arguments reach a Ruby job.
            args.add(data.kwargs());
        }
        job.set("args", args);
        job.put("class", event.getType());
        job.put("jid", event.getId());
        Optional<Instant> scheduled = JobExtensions.time(event, JobExtensions.SCHEDULED);
        Instant now = Instant.now();
        JsonNode createdAt = extras.remove("created_at");
        job.set("created_at", createdAt != null ? createdAt : Json.MAPPER.getNodeFactory().numberNode(
                JobExtensions.secondsOf(event.getTime() != null ? event.getTime().toInstant() : now)));
        JsonNode enqueuedAt = extras.remove("enqueued_at");
        if (enqueuedAt != null) {
            job.set("enqueued_at", enqueuedAt);
        } else if (scheduled.isEmpty()) {
            // The client stamps enqueued_at when it pushes to the queue list, not when it schedules.
            job.set("enqueued_at", Json.MAPPER.getNodeFactory().numberNode(JobExtensions.secondsOf(now)));
        }
        OptionalInt attempts = JobExtensions.integer(event, JobExtensions.ATTEMPTS);
        JsonNode keptRetryCount = extras.get("retry_count");
        if (attempts.isPresent() && attempts.getAsInt() > 0) {
            job.put("retry_count", attempts.getAsInt() - 1);
        } else if (keptRetryCount != null) {
            job.set("retry_count", keptRetryCount);
        }
        // "at" never goes into the job: Sidekiq's scheduler pushes what it pops, and a job holding "at" would be
        // scheduled again, forever. The time is NativeJob.at, the score.
        extras.remove(MAPPED);
        job.setAll(extras);
        Optional<Instant> at = scheduled.isPresent() ? scheduled : JobExtensions.time(event, JobExtensions.DIED);
        return new NativeJob(Json.bytes(job), at, OptionalInt.empty());
    }

    private static JsonNode retry(CloudEvent event, ObjectNode extras) {
        Object value = event.getExtension(JobExtensions.RETRY);
        if (value instanceof Boolean flag) {
            return Json.MAPPER.getNodeFactory().booleanNode(flag);
        }
        if (value instanceof Number || (value != null && value.toString().matches("-?[0-9]+"))) {
            return Json.MAPPER.getNodeFactory().numberNode(JobExtensions.integer(event, JobExtensions.RETRY).getAsInt());
        }
        if (value != null && (value.toString().equals("true") || value.toString().equals("false"))) {
            return Json.MAPPER.getNodeFactory().booleanNode(Boolean.parseBoolean(value.toString()));
        }
        if (value != null) {
            throw new UnreadableJobException("event " + event.getId() + ": extension retry is '" + value
                    + "'; Sidekiq's retry is true, false or a number of retries");
        }
        JsonNode kept = extras.get("retry");
        // What the client writes for a class it knows only by name: Sidekiq.default_worker_options.
        return kept != null ? kept : Json.MAPPER.getNodeFactory().booleanNode(true);
    }

    private static Optional<Instant> enqueuedAt(ObjectNode job, String where) {
        Optional<Instant> enqueued = seconds(job, "enqueued_at", where);
        return enqueued.isPresent() ? enqueued : seconds(job, "created_at", where);
    }

    private static Optional<Instant> seconds(ObjectNode job, String field, String where) {
        JsonNode value = job.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isNumber()) {
            throw new UnreadableJobException("the " + where + " has \"" + field + "\" " + value
                    + ", not Unix seconds");
        }
        return Optional.of(JobExtensions.instantOfSeconds(value.decimalValue()));
    }

    private static String requiredText(ObjectNode job, String field, String where) {
        JsonNode value = job.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw new UnreadableJobException("the " + where + " has no \"" + field + "\" string"
                    + (field.equals("class") ? "" : " (class " + job.path("class").asText("?") + ")"));
        }
        return value.textValue();
    }
}
