package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The order is fixed so that the later tests see what the earlier ones left behind. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisServerExtensionIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.withAof();

    private static int firstPort;

    @Test
    @Order(1)
    void firstTestWritesAKey() {
        firstPort = redis.port();
        redis.client().set("left-behind", "x");

        assertThat(redis.client().dbSize()).isEqualTo(1);
        assertThat(redis.uri()).isEqualTo("redis://" + redis.host() + ":" + redis.port());
    }

    @Test
    @Order(2)
    void theNextTestStartsEmptyOnTheSameServer() {
        assertThat(redis.port()).isEqualTo(firstPort);
        assertThat(redis.client().dbSize()).isZero();
    }

    @Test
    @Order(3)
    void restartKeepsDataWithAof() {
        redis.client().set("k", "v");

        redis.restart();

        assertThat(redis.client().get("k")).isEqualTo("v");
    }

    @Test
    @Order(4)
    void aTestThatKillsTheServer() {
        redis.server().kill();

        assertThat(redis.server().isRunning()).isFalse();
    }

    @Test
    @Order(5)
    void theNextTestGetsItBack() {
        assertThat(redis.server().isRunning()).isTrue();
        assertThat(redis.client().dbSize()).isZero();
    }

    @Test
    @Order(6)
    void usableWithoutJunitToo() {
        try (RedisServerExtension plain = RedisServerExtension.standalone().start()) {
            assertThat(plain.client().ping()).isEqualTo("PONG");
            assertThat(plain.port()).isNotEqualTo(redis.port());
        }
    }
}
