package dev.qbridge.formats;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The CloudEvents extension attributes of a job (docs/systems.md has the table). Names follow the spec: lowercase
 * a-z0-9, at most 20 characters. After a trip through JSON a timestamp comes back as a string and a number as
 * whatever the parser made of it, so the readers here accept both.
 */
public final class JobExtensions {
    /** The queue the job was read from, the system's own name for it. */
    public static final String QUEUE = "queue";
    /** The job system: {@code sidekiq}, {@code celery}, {@code rq}, {@code bullmq}. */
    public static final String JOB_SYSTEM = "jobsystem";
    /** Sidekiq's retry policy: {@code true}, {@code false} or the number of retries. */
    public static final String RETRY = "retry";
    /** Failed runs so far: Sidekiq's {@code retry_count} + 1 (none: 0), Celery's {@code retries}, RQ 2's {@code number_of_retries}, BullMQ's {@code atm}. */
    public static final String ATTEMPTS = "attempts";
    /** When the job is due (RFC 3339): Sidekiq's schedule or retry score, Celery's {@code eta}, RQ's scheduled score. */
    public static final String SCHEDULED = "scheduled";
    /** When the job died (RFC 3339): the score of Sidekiq's {@code dead} set, RQ's {@code ended_at} of a failed job. */
    public static final String DIED = "died";
    /** After when the job must not run (RFC 3339): Celery's {@code expires}. */
    public static final String EXPIRES = "expires";
    /** The job's priority in its system: Celery's {@code priority}, BullMQ's {@code priority} when above 0. */
    public static final String PRIORITY = "priority";
    /** Sidekiq's remaining native fields, a JSON object string. */
    public static final String SIDEKIQ = "sidekiq";
    /** Celery's remaining native fields (headers, properties, the body's embed), a JSON object string. */
    public static final String CELERY = "celery";
    /** RQ's remaining hash fields, meta, and the marks of tuples and bytes, a JSON object string. */
    public static final String RQ = "rq";
    /** BullMQ's job options and remaining hash fields, a JSON object string. */
    public static final String BULLMQ = "bullmq";
    /**
     * The extensions that hold a system's own remaining fields (one per system): they travel in the event, and paths
     * that copy attributes elsewhere (Kafka's ce_* headers) leave them out.
     */
    public static final Set<String> NATIVE_FIELDS = Set.of(SIDEKIQ, CELERY, RQ, BULLMQ);

    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

    private JobExtensions() {
    }

    static Optional<String> string(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        return value == null ? Optional.empty() : Optional.of(value.toString());
    }

    /**
     * A system's own-fields extension ({@link #NATIVE_FIELDS}) read as the JSON object it holds; an empty object when
     * the event has none.
     *
     * @throws UnreadableJobException when it holds no JSON object
     */
    static ObjectNode object(CloudEvent event, String name) {
        Optional<String> text = string(event, name);
        if (text.isEmpty()) {
            return Json.newObject();
        }
        return Json.object(text.get().getBytes(StandardCharsets.UTF_8), "extension " + name + " of event " + event.getId());
    }

    static Optional<Instant> time(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof OffsetDateTime time) {
            return Optional.of(time.toInstant());
        }
        try {
            return Optional.of(OffsetDateTime.parse(value.toString()).toInstant());
        } catch (DateTimeParseException e) {
            throw new UnreadableJobException("event " + event.getId() + ": extension " + name + " is '" + value
                    + "', not an RFC 3339 time", e);
        }
    }

    static OptionalInt integer(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        if (value == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(value instanceof Number number ? new BigDecimal(number.toString()).intValueExact()
                    : Integer.parseInt(value.toString()));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new UnreadableJobException("event " + event.getId() + ": extension " + name + " is '" + value
                    + "', not an integer", e);
        }
    }

    /** Unix seconds as written by Ruby or Python ({@code 1796673940.1421893}) to an exact instant. */
    static Instant instantOfSeconds(BigDecimal seconds) {
        // nanoseconds by moving the point (no division: a divideAndRemainder per job was the codec's largest cost)
        BigDecimal nanos = seconds.movePointRight(9).setScale(0, RoundingMode.HALF_EVEN);
        if (nanos.unscaledValue().bitLength() < 63) {
            long n = nanos.longValue();
            return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
        }
        BigDecimal[] parts = nanos.divideAndRemainder(NANOS_PER_SECOND); // past the year 2262: no long holds the nanos
        return Instant.ofEpochSecond(parts[0].longValueExact(), parts[1].longValue());
    }

    /** An instant as Unix seconds with no more digits than it needs ({@code 1796673940.1421893}). */
    static BigDecimal secondsOf(Instant instant) {
        BigDecimal seconds = BigDecimal.valueOf(instant.getEpochSecond())
                .add(BigDecimal.valueOf(instant.getNano()).divide(NANOS_PER_SECOND));
        seconds = seconds.stripTrailingZeros();
        return seconds.scale() < 1 ? seconds.setScale(1) : seconds;
    }

    /** A sorted-set score in seconds (Sidekiq's) as the instant it stands for; exact for the scores Ruby writes. */
    public static Instant instantOfScore(double score) {
        return instantOfSeconds(new BigDecimal(Double.toString(score)));
    }

    /** The sorted-set score in seconds (Sidekiq's) of an instant. */
    public static double scoreOf(Instant instant) {
        return secondsOf(instant).doubleValue();
    }

    static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
