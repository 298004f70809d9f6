package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The fallback binary from embedded-redis must behave like an installed one, including kill -9 and AOF replay. */
class EmbeddedRedisIT {

    @Test
    void embeddedBinaryRunsAsAProcessWithAofRestart() {
        Optional<Path> embedded = RedisBinaries.embeddedServer();
        if (embedded.isEmpty()) {
            Unavailable.skipOrFail("embedded-redis ships no binary for this OS/architecture");
        }

        try (RedisServer redis = RedisServer.builder().binary(embedded.get()).aof().start()) {
            assertThat(redis.version()).startsWith("6.2.");
            redis.client().set("k", "v");

            redis.restart();

            assertThat(redis.client().get("k")).isEqualTo("v");
        }
    }
}
