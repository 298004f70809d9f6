package dev.qbridge.core.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.testkit.RedisServer;
import dev.qbridge.testkit.TlsFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rediss:// with a trust store and an ACL user, against a redis-server listening with TLS. */
class TlsConnectionIT {

    @TempDir
    static Path tmp;

    static TlsFiles tls;
    static RedisServer server;

    @BeforeAll
    static void start() throws Exception {
        tls = TlsFiles.generate(tmp);
        server = RedisServer.builder().tls(tls.cert(), tls.key(), tls.cert()).user("app", "app-pw")
                .arg("tls-auth-clients", "no").start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String tlsUri() throws Exception {
        return "rediss://app:app-pw@127.0.0.1:" + server.tlsPort() + "?trustStore=" + tls.trustStore()
                + "&trustStorePassword=" + new String(TlsFiles.TRUST_STORE_PASSWORD);
    }

    @Test
    void queueWorksOverTlsWithAnAclUser() throws Exception {
        try (JedisConnection connection = JedisConnection.open(RedisEndpoint.parse(tlsUri()))) {
            RedisQueue q = new RedisQueue(connection, QueueConfig.builder("secure").build());
            q.push("over tls".getBytes(UTF_8));
            Delivery d = q.take(1).get(0);
            assertThat(d.payloadAsString()).isEqualTo("over tls");
            assertThat(q.ack(d)).isTrue();
        }
    }

    @Test
    void untrustedCertificateIsAClearTlsErrorThatNoRetryMends() {
        String uri = "rediss://app:app-pw@127.0.0.1:" + server.tlsPort();
        assertThatThrownBy(() -> JedisConnection.open(RedisEndpoint.parse(uri)))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(QueueException.Kind.TLS))
                .hasMessageContaining("(rediss://app:***@127.0.0.1:" + server.tlsPort() + ") failed: the server's certificate "
                        + "is not trusted by the JVM's default trust store; set trustStore")
                .hasMessageNotContaining("app-pw");
    }
}
