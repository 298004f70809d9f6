package dev.qbridge.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a run plans before it starts anything: options, the event timeline, and how ids are read back. */
class ChaosPlanTest {

    @Test
    void fullRunDefaultsAreTheIssuesNumbers() {
        ChaosOptions o = ChaosOptions.parse("--jobs", "1_000_000");
        assertThat(o.kills()).isGreaterThanOrEqualTo(10);
        assertThat(o.redisRestarts()).isGreaterThanOrEqualTo(2);
        assertThat(o.kafkaRestarts()).isGreaterThanOrEqualTo(1);
        assertThat(o.maxMinutes()).isEqualTo(10);
        assertThat(o.badJson()).isEqualTo(100);
        assertThat(o.oversized()).isEqualTo(10);
        assertThat(o.tombstones()).isEqualTo(20);
    }

    @Test
    void unknownOptionIsRefusedWithTheUsage() {
        assertThatThrownBy(() -> ChaosOptions.parse("--kill", "3")).hasMessageContaining("unknown option --kill")
                .hasMessageContaining("--kills N");
    }

    @Test
    void timelineHasEveryEventAndKillsBothWorkers() {
        for (long seed = 0; seed < 20; seed++) {
            ChaosOptions o = ChaosOptions.parse("--jobs", "50000", "--kills", "3", "--redis-restarts", "1",
                    "--kafka-restarts", "1", "--feed-seconds", "45", "--seed", Long.toString(seed));
            List<ChaosRun.Event> timeline = timelineOf(o);
            assertThat(timeline).filteredOn(e -> e.kind() == ChaosRun.Kind.KILL_SOURCE).isNotEmpty();
            assertThat(timeline).filteredOn(e -> e.kind() == ChaosRun.Kind.KILL_SINK).isNotEmpty();
            assertThat(timeline).filteredOn(e -> e.kind().name().startsWith("KILL")).hasSize(3);
            assertThat(timeline).filteredOn(e -> e.kind() == ChaosRun.Kind.REDIS).hasSize(1);
            assertThat(timeline).filteredOn(e -> e.kind() == ChaosRun.Kind.KAFKA).hasSize(1);
            assertThat(timeline).filteredOn(e -> e.kind() == ChaosRun.Kind.TOMBSTONE).hasSize(o.tombstones());
            assertThat(timeline).allMatch(e -> e.atMillis() >= 0 && e.atMillis() <= 45_000 * 85 / 100);
        }
    }

    @Test
    void idIsReadFromTheJobAndFromJsonConverterOutput() {
        assertThat(Downstream.idOf(JobFeed.job(123))).isEqualTo("job-0000123");
        assertThat(Downstream.idOf("{\"seq\":1,\"id\":\"job-0000001\"}".getBytes(StandardCharsets.UTF_8))).isEqualTo("job-0000001");
        assertThat(Downstream.idOf("{\"id\":\"job-00".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(Downstream.idOf("probe-1".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    private static List<ChaosRun.Event> timelineOf(ChaosOptions options) {
        return new ChaosRun(options).timeline();
    }
}
