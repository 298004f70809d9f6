package dev.qbridge.core.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.qbridge.core.QueueException;
import dev.qbridge.core.QueueException.Kind;
import dev.qbridge.core.consume.ConsumerHealth.Status;
import dev.qbridge.core.consume.ConsumerSettings;
import dev.qbridge.core.consume.QueueConsumer;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.testkit.RedisServer;
import dev.qbridge.testkit.TlsAuthority;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * rediss:// against real redis-servers with certificates of a test CA: one that requires a client certificate
 * ({@code tls-auth-clients yes}, redis-server's default) and one whose certificate names only "localhost", for
 * hostname verification both ways.
 */
class MutualTlsIT {

    private static final String STORE_PW = "store-pw-7";

    @TempDir
    static Path tmp;

    static TlsAuthority ca;
    static Path trustStore;
    static Path clientP12;
    static Path clientJks;
    static Path strangerP12;
    static RedisServer mutual;
    static RedisServer localhostOnly;

    @BeforeAll
    static void start() throws Exception {
        ca = TlsAuthority.create(tmp.resolve("ca"));
        trustStore = ca.trustStore("PKCS12", STORE_PW);
        TlsAuthority.Issued server = ca.issue("redis", "IP:127.0.0.1");
        clientP12 = ca.issue("app").keyStore("PKCS12", STORE_PW);
        clientJks = ca.issue("app-jks").keyStore("JKS", STORE_PW);
        strangerP12 = TlsAuthority.create(tmp.resolve("other-ca")).issue("stranger").keyStore("PKCS12", STORE_PW);
        mutual = RedisServer.builder().tls(server.cert(), server.key(), ca.cert()).arg("tls-auth-clients", "yes").start();
        TlsAuthority.Issued named = ca.issue("localhost-only", "DNS:localhost");
        localhostOnly = RedisServer.builder().tls(named.cert(), named.key(), ca.cert()).arg("tls-auth-clients", "no").start();
    }

    @AfterAll
    static void stop() {
        for (RedisServer s : new RedisServer[] {mutual, localhostOnly}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static String uri(String host, RedisServer server, String params) {
        return "rediss://" + host + ":" + server.tlsPort() + "?timeout=2000&trustStore=" + trustStore + "&trustStorePassword="
                + STORE_PW + params;
    }

    private static void roundTrip(String uri, String queue) {
        try (JedisConnection connection = JedisConnection.open(RedisEndpoint.parse(uri))) {
            RedisQueue q = new RedisQueue(connection, QueueConfig.builder(queue).build());
            q.push(("over tls to " + queue).getBytes(UTF_8));
            Delivery d = q.take(1).get(0);
            assertThat(d.payloadAsString()).isEqualTo("over tls to " + queue);
            assertThat(q.ack(d)).isTrue();
            assertThat(q.counts().total()).isZero();
        }
    }

    @Test
    void jobsAreTakenAndAckedThroughMutualTlsWithAPkcs12KeyStore() {
        roundTrip(uri("127.0.0.1", mutual, "&keyStore=" + clientP12 + "&keyStorePassword=" + STORE_PW), "mtls-p12");
    }

    @Test
    void aJksKeyStoreWorksAsWell() {
        roundTrip(uri("127.0.0.1", mutual, "&keyStore=" + clientJks + "&keyStorePassword=" + STORE_PW), "mtls-jks");
    }

    @Test
    void aServerThatRequiresAClientCertificateIsReportedAsSuchNotAsABrokenPipe() {
        String uri = uri("127.0.0.1", mutual, "");
        assertThatThrownBy(() -> JedisConnection.open(RedisEndpoint.parse(uri)))
                .isInstanceOfSatisfying(QueueException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.TLS);
                    assertThat(e.isRetriable()).isFalse();
                })
                .hasMessageStartingWith("TLS handshake with Redis at 127.0.0.1:" + mutual.tlsPort())
                .hasMessageContaining("the server requires a client certificate (set keyStore")
                .hasMessageNotContaining(STORE_PW);
    }

    @Test
    void aConsumerWithoutAClientCertificateSaysWhyItWaitsAndThatOnlyAFixMendsIt() {
        Logger log = (Logger) LoggerFactory.getLogger(QueueConsumer.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        try (JedisConnection connection = JedisConnection.openLazily(RedisEndpoint.parse(uri("127.0.0.1", mutual, "")));
             QueueConsumer consumer = QueueConsumer.start(new RedisQueue(connection, QueueConfig.builder("no-cert").build()),
                     ConsumerSettings.of("test consumer"))) {
            assertThat(consumer.take(1, Duration.ofMillis(500))).isEmpty();
            assertThat(consumer.health().status()).isEqualTo(Status.REDIS_UNAVAILABLE);
            assertThat(consumer.health().problem()).hasValueSatisfying(p -> assertThat(p)
                    .contains("the server requires a client certificate (set keyStore"));
        } finally {
            log.detachAppender(events);
        }
        assertThat(events.list).filteredOn(e -> e.getLevel() == Level.ERROR).first()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains("requires a client certificate")
                        .contains("retrying with backoff until this is fixed"));
    }

    @Test
    void aClientCertificateOfAnotherAuthorityIsReportedAsRefused() {
        String uri = uri("127.0.0.1", mutual, "&keyStore=" + strangerP12 + "&keyStorePassword=" + STORE_PW);
        assertThatThrownBy(() -> JedisConnection.open(RedisEndpoint.parse(uri)))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TLS))
                .hasMessageStartingWith("TLS handshake with Redis at 127.0.0.1:" + mutual.tlsPort())
                .hasMessageContaining(strangerP12.toString())
                .hasMessageNotContaining(STORE_PW);
    }

    @Test
    void aKeyStoreWithAWrongPasswordIsAConfigErrorNamingTheFileButNotThePassword() {
        String uri = uri("127.0.0.1", mutual, "&keyStore=" + clientP12 + "&keyStorePassword=wrong-pw-3");
        assertThatThrownBy(() -> JedisConnection.open(RedisEndpoint.parse(uri)))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIG))
                .hasMessageContaining("cannot open the Redis key store " + clientP12 + ": its password is wrong")
                .hasMessageNotContaining("wrong-pw-3");
    }

    @Test
    void aTrustStoreGivenAsKeyStoreIsAConfigErrorThatSaysWhatAKeyStoreHolds() {
        String uri = uri("127.0.0.1", mutual, "&keyStore=" + trustStore + "&keyStorePassword=" + STORE_PW);
        assertThatThrownBy(() -> JedisConnection.open(RedisEndpoint.parse(uri)))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIG))
                .hasMessageContaining("holds no private key with its certificate");
    }

    @Test
    void hostnameIsVerifiedByDefault() {
        String uri = uri("127.0.0.1", localhostOnly, "");
        assertThatThrownBy(() -> JedisConnection.open(RedisEndpoint.parse(uri)))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TLS))
                .hasMessageContaining("the server's certificate does not name the host 127.0.0.1")
                .hasMessageContaining("verifyHostname=false");
    }

    @Test
    void verifyHostnameTrueAcceptsTheNameTheCertificateHas() {
        roundTrip(uri("localhost", localhostOnly, "&verifyHostname=true"), "named");
    }

    @Test
    void verifyHostnameFalseAcceptsATrustedCertificateForAnotherName() {
        roundTrip(uri("127.0.0.1", localhostOnly, "&verifyHostname=false"), "unnamed");
    }

    @Test
    void verifyHostnameFalseStillRefusesAnUntrustedCertificate() {
        String uri = "rediss://127.0.0.1:" + localhostOnly.tlsPort() + "?verifyHostname=false";
        assertThatThrownBy(() -> JedisConnection.open(RedisEndpoint.parse(uri)))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TLS))
                .hasMessageContaining("the server's certificate is not trusted by the JVM's default trust store");
    }

    @Test
    void aHandshakeCutShortIsAnOutageToWaitOutNotATlsError() throws Exception {
        // a server that closes every connection at once, as one that is going down does
        try (ServerSocket closing = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!closing.isClosed()) {
                    try (Socket s = closing.accept()) {
                        s.getInputStream().read(new byte[16]);
                    } catch (Exception ignored) {
                        // closed
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String uri = "rediss://127.0.0.1:" + closing.getLocalPort() + "?timeout=1000&trustStore=" + trustStore
                    + "&trustStorePassword=" + STORE_PW + "&keyStore=" + clientP12 + "&keyStorePassword=" + STORE_PW;
            assertThatThrownBy(() -> JedisConnection.open(RedisEndpoint.parse(uri)))
                    .isInstanceOfSatisfying(QueueException.class, e -> {
                        assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.CONNECTION);
                        assertThat(e.isRetriable()).isTrue();
                    })
                    .hasMessageStartingWith("cannot reach Redis at rediss://127.0.0.1:" + closing.getLocalPort());
        }
    }

    @Test
    void aKeyStoreOnAPlainConnectionIsRefusedRatherThanIgnored() {
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://127.0.0.1:6379?keyStore=" + clientP12))
                .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFIG))
                .hasMessageContaining("keyStore is set but the connection is not TLS");
    }
}
