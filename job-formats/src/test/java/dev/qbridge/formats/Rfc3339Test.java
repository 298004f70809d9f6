package dev.qbridge.formats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written time text is the SDK's, which is {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} in UTC. */
class Rfc3339Test {

    @Test
    void timeIsWrittenAsTheSdkWritesIt() {
        List<Instant> edges = List.of(Instant.EPOCH, Instant.parse("2026-12-07T20:27:00Z"),
                Instant.parse("2026-12-07T20:26:59.0095787Z"), Instant.parse("2026-12-07T20:26:59.100Z"),
                Instant.parse("2026-12-07T20:26:59.000000001Z"), Instant.parse("2024-02-29T23:59:59.999999999Z"),
                Instant.parse("2000-02-29T00:00:00Z"), Instant.parse("1900-03-01T00:00:00Z"),
                Instant.parse("1969-12-31T23:59:59.5Z"), Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-12-31T23:59:59Z"), Instant.ofEpochSecond(-62_167_219_201L));
        for (Instant instant : edges) {
            assertThat(Rfc3339.format(instant)).as(instant.toString()).isEqualTo(iso(instant));
        }
        Random random = new Random(3339);
        for (int i = 0; i < 200_000; i++) {
            Instant instant = Instant.ofEpochSecond(random.nextLong() % 300_000_000_000L,
                    random.nextBoolean() ? random.nextInt(1_000_000_000) : random.nextInt(1000) * 1_000_000);
            assertThat(Rfc3339.format(instant)).as(instant.toString()).isEqualTo(iso(instant));
        }
    }

    private static String iso(Instant instant) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }
}
