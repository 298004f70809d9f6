package dev.qbridge.formats;

import static dev.qbridge.formats.Fixtures.string;
import static dev.qbridge.formats.Fixtures.tree;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** On jobs written by Sidekiq 6.4.1's client and worker (see {@link Fixtures}). */
class SidekiqCodecTest {
    private final SidekiqCodec codec = new SidekiqCodec();

    @Test
    void performAsyncJobBecomesAnEventOfItsJidClassArgsAndEnqueueTime() {
        CloudEvent event = codec.toEvent(Fixtures.bytes("sidekiq/perform-async.json"), "default");

        assertThat(event.getId()).isEqualTo("6b98afa0037ad29370021c04");
        assertThat(event.getType()).isEqualTo("AddWorker");
        assertThat(event.getSource()).isEqualTo(URI.create("/sidekiq/queues/default"));
        assertThat(event.getTime()).isEqualTo(OffsetDateTime.parse("2026-12-07T20:26:59.0095787Z"));
        assertThat(event.getDataContentType()).isEqualTo("application/json");
        assertThat(JobData.of(event).args()).isEqualTo(tree("[1, 2]"));
        assertThat(JobData.of(event).kwargs()).isEmpty();
        assertThat(event.getExtension("jobsystem")).isEqualTo("sidekiq");
        assertThat(event.getExtension("queue")).isEqualTo("default");
        assertThat(event.getExtension("retry")).isEqualTo(true);
        assertThat(event.getExtension("attempts")).isEqualTo(0);
        assertThat(tree(string(event.getExtension("sidekiq").toString().getBytes(UTF_8))))
                .isEqualTo(tree("{\"created_at\": 1796675219.009429, \"enqueued_at\": 1796675219.0095787}"));
    }

    @Test
    void performAsyncJobComesBackByteForByte() {
        byte[] original = Fixtures.bytes("sidekiq/perform-async.json");

        NativeJob written = codec.toNative(throughTheWire(codec.toEvent(original, "default")), "default");

        assertThat(string(written.bytes())).isEqualTo(string(original));
        assertThat(written.at()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"perform-async", "set-queue-retry", "push-with-fields"})
    void readyJobComesBackFieldForField(String fixture) {
        byte[] original = Fixtures.bytes("sidekiq/" + fixture + ".json");
        String queue = tree(original).get("queue").asText();

        NativeJob written = codec.toNative(throughTheWire(codec.toEvent(original, queue)), queue);

        assertThat(tree(written.bytes())).isEqualTo(tree(original));
    }

    @Test
    void scheduledJobKeepsItsTimeAsTheScoreAndGetsNoEnqueuedAt() {
        byte[] original = Fixtures.bytes("sidekiq/perform-in.json");
        Instant due = Fixtures.score("sidekiq/perform-in.score");

        CloudEvent event = codec.toEvent(original, "default", JobSet.SCHEDULED, Optional.of(due));
        NativeJob written = codec.toNative(throughTheWire(event), "default");

        assertThat(event.getExtension("scheduled")).isEqualTo(due.atOffset(ZoneOffset.UTC));
        assertThat(event.getTime()).as("created_at: it was never enqueued").isEqualTo(OffsetDateTime.parse("2026-12-07T20:26:59.010593Z"));
        assertThat(tree(written.bytes())).isEqualTo(tree(original));
        assertThat(tree(written.bytes()).has("at")).isFalse();
        assertThat(JobExtensions.scoreOf(written.at().orElseThrow()))
                .isEqualTo(Double.parseDouble(Fixtures.text("sidekiq/perform-in.score")));
    }

    @Test
    void retryJobKeepsItsAttemptsErrorAndDueTime() {
        byte[] original = Fixtures.bytes("sidekiq/retry.json");
        Instant due = Fixtures.score("sidekiq/retry.score");

        CloudEvent event = codec.toEvent(original, "default", JobSet.RETRY, Optional.of(due));
        NativeJob written = codec.toNative(throughTheWire(event), "default");

        assertThat(event.getExtension("attempts")).as("retry_count 0: failed once").isEqualTo(1);
        assertThat(event.getExtension("sidekiq").toString()).contains("\"error_message\":", "\"error_backtrace\":");
        assertThat(tree(written.bytes())).isEqualTo(tree(original));
        assertThat(JobExtensions.scoreOf(written.at().orElseThrow()))
                .isEqualTo(Double.parseDouble(Fixtures.text("sidekiq/retry.score")));
    }

    @Test
    void deadJobKeepsItsTimeOfDeath() {
        byte[] original = Fixtures.bytes("sidekiq/dead.json");
        Instant died = Fixtures.score("sidekiq/dead.score");

        CloudEvent event = codec.toEvent(original, "default", JobSet.DEAD, Optional.of(died));
        NativeJob written = codec.toNative(throughTheWire(event), "default");

        assertThat(event.getExtension("died")).isEqualTo(died.atOffset(ZoneOffset.UTC));
        assertThat(event.getExtension("scheduled")).isNull();
        assertThat(event.getExtension("retry")).isEqualTo(0);
        assertThat(tree(written.bytes())).isEqualTo(tree(original));
        assertThat(written.at()).contains(died);
    }

    @Test
    void celeryTaskBecomesWhatSidekiqsClientWritesWithKwargsAsATrailingHash() {
        CloudEvent celery = new CeleryCodec().toEvent(Fixtures.bytes("celery/kwargs-priority.json"), "other");
        double before = Instant.now().getEpochSecond();

        ObjectNode job = tree(new SidekiqCodec().toNative(throughTheWire(celery), "default").bytes());

        assertThat(job.get("class").asText()).isEqualTo("tasks.add");
        assertThat(job.get("jid").asText()).isEqualTo("6deb46a3-7b82-4a72-8d2a-8c2f4086b05d");
        assertThat(job.get("queue").asText()).isEqualTo("default");
        assertThat(job.get("retry").booleanValue()).isTrue();
        assertThat(job.get("args")).isEqualTo(tree("[\"x\", {\"k\": 1.5, \"n\": null, \"big\": 12345678901234567890},"
                + " \"\\u00e9 \\u00fcn\\u00efcode\", 1.0, {\"z\": 1796673940.1421893, \"flag\": true}]"));
        assertThat(job.get("created_at").isFloatingPointNumber()).isTrue();
        assertThat(job.get("created_at").doubleValue()).isGreaterThanOrEqualTo(before);
        assertThat(job.get("enqueued_at").doubleValue()).isGreaterThanOrEqualTo(job.get("created_at").doubleValue());
        assertThat(job.has("retry_count")).isFalse();
        assertThat(job.size()).as("no field Sidekiq's client would not write: " + job).isEqualTo(7);
    }

    @Test
    void plainBodyBecomesAJobAsTheClientPushesIt() {
        CloudEvent plain = JobEvents.parse("{\"type\": \"HardWorker\", \"args\": [\"a\", 2], \"id\": \"abc\"}".getBytes(UTF_8));

        ObjectNode job = tree(codec.toNative(plain, "mailers").bytes());

        assertThat(job.fieldNames()).toIterable()
                .containsExactly("retry", "queue", "args", "class", "jid", "created_at", "enqueued_at");
        assertThat(job.get("queue").asText()).isEqualTo("mailers");
        assertThat(job.get("jid").asText()).isEqualTo("abc");
    }

    @Test
    void jobThatCannotBeReadSaysWhy() {
        assertReason("{\"class\": \"A\", \"args\": [", "is not JSON");
        assertReason("{\"class\": \"A\", \"args\": []}", "has no \"jid\" string (class A)");
        assertReason("{\"jid\": \"j\", \"args\": []}", "has no \"class\" string");
        assertReason("{\"jid\": \"j\", \"class\": \"A\", \"args\": \"1,2\"}", "(jid j) has no \"args\" array");
        assertReason("{\"jid\": \"j\", \"class\": \"A\", \"args\": [], \"enqueued_at\": \"today\"}",
                "has \"enqueued_at\" \"today\", not Unix seconds");
    }

    private void assertReason(String job, String reason) {
        assertThatThrownBy(() -> codec.toEvent(job.getBytes(UTF_8), "default"))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("Sidekiq job in ready of queue default")
                .hasMessageContaining(reason);
    }

    /** What a file or a Kafka topic in between does to the event. */
    static CloudEvent throughTheWire(CloudEvent event) {
        return JobEvents.parse(JobEvents.serialize(event));
    }
}
