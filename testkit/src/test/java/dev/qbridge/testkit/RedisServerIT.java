package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.exceptions.JedisException;

class RedisServerIT {

    @TempDir
    Path tmp;

    @Test
    void startsAndAnswersPing() {
        try (RedisServer redis = RedisServer.start()) {
            assertThat(redis.client().ping()).isEqualTo("PONG");
            assertThat(redis.host()).isEqualTo("127.0.0.1");
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(redis.version()).matches("\\d+\\.\\d+\\.\\d+");
            assertThat(redis.isRunning()).isTrue();
        }
    }

    @Test
    void closeKillsTheServerAndDeletesItsDir() {
        RedisServer redis = RedisServer.start();
        Path dir = redis.dir();

        redis.close();

        assertThat(redis.isRunning()).isFalse();
        assertThat(dir).doesNotExist();
        assertThat(RespPing.answers(redis.host(), redis.port())).isFalse();
    }

    @Test
    void withoutPersistenceARestartStartsEmpty() {
        try (RedisServer redis = RedisServer.start()) {
            redis.client().set("k", "v");
            int port = redis.port();

            redis.restart();

            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.client().exists("k")).isFalse();
        }
    }

    @Test
    void killStopsTheServerLikeKillMinus9() {
        try (RedisServer redis = RedisServer.start()) {
            redis.kill();

            assertThat(redis.isRunning()).isFalse();
            assertThat(RespPing.answers(redis.host(), redis.port())).isFalse();
        }
    }

    @Test
    void extraArgsOverrideTheDefaults() {
        try (RedisServer redis = RedisServer.builder().arg("maxmemory", "12mb").start()) {
            assertThat(redis.client().configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(12 * 1024 * 1024));
            assertThat(redis.client().configGet("appendonly")).containsEntry("appendonly", "no");
        }
    }

    @Test
    void passwordProtectedServer() {
        try (RedisServer redis = RedisServer.builder().password("s3cret-pw").start();
                RedisClient anonymous = RedisClient.create(redis.host(), redis.port())) {
            assertThat(redis.client().ping()).isEqualTo("PONG");
            assertThatThrownBy(anonymous::ping).isInstanceOf(JedisException.class).hasMessageContaining("NOAUTH");
        }
    }

    @Test
    void aclUserUsedByTheFixtureClient() {
        try (RedisServer redis = RedisServer.builder()
                .user("alice", "alice-pw", "~*", "&*", "+@all")
                .arg("user", "default", "off")
                .clientCredentials("alice", "alice-pw")
                .start()) {
            redis.client().set("k", "v");

            try (Jedis single = new Jedis(redis.hostAndPort(),
                    DefaultJedisClientConfig.builder().from(redis.clientConfig()).serverDefaultProtocol().build())) {
                assertThat(single.aclWhoAmI()).isEqualTo("alice");
            }
            assertThat(redis.client().get("k")).isEqualTo("v");
        }
    }

    @Test
    void aStartFailureShowsTheLogButNoPassword() {
        RedisServer.Builder broken = RedisServer.builder().password("top-secret-pw").arg("no-such-directive", "x");

        assertThatThrownBy(broken::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited during startup")
                .hasMessageContaining("Bad directive")
                .hasMessageNotContaining("top-secret-pw");
    }

    @Test
    void tlsPort() throws Exception {
        TlsFiles tls = TlsFiles.generate(tmp);
        try (RedisServer redis = RedisServer.builder().tls(tls.cert(), tls.key(), tls.cert()).start();
                RedisClient overTls = RedisClient.builder()
                        .hostAndPort(redis.host(), redis.tlsPort())
                        .clientConfig(DefaultJedisClientConfig.builder()
                                .sslOptions(SslOptions.builder()
                                        .truststore(tls.trustStore(), TlsFiles.TRUST_STORE_PASSWORD)
                                        .trustStoreType("PKCS12")
                                        .build())
                                .build())
                        .build()) {
            overTls.set("k", "over tls");

            assertThat(redis.client().get("k")).isEqualTo("over tls");
            assertThat(redis.tlsUri()).isEqualTo("rediss://127.0.0.1:" + redis.tlsPort());
        }
    }
}
