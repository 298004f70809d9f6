package dev.qbridge.formats;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streamed event of a Sidekiq job is the SDK's: the same bytes and attributes as {@link SidekiqCodec#toEvent}
 * written by {@link JobEvents#serialize}, for Sidekiq's own jobs and for thousands of varied ones; and a job it does
 * not take goes the SDK's way, to the same event or the same reason.
 */
class SidekiqEventWriterTest {
    private static final String[] FIXTURES = {"perform-async", "set-queue-retry", "push-with-fields", "perform-in", "retry", "dead"};
    private static final Optional<Instant> SCORE = Optional.of(Instant.parse("2026-12-07T20:27:00Z"));
    private static final Optional<Instant> FINE_SCORE = Optional.of(Instant.ofEpochSecond(1796675222L, 813_305_900));

    private final SidekiqCodec codec = new SidekiqCodec();
    private final SidekiqEventWriter writer = new SidekiqEventWriter();

    @Test
    void sidekiqsOwnJobsAreStreamedToTheSdksBytesInEverySet() {
        for (String fixture : FIXTURES) {
            byte[] job = Fixtures.bytes("sidekiq/" + fixture + ".json");
            for (JobSet set : JobSet.values()) {
                for (Optional<Instant> score : List.of(Optional.<Instant>empty(), SCORE, FINE_SCORE)) {
                    assertThat(writer.write(job, "default", set, score)).as(fixture + " streamed").isNotNull();
                    assertSameAsTheSdk(job, "default", set, score);
                }
            }
        }
    }

    @Test
    void variedJobsAreStreamedToTheSdksBytes() {
        Random random = new Random(13);
        int streamed = 0;
        for (int i = 0; i < 3000; i++) {
            String job = new JobMaker(random).job();
            String queue = random.nextInt(10) == 0 ? "crit ical/é" : "default";
            JobSet set = JobSet.values()[random.nextInt(JobSet.values().length)];
            Optional<Instant> score = random.nextBoolean() ? Optional.empty()
                    : Optional.of(Instant.ofEpochSecond(1_796_000_000L + random.nextInt(10_000_000), random.nextInt(1_000_000_000)));
            if (writer.write(job.getBytes(UTF_8), queue, set, score) != null) {
                streamed++;
            }
            assertSameAsTheSdk(job.getBytes(UTF_8), queue, set, score);
        }
        assertThat(streamed).as("most varied jobs have Sidekiq's shapes").isGreaterThan(1500);
    }

    @Test
    void jobsOfOtherShapesGoTheSdksWayToTheSameEventOrReason() {
        List<String> jobs = List.of(
                "",
                "[]",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": []",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": []} {}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": []} x",
                "{\"jid\": \"j\", \"jid\": \"k\", \"class\": \"A\", \"args\": []}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [{\"a\": 1, \"a\": 2}]}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"custom\": {\"a\": 1, \"b\": {\"a\": 2}, \"a\": 3}}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [[{\"x\": 1, \"y\": [{\"x\": 2}], \"x\": 3}]]}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"tags\": 1, \"tags\": 2}",
                manyNames(40, true),
                "{\"class\": \"A\", \"args\": []}",
                "{\"jid\": \"\", \"class\": \"A\", \"args\": []}",
                "{\"jid\": 5, \"class\": {\"x\": 1}, \"args\": []}",
                "{\"jid\": \"j\", \"args\": []}",
                "{\"jid\": \"j\", \"class\": \"A\"}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": \"1,2\"}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"enqueued_at\": \"today\"}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"enqueued_at\": null, \"created_at\": 1796675219.5}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"enqueued_at\": 1796675219.5, \"created_at\": \"x\"}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"enqueued_at\": 1e30}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"enqueued_at\": 123456789012345678901234567890}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"at\": \"soon\"}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"at\": null}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"at\": 1e30}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"retry\": 5.0, \"x\": 1}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"retry\": \"5\", \"retry_count\": \"1\", \"x\": 1}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"retry\": 12345678901, \"retry_count\": -1}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"retry\": null, \"retry_count\": null}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"retry_count\": 2147483647}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"queue\": [\"odd\"]}",
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"queue\": \"\\ud800\"}");
        for (String job : jobs) {
            for (JobSet set : JobSet.values()) {
                assertSameAsTheSdk(job.getBytes(UTF_8), "default", set, Optional.empty());
                assertSameAsTheSdk(job.getBytes(UTF_8), "default", set, SCORE);
            }
        }
    }

    @Test
    void namesThatRepeatOnlyAcrossObjectsAreNoDuplicates() {
        List<String> jobs = List.of(
                "{\"jid\": \"j\", \"class\": \"A\", \"args\": [{\"a\": 1}, {\"a\": 2}, {\"b\": {\"a\": 3, \"b\": 4}}],"
                        + " \"a\": {\"a\": {\"a\": 1}}, \"jid2\": {\"jid\": \"k\"}}",
                manyNames(40, false));
        for (String job : jobs) {
            assertThat(writer.write(job.getBytes(UTF_8), "default", JobSet.READY, Optional.empty())).as(job).isNotNull();
            assertSameAsTheSdk(job.getBytes(UTF_8), "default", JobSet.READY, Optional.empty());
        }
    }

    /** A job and an argument with {@code count} fields each, the last one a repeat of the first when asked. */
    private static String manyNames(int count, boolean repeatLast) {
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            fields.add("\"f" + (repeatLast && i == count - 1 ? 0 : i) + "\": " + i);
        }
        String object = String.join(", ", fields);
        return "{\"jid\": \"j\", \"class\": \"A\", \"args\": [{" + object + "}], " + object + "}";
    }

    @Test
    void bytesThatAreNoUtf8GoTheSdksWayToTheSameReason() {
        byte[] job = "{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"queue\": \"\u00ff\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

        assertThat(writer.write(job, "default", JobSet.READY, Optional.empty())).isNull();
        assertSameAsTheSdk(job, "default", JobSet.READY, Optional.empty());
    }

    private void assertSameAsTheSdk(byte[] job, String queue, JobSet set, Optional<Instant> score) {
        String what = new String(job, UTF_8) + " in " + set + " of " + queue + " at " + score;
        WrittenEvent expected;
        try {
            expected = WrittenEvent.of(codec.toEvent(job, queue, set, score));
        } catch (RuntimeException sdkFailure) {
            try {
                codec.write(job, queue, set, score);
            } catch (RuntimeException failure) {
                assertThat(failure).as(what).hasSameClassAs(sdkFailure).hasMessage(sdkFailure.getMessage());
                return;
            }
            throw new AssertionError(what + ": the SDK's way fails (" + sdkFailure + ") but the codec wrote it");
        }
        WrittenEvent written = codec.write(job, queue, set, score);
        assertThat(new String(written.json(), UTF_8)).as(what).isEqualTo(new String(expected.json(), UTF_8));
        assertThat(written.json()).as(what).isEqualTo(expected.json());
        assertThat(written.id()).as(what).isEqualTo(expected.id());
        assertThat(attributes(written)).as(what).isEqualTo(attributes(expected));
    }

    private static List<String> attributes(WrittenEvent event) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < event.attributeCount(); i++) {
            all.add(event.attributeName(i) + "=" + event.attributeText(i));
        }
        return all;
    }

    /** Jobs shaped like Sidekiq's, with odd values where a job may hold them. */
    private record JobMaker(Random random) {
        String job() {
            List<String> fields = new ArrayList<>();
            fields.add("\"jid\": " + (random.nextInt(50) == 0 ? "7" : string(true)));
            fields.add("\"class\": " + (random.nextInt(50) == 0 ? "\"\"" : string(true)));
            fields.add("\"args\": " + (random.nextInt(50) == 0 ? "{}" : array(0)));
            fields.add("\"queue\": " + string(false));
            switch (random.nextInt(8)) {
                case 0 -> fields.add("\"retry\": " + random.nextInt(30));
                case 1 -> fields.add("\"retry\": false");
                case 2 -> fields.add("\"retry\": " + number());
                case 3 -> { }
                default -> fields.add("\"retry\": true");
            }
            switch (random.nextInt(6)) {
                case 0 -> fields.add("\"retry_count\": " + random.nextInt(25));
                case 1 -> fields.add("\"retry_count\": " + number());
                default -> { }
            }
            if (random.nextInt(10) == 0) {
                fields.add("\"at\": " + seconds());
            }
            if (random.nextInt(10) != 0) {
                fields.add("\"created_at\": " + seconds());
            }
            if (random.nextInt(5) != 0) {
                fields.add("\"enqueued_at\": " + (random.nextInt(40) == 0 ? "null" : seconds()));
            }
            for (int i = random.nextInt(4); i > 0; i--) {
                fields.add(string(false) + ": " + value(1));
            }
            if (random.nextInt(3) == 0) {
                fields.add("\"error_message\": " + string(false));
                fields.add("\"failed_at\": " + seconds());
                fields.add("\"error_backtrace\": " + string(false));
            }
            Collections.shuffle(fields, random);
            String space = random.nextBoolean() ? " " : "";
            return "{" + space + String.join("," + space, fields) + space + "}";
        }

        private String seconds() {
            return switch (random.nextInt(5)) {
                case 0 -> Long.toString(1_796_675_219L + random.nextInt(1000));
                case 1 -> Long.toString(1_796_675_219_000L + random.nextInt(1000)); // milliseconds, as Sidekiq 7 writes
                case 2 -> "1796675219." + random.nextInt(10);
                default -> String.format(Locale.ROOT, "%d.%07d", 1_796_675_219L + random.nextInt(1000), random.nextInt(10_000_000));
            };
        }

        private String value(int depth) {
            return switch (random.nextInt(depth > 3 ? 4 : 7)) {
                case 0 -> string(false);
                case 1 -> number();
                case 2 -> List.of("true", "false", "null").get(random.nextInt(3));
                case 3 -> string(false);
                case 4, 5 -> array(depth + 1);
                default -> object(depth + 1);
            };
        }

        private String array(int depth) {
            List<String> items = new ArrayList<>();
            for (int i = random.nextInt(5); i > 0; i--) {
                items.add(value(depth));
            }
            return "[" + String.join(random.nextBoolean() ? ", " : ",", items) + "]";
        }

        private String object(int depth) {
            List<String> items = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                items.add("\"k" + i + "\"" + (random.nextBoolean() ? ": " : ":") + value(depth));
            }
            return "{" + String.join(", ", items) + "}";
        }

        private String number() {
            return List.of("0", "-0", "1.0", "1.50", "0.00", "-0.0", "1e5", "1E-7", "2.5e+3", "12345678901234567890",
                    "-9223372036854775809", "2147483648", "-2147483649", "9007199254740993", "1796673940.1421893",
                    "3.141592653589793238462643383279", "-17", "5.0", "-1").get(random.nextInt(19));
        }

        private String string(boolean plain) {
            if (plain) {
                return "\"" + Long.toHexString(random.nextLong()) + "\"";
            }
            return List.of("\"order\"", "\"\"", "\"caf\u00e9 \u00fcn\u00efcode\"", "\"\\u00e9\\u00fc\"", "\"emoji \ud83d\ude00\"",
                    "\"\\ud83d\\ude00\"", "\"tab\\there \\\"quoted\\\" back\\\\slash\"", "\"nul \\u0000 bell \\u0007 del \u007f\"",
                    "\"line\\nbreak\\r\\n\"", "\"slash \\/ solidus\"", "\"\u2028 separators \u2029\"", "\"\u4e2d\u6587\"",
                    "\"" + "long ".repeat(60) + "\"").get(random.nextInt(13));
        }
    }
}
