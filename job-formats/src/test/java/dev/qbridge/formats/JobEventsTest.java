package dev.qbridge.formats;

import static dev.qbridge.formats.Fixtures.string;
import static dev.qbridge.formats.Fixtures.tree;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.jackson.JsonFormat;
import org.junit.jupiter.api.Test;

class JobEventsTest {

    @Test
    void eventIsStructuredModeJsonWithTheDataAsJsonNotBase64() {
        CloudEvent event = JobEvents.parse("{\"type\": \"tasks.add\", \"args\": [1, 2], \"id\": \"j1\"}".getBytes(UTF_8));

        JsonNode json = tree(string(JobEvents.serialize(event)));

        assertThat(json.get("specversion").asText()).isEqualTo("1.0");
        assertThat(json.get("id").asText()).isEqualTo("j1");
        assertThat(json.get("type").asText()).isEqualTo("tasks.add");
        assertThat(json.get("source").asText()).isEqualTo("/qbridge/plain");
        assertThat(json.get("datacontenttype").asText()).isEqualTo("application/json");
        assertThat(json.get("data")).isEqualTo(tree("{\"args\": [1, 2], \"kwargs\": {}}"));
        assertThat(json.has("data_base64")).isFalse();
    }

    @Test
    void eventWrittenByTheSdkDefaultFormatIsReadBackEqual() {
        CloudEvent event = new SidekiqCodec().toEvent(Fixtures.bytes("sidekiq/push-with-fields.json"), "default");
        byte[] bySdk = new JsonFormat().serialize(event);

        CloudEvent parsed = JobEvents.parse(bySdk);

        assertThat(parsed.getId()).isEqualTo(event.getId());
        assertThat(parsed.getExtensionNames()).isEqualTo(event.getExtensionNames());
        assertThat(tree(string(JobEvents.serialize(parsed)))).isEqualTo(tree(string(JobEvents.serialize(event))));
    }

    @Test
    void numbersSurviveDigitForDigit() {
        String args = "[1796673940.1421893, 1.0, 1.50, 1E+20, 12345678901234567890, -0.000001, 7]";
        CloudEvent event = JobEvents.parse(("{\"type\": \"t\", \"args\": " + args + "}").getBytes(UTF_8));

        CloudEvent again = JobEvents.parse(JobEvents.serialize(event));

        assertThat(string(JobEvents.serialize(again)))
                .contains("\"args\":[1796673940.1421893,1.0,1.50,1E+20,12345678901234567890,-0.000001,7]");
    }

    @Test
    void plainBodyWithoutIdGetsAFreshOneAndKeepsItsKwargs() {
        byte[] body = "{\"type\": \"tasks.add\", \"args\": [1], \"kwargs\": {\"z\": 2}}".getBytes(UTF_8);

        CloudEvent first = JobEvents.parse(body);
        CloudEvent second = JobEvents.parse(body);

        assertThat(first.getId()).isNotBlank().isNotEqualTo(second.getId());
        assertThat(JobData.of(first).kwargs()).isEqualTo(tree("{\"z\": 2}"));
    }

    @Test
    void bodyThatIsNoJobSaysWhy() {
        assertReason("not json", "is not JSON");
        assertReason("", "is empty");
        assertReason("[1, 2]", "is a JSON array, not an object");
        assertReason("{\"args\": [1]}", "needs \"type\"");
        assertReason("{\"type\": \"t\", \"args\": {\"a\": 1}}", "needs \"args\", an array");
        assertReason("{\"type\": \"t\", \"args\": [], \"kwargs\": [1]}", "\"kwargs\" that is not an object");
        assertReason("{\"type\": \"t\", \"args\": [], \"queue\": \"q\"}", "field \"queue\" is not one of type, args, kwargs, id");
        assertReason("{\"type\": \"t\", \"args\": [], \"id\": 5}", "\"id\" that is not a non-empty string");
        assertReason("{\"specversion\": \"1.0\", \"type\": \"t\", \"source\": \"/x\"}", "not a CloudEvent");
        assertReason("{\"type\": \"t\", \"args\": [1]} trailing", "is not JSON");
    }

    @Test
    void eventWhoseDataIsNoJobIsRefusedByTheCodecWithTheReason() {
        CloudEvent event = JobEvents.parse(("{\"specversion\": \"1.0\", \"id\": \"e1\", \"type\": \"t\", \"source\": \"/x\","
                + " \"datacontenttype\": \"application/json\", \"data\": {\"amount\": 5}}").getBytes(UTF_8));

        assertThatThrownBy(() -> new SidekiqCodec().toNative(event, "default"))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("event e1").hasMessageContaining("no \"args\" array");
    }

    private static void assertReason(String body, String reason) {
        assertThatThrownBy(() -> JobEvents.parse(body.getBytes(UTF_8)))
                .as(body)
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining(reason);
    }
}
