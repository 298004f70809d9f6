package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.QueueException;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.TlsAuthority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A route over mutual TLS: redis-server requires a client certificate ({@code tls-auth-clients yes}, its default), and
 * the {@code redisq:} endpoints present one from their keyStore option, trusting the test CA of their trustStore.
 */
class RedisqMutualTlsIT extends CamelTestSupport {

    private static final String STORE_PW = "camel-store-pw";
    private static final TlsAuthority.MutualTls TLS = TlsAuthority.mutualTls("camel", "PKCS12", STORE_PW);
    private static final Path TRUST_STORE = TLS.trustStore();
    private static final Path KEY_STORE = TLS.keyStore();

    @RegisterExtension
    static RedisServerExtension redis = TLS.redis();

    private final List<String> seen = new CopyOnWriteArrayList<>();

    private static String endpoint(String queue, String options) {
        return "redisq:" + queue + "?redisUri=rediss://127.0.0.1:" + redis.server().tlsPort() + "&trustStore=" + TRUST_STORE
                + "&trustStorePassword=" + STORE_PW + options;
    }

    private static String mutual(String queue, String options) {
        return endpoint(queue, "&keyStore=" + KEY_STORE + "&keyStorePassword=" + STORE_PW + options);
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from(mutual("in", "&pollTimeout=200")).to(mutual("out", ""));
                from(mutual("out", "&pollTimeout=200")).process(e -> seen.add(e.getIn().getBody(String.class)));
            }
        };
    }

    @Test
    void aRouteMovesJobsBetweenQueuesOverMutualTls() {
        List<String> jobs = IntStream.range(0, 20).mapToObj(i -> "job-" + i).toList();
        template.sendBody(mutual("in", ""), jobs);

        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 20);
        assertThat(seen).containsExactlyElementsOf(jobs);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.client().zcard("in:leases") == 0
                && redis.client().zcard("out:leases") == 0);
        assertThat(redis.client().exists("in", "out")).as("every job acked").isZero();
    }

    @Test
    void anEndpointWithoutAClientCertificateFailsSayingTheServerRequiresOne() {
        assertThatThrownBy(() -> template.sendBody(endpoint("refused", ""), "x"))
                .isInstanceOf(CamelExecutionException.class)
                .cause().isInstanceOfSatisfying(QueueException.class,
                        e -> assertThat(e.kind()).isEqualTo(QueueException.Kind.TLS))
                .hasMessageContaining("the server requires a client certificate (set keyStore")
                .hasMessageNotContaining(STORE_PW);
    }
}
