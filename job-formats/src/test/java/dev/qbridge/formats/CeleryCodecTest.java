package dev.qbridge.formats;

import static dev.qbridge.formats.Fixtures.string;
import static dev.qbridge.formats.Fixtures.tree;
import static dev.qbridge.formats.SidekiqCodecTest.throughTheWire;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** On messages written by Celery 5.2.6 / kombu 5.2.4 (see {@link Fixtures}). */
class CeleryCodecTest {
    private final CeleryCodec codec = new CeleryCodec();

    @Test
    void taskBecomesAnEventOfItsIdNameArgsAndKwargs() {
        CloudEvent event = codec.toEvent(Fixtures.bytes("celery/kwargs-priority.json"), "other");

        assertThat(event.getId()).isEqualTo("6deb46a3-7b82-4a72-8d2a-8c2f4086b05d");
        assertThat(event.getType()).isEqualTo("tasks.add");
        assertThat(event.getSource()).isEqualTo(URI.create("/celery/queues/other"));
        assertThat(event.getTime()).as("Celery keeps no enqueue time").isNull();
        assertThat(JobData.of(event).args()).isEqualTo(tree(
                "[\"x\", {\"k\": 1.5, \"n\": null, \"big\": 12345678901234567890}, \"\\u00e9 \\u00fcn\\u00efcode\", 1.0]"));
        assertThat(JobData.of(event).kwargs()).isEqualTo(tree("{\"z\": 1796673940.1421893, \"flag\": true}"));
        assertThat(event.getExtension("jobsystem")).isEqualTo("celery");
        assertThat(event.getExtension("queue")).isEqualTo("other");
        assertThat(event.getExtension("priority")).isEqualTo(3);
        assertThat(event.getExtension("attempts")).isEqualTo(0);
        assertThat(event.getExtension("scheduled")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"delay", "kwargs-priority", "countdown-expires", "chain"})
    void taskComesBackByteForByteButForAFreshDeliveryTag(String fixture) {
        byte[] original = Fixtures.bytes("celery/" + fixture + ".json");
        String queue = tree(original).at("/properties/delivery_info/routing_key").asText();

        NativeJob written = codec.toNative(throughTheWire(codec.toEvent(original, queue)), queue);

        String originalTag = tree(original).at("/properties/delivery_tag").asText();
        String writtenTag = tree(written.bytes()).at("/properties/delivery_tag").asText();
        assertThat(UUID.fromString(writtenTag)).isNotEqualTo(UUID.fromString(originalTag));
        assertThat(string(written.bytes()).replace(writtenTag, originalTag)).isEqualTo(string(original));
        assertThat(written.priority()).hasValue(tree(original).at("/properties/priority").intValue());
        assertThat(written.at()).as("Celery keeps its eta in the message").isEmpty();
    }

    @Test
    void retriedTaskKeepsItsRetriesEtaParentAndKombusOwnFields() {
        byte[] original = Fixtures.bytes("celery/retried.json");

        CloudEvent event = codec.toEvent(original, "flaky");
        NativeJob written = codec.toNative(throughTheWire(event), "flaky");

        assertThat(event.getExtension("attempts")).isEqualTo(1);
        assertThat(event.getExtension("scheduled")).isEqualTo(OffsetDateTime.parse("2026-12-07T21:27:35.295478+00:00"));
        ObjectNode expected = tree(original);
        ObjectNode actual = tree(written.bytes());
        ((ObjectNode) expected.get("properties")).remove("delivery_tag");
        ((ObjectNode) actual.get("properties")).remove("delivery_tag");
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void etaAndExpiresBecomeTimesAndComeBackAsPythonWritesThem() {
        CloudEvent event = codec.toEvent(Fixtures.bytes("celery/countdown-expires.json"), "celery");

        assertThat(event.getExtension("scheduled")).isEqualTo(OffsetDateTime.parse("2026-12-07T21:27:27.573117+00:00"));
        assertThat(event.getExtension("expires")).isEqualTo(OffsetDateTime.parse("2026-12-07T22:27:27.573117+00:00"));
        assertThat(CeleryCodec.pythonIso(OffsetDateTime.parse("2026-12-07T21:27:27Z"))).isEqualTo("2026-12-07T21:27:27+00:00");
    }

    @Test
    void sidekiqJobBecomesWhatCelerysClientWrites() {
        CloudEvent sidekiq = new SidekiqCodec().toEvent(Fixtures.bytes("sidekiq/set-queue-retry.json"), "critical");

        NativeJob written = codec.toNative(throughTheWire(sidekiq), "celery");
        ObjectNode message = tree(written.bytes());

        assertThat(message.fieldNames()).toIterable()
                .containsExactly("body", "content-encoding", "content-type", "headers", "properties");
        assertThat(message.get("headers").fieldNames()).toIterable().containsExactly("lang", "task", "id", "shadow",
                "eta", "expires", "group", "group_index", "retries", "timelimit", "root_id", "parent_id", "argsrepr",
                "kwargsrepr", "origin", "ignore_result");
        assertThat(message.at("/headers/task").asText()).isEqualTo("AddWorker");
        assertThat(message.at("/headers/id").asText()).isEqualTo("05999a1d39946e11c07faf3e");
        assertThat(message.at("/headers/root_id").asText()).isEqualTo("05999a1d39946e11c07faf3e");
        assertThat(message.at("/headers/retries").intValue()).isZero();
        assertThat(message.at("/headers/argsrepr").asText())
                .isEqualTo("('x', {'k': 1.5, 'n': None, 'big': 12345678901234567890}, 'é ünïcode', 1.0)");
        assertThat(message.at("/properties/delivery_info")).isEqualTo(tree("{\"exchange\": \"\", \"routing_key\": \"celery\"}"));
        assertThat(message.at("/properties/body_encoding").asText()).isEqualTo("base64");
        assertThat(UUID.fromString(message.at("/properties/delivery_tag").asText())).isNotNull();
        String body = new String(Base64.getDecoder().decode(message.get("body").asText()), UTF_8);
        assertThat(body).isEqualTo("[[\"x\", {\"k\": 1.5, \"n\": null, \"big\": 12345678901234567890}, "
                + "\"\\u00e9 \\u00fcn\\u00efcode\", 1.0], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, "
                + "\"chord\": null}]");
        assertThat(written.priority()).hasValue(0);
    }

    @Test
    void messageThatCannotBeReadSaysWhy() {
        assertReason("{\"body\": \"x\"", "is not JSON");
        assertReason("{\"body\": \"eyJ0YXNrIjogInQifQ==\", \"content-type\": \"application/json\"}",
                "not a Celery protocol 2 message");
        String headers = "\"headers\": {\"task\": \"tasks.add\", \"id\": \"i1\"}";
        assertReason("{\"body\": \"gAR9\", \"content-type\": \"application/x-python-serialize\", " + headers
                + ", \"properties\": {\"body_encoding\": \"base64\"}}", "content-type 'application/x-python-serialize'");
        assertReason("{\"body\": \"%%%\", \"content-type\": \"application/json\", " + headers
                + ", \"properties\": {\"body_encoding\": \"base64\"}}", "(task tasks.add, id i1) has a body that is not base64");
        assertReason("{\"body\": \"WzEsIDJd\", \"content-type\": \"application/json\", " + headers
                + ", \"properties\": {\"body_encoding\": \"base64\"}}", "is not [args, kwargs, embed]: [1,2]");
    }

    private void assertReason(String message, String reason) {
        assertThatThrownBy(() -> codec.toEvent(message.getBytes(UTF_8), "celery"))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("Celery message in queue celery")
                .hasMessageContaining(reason);
    }
}
