package dev.qbridge.formats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * A Sidekiq job's event written straight from the job's JSON: one pass of Jackson's streaming parser, the output
 * appended by hand ({@link JsonBytes}), no tree, no SDK builder or writer, each time formatted once. The bytes and
 * attributes are exactly those of {@link SidekiqCodec#toEvent} written by the SDK's JSON format
 * ({@code SidekiqEventWriterTest} compares them on Sidekiq's jobs and thousands of varied ones), at a third of the
 * cost per job (docs/PERFORMANCE.md, "Job systems to Kafka").
 *
 * <p>It takes the shapes Sidekiq writes: {@code jid} and {@code class} non-empty strings, an {@code args} array,
 * {@code queue} a string, {@code retry} a boolean or an int, {@code retry_count} an int of at least 0, the times
 * numbers. For any other job (unreadable, or with a field of a type the codec keeps in the extension) it answers
 * null, and the codec takes the SDK's way, which also gives an unreadable job its reason.
 */
final class SidekiqEventWriter {
    private static final byte[] START = bytes("{\"specversion\":\"1.0\",\"id\":");
    private static final byte[] TYPE = bytes(",\"type\":");
    private static final byte[] CONTENT_TYPE = bytes(",\"datacontenttype\":\"application/json\"");
    private static final byte[] TIME = bytes(",\"time\":\"");
    private static final byte[] SCHEDULED = bytes(",\"scheduled\":\"");
    private static final byte[] SIDEKIQ = bytes(",\"sidekiq\":\"");
    private static final byte[] JOB_SYSTEM = bytes(",\"jobsystem\":\"sidekiq\"");
    private static final byte[] DIED = bytes(",\"died\":\"");
    private static final byte[] RETRY = bytes(",\"retry\":");
    private static final byte[] ATTEMPTS = bytes(",\"attempts\":");
    private static final byte[] DATA = bytes(",\"data\":{\"args\":");
    private static final byte[] END = bytes(",\"kwargs\":{}}}");

    /**
     * The mapper's parsers without their duplicate detection, which {@link FieldNames} does for less: every object
     * read here is either copied by {@link JsonBytes#copyValue} or the job itself, and both refuse a name twice.
     */
    private static final JsonFactory PARSERS = Json.MAPPER.getFactory().rebuild()
            .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** The last queue's text: a source task reads one queue, so it is made once, not per job. */
    private volatile QueueText last;

    /** A queue's name and source, and the JSON of their fields. */
    private record QueueText(String queue, String source, byte[] sourceField, byte[] queueField) {
        static QueueText of(String queue) {
            String source = Sources.of("sidekiq", queue).toString();
            return new QueueText(queue, source, new JsonBytes(64).ascii(",\"source\":").string(source).toByteArray(),
                    new JsonBytes(64).ascii(",\"queue\":").string(queue).toByteArray());
        }
    }

    /**
     * The buffers of one thread's jobs, reused: new ones per job were over a kilobyte of garbage per job, in a
     * process whose records in flight the collector copies (harness, 2026-12-08).
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        final FieldNames names = new FieldNames();
        final JsonBytes extras = new JsonBytes(256);
        final JsonBytes args = new JsonBytes(64);
        final JsonBytes out = new JsonBytes(512);
    }

    /** What the job holds besides its other fields, which are copied to {@link #extras}. */
    private static final class Job {
        final JsonBytes extras;
        final JsonBytes args;
        boolean hasArgs;
        boolean hasExtras;
        String jid;
        String type;
        String retry;
        int attempts;
        BigDecimal enqueuedAt;
        /** Read only when there is no enqueued_at: a BigDecimal per job for nothing cost more than the string. */
        String createdAt;
        BigDecimal at;

        Job(Scratch scratch) {
            extras = scratch.extras.reset();
            args = scratch.args.reset();
        }
    }

    /** The event of the job, or null when the job is not of the shapes above (the codec then takes the SDK's way). */
    WrittenEvent write(byte[] bytes, String queue, JobSet set, Optional<Instant> score) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        try {
            Scratch scratch = SCRATCH.get();
            Job job;
            try (JsonParser p = PARSERS.createParser(bytes)) {
                job = read(p, scratch);
            }
            return job == null ? null : write(job, scratch.out.reset(), queueText(queue), set, score);
        } catch (IOException | RuntimeException e) {
            return null; // the SDK's way says why, or takes what this does not
        }
    }

    private QueueText queueText(String queue) {
        QueueText text = last;
        if (text == null || !text.queue().equals(queue)) {
            text = QueueText.of(queue);
            last = text;
        }
        return text;
    }

    private static Job read(JsonParser p, Scratch scratch) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        Job job = new Job(scratch);
        FieldNames names = scratch.names.clear();
        job.extras.startObject();
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (!names.add(name)) {
                return null; // a duplicate: the mapper refuses the job, and says so
            }
            JsonToken value = p.nextToken();
            switch (name) {
                case "jid" -> {
                    if (value != JsonToken.VALUE_STRING || (job.jid = p.getText()).isEmpty()) {
                        return null;
                    }
                }
                case "class" -> {
                    if (value != JsonToken.VALUE_STRING || (job.type = p.getText()).isEmpty()) {
                        return null;
                    }
                }
                case "args" -> {
                    if (value != JsonToken.START_ARRAY) {
                        return null;
                    }
                    job.args.copyValue(p);
                    job.hasArgs = true;
                }
                case "queue" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    p.getTextCharacters(); // read, not skipped: the SDK's way refuses text that is no UTF-8
                }
                case "retry" -> {
                    if (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
                        job.retry = value == JsonToken.VALUE_TRUE ? "true" : "false";
                    } else if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                        job.retry = Integer.toString(p.getIntValue());
                    } else {
                        return null;
                    }
                }
                case "retry_count" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                            || p.getIntValue() < 0) {
                        return null;
                    }
                    // retry_count is 0 after the first failure: attempts counts the failures
                    job.attempts = p.getIntValue() + 1;
                }
                case "at" -> {
                    if (!value.isNumeric()) {
                        return null;
                    }
                    job.at = decimal(p);
                }
                default -> {
                    if (name.equals("enqueued_at") || name.equals("created_at")) {
                        if (!value.isNumeric()) {
                            return null;
                        }
                        if (name.equals("enqueued_at")) {
                            job.enqueuedAt = decimal(p);
                        } else {
                            job.createdAt = p.getText();
                        }
                    }
                    job.extras.name(name);
                    job.extras.copyValue(p);
                    job.hasExtras = true;
                }
            }
        }
        if (token != JsonToken.END_OBJECT || p.nextToken() != null) {
            return null;
        }
        job.extras.endObject();
        return job.jid == null || job.type == null || !job.hasArgs ? null : job;
    }

    private static WrittenEvent write(Job job, JsonBytes out, QueueText queue, JobSet set, Optional<Instant> score) {
        // the digits the parser read as a BigDecimal: new BigDecimal of the same text
        BigDecimal enqueued = job.enqueuedAt != null ? job.enqueuedAt
                : job.createdAt != null ? new BigDecimal(job.createdAt) : null;
        String time = enqueued == null ? null : Rfc3339.format(JobExtensions.instantOfSeconds(enqueued));
        // as the codec: the score, else the job's own "at" (read even for a dead job, so that both ways take the
        // same jobs); a dead job's score is when it died
        Optional<Instant> due = score.isPresent() || job.at == null ? score
                : Optional.of(JobExtensions.instantOfSeconds(job.at));
        String scheduled = set == JobSet.DEAD ? null : due.map(Rfc3339::format).orElse(null);
        String died = set == JobSet.DEAD ? score.map(Rfc3339::format).orElse(null) : null;
        String attempts = Integer.toString(job.attempts);

        String[] attributes = new String[26];
        int n = 0;
        out.raw(START).string(job.jid);
        n = attribute(attributes, n, "specversion", "1.0");
        n = attribute(attributes, n, "id", job.jid);
        out.raw(queue.sourceField()).raw(TYPE).string(job.type).raw(CONTENT_TYPE);
        n = attribute(attributes, n, "source", queue.source());
        n = attribute(attributes, n, "type", job.type);
        n = attribute(attributes, n, "datacontenttype", "application/json");
        if (time != null) {
            out.raw(TIME).ascii(time).ascii('"');
            n = attribute(attributes, n, "time", time);
        }
        // the extensions in the order the SDK's writer takes them: that of its HashMap (16 buckets) of them
        if (scheduled != null) {
            out.raw(SCHEDULED).ascii(scheduled).ascii('"');
            n = attribute(attributes, n, JobExtensions.SCHEDULED, scheduled);
        }
        if (job.hasExtras) {
            out.raw(SIDEKIQ).stringContent(job.extras).ascii('"');
            n = attribute(attributes, n, JobExtensions.SIDEKIQ, job.extras.text());
        }
        out.raw(JOB_SYSTEM);
        n = attribute(attributes, n, JobExtensions.JOB_SYSTEM, "sidekiq");
        if (died != null) {
            out.raw(DIED).ascii(died).ascii('"');
            n = attribute(attributes, n, JobExtensions.DIED, died);
        }
        out.raw(queue.queueField());
        n = attribute(attributes, n, JobExtensions.QUEUE, queue.queue());
        if (job.retry != null) {
            out.raw(RETRY).ascii(job.retry);
            n = attribute(attributes, n, JobExtensions.RETRY, job.retry);
        }
        out.raw(ATTEMPTS).ascii(attempts);
        n = attribute(attributes, n, JobExtensions.ATTEMPTS, attempts);
        out.raw(DATA).json(job.args).raw(END);
        return new WrittenEvent(job.jid, out.toByteArray(), attributes, n / 2);
    }

    private static int attribute(String[] attributes, int n, String name, String text) {
        attributes[n] = name;
        attributes[n + 1] = text;
        return n + 2;
    }

    /** A number as the tree reads it: a float with its own digits and scale, an integer exactly. */
    private static BigDecimal decimal(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDecimalValue();
        }
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? new BigDecimal(p.getBigIntegerValue())
                : BigDecimal.valueOf(p.getLongValue());
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }
}
