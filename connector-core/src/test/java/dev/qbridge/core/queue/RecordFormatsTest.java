package dev.qbridge.core.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordFormatsTest {

    @Test
    void leaseMemberKeepsPayloadBytesThatContainColons() {
        byte[] lease = "17:2:5.5:a:b:\u0000c".getBytes(StandardCharsets.UTF_8);
        Delivery d = Delivery.parse("q", lease, 0);
        assertThat(d.id()).isEqualTo(17);
        assertThat(d.attempt()).isEqualTo(2);
        assertThat(d.score()).contains("5.5");
        assertThat(d.payloadAsString()).isEqualTo("a:b:\u0000c");
    }

    @Test
    void listLeaseHasNoScore() {
        Delivery d = Delivery.parse("q", "1:1::{}".getBytes(StandardCharsets.UTF_8), 0);
        assertThat(d.score()).isEmpty();
        assertThat(d.payloadAsString()).isEqualTo("{}");
    }

    @Test
    void deadLetterKeepsReasonAndPayload() {
        String reason = "HTTP 400: bad: request";
        byte[] entry = ("9:3::1700000000000:" + reason.getBytes(StandardCharsets.UTF_8).length + ":" + reason + "x:y")
                .getBytes(StandardCharsets.UTF_8);
        DeadLetter dead = DeadLetter.parse(entry);
        assertThat(dead.id()).isEqualTo(9);
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.failedAtMillis()).isEqualTo(1_700_000_000_000L);
        assertThat(dead.reason()).isEqualTo(reason);
        assertThat(dead.payloadAsString()).isEqualTo("x:y");
    }

    @Test
    void jsonFormatAcceptsOneValueAndExplainsRejections() {
        assertThat(PayloadFormat.JSON.violation("{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(PayloadFormat.JSON.violation("42".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(PayloadFormat.JSON.violation("{\"a\":".getBytes(StandardCharsets.UTF_8))).get().asString()
                .startsWith("payload is not valid JSON");
        assertThat(PayloadFormat.JSON.violation("{} {}".getBytes(StandardCharsets.UTF_8))).get().asString()
                .contains("after the first value");
        assertThat(PayloadFormat.JSON.violation(new byte[0])).get().asString().contains("empty");
        assertThat(PayloadFormat.RAW.violation(new byte[] {(byte) 0xff})).isEmpty();
    }
}
