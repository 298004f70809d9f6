package dev.qbridge.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisEndpointTest {

    @Test
    void standaloneUriWithCredentialsAndDatabase() {
        RedisEndpoint e = RedisEndpoint.parse("redis://app:s3cret@cache.local:6380/2?timeout=1500");
        assertThat(e.nodes()).containsExactly(new RedisEndpoint.Node("cache.local", 6380));
        assertThat(e.user()).contains("app");
        assertThat(e.password()).contains("s3cret");
        assertThat(e.database()).isEqualTo(2);
        assertThat(e.timeoutMillis()).isEqualTo(1500);
        assertThat(e.isCluster()).isFalse();
        assertThat(e.isTls()).isFalse();
    }

    @Test
    void passwordIsNeverShownInToStringOrRedactedUris() {
        RedisEndpoint e = RedisEndpoint.parse("rediss://app:s3cret@cache.local:6380");
        assertThat(e.toString()).isEqualTo("rediss://app:***@cache.local:6380").doesNotContain("s3cret");
    }

    @Test
    void aPlusInAPasswordIsAPlusWhetherEscapedOrNot() {
        assertThat(RedisEndpoint.parse("redis://app:a+b@h:1").password()).contains("a+b");
        assertThat(RedisEndpoint.parse("redis://app:a%2Bb%40c%2Fd@h:1").password()).contains("a+b@c/d");
        // as Camel hands over redisUri=redis://app:a%2Bb%40c%2Fd@h:1 of an endpoint URI: its escapes undone once
        assertThat(RedisEndpoint.parse("redis://app:a+b@c/d@h:1").password()).contains("a+b@c/d");
        assertThat(RedisEndpoint.parse("redis://h:1?password=a+b%25").password()).contains("a+b%");
        assertThat(RedisEndpoint.parse("redis://app:100%@h:1").password()).contains("100%");
    }

    @Test
    void aUriThatDoesNotParseIsReportedWithoutItsSecrets() {
        for (String uri : List.of("redis://:s3cret@h:1?trustStorePassword=abc123&bogus=1", "redis://app:s3cret@h:notaport",
                "redis://app:s3cret@h:1/notadb", "redis://app:s3cret@h:99999", "rediz://app:s3cret@h:1",
                "redis://app:s3c?ret@h:1", "redis://s3cret@h1:1,h2:2")) {
            assertThatThrownBy(() -> RedisEndpoint.parse(uri)).as(uri).isInstanceOf(QueueException.class)
                    .message().doesNotContain("s3cret", "s3c", "abc123").contains("***");
        }
    }

    @Test
    void keyStoreAndItsPasswordAreReadFromTheUriAndNeverShown() {
        RedisEndpoint e = RedisEndpoint.parse("rediss://h:1?keyStore=/etc/qbridge/client.p12&keyStorePassword=k3y-pw"
                + "&trustStore=/etc/qbridge/ca.p12&verifyHostname=false");
        assertThat(e.keyStore()).contains(java.nio.file.Path.of("/etc/qbridge/client.p12"));
        assertThat(e.keyStorePassword()).contains("k3y-pw");
        assertThat(e.verifyHostname()).isFalse();
        assertThat(e.toString()).doesNotContain("k3y-pw");
        assertThat(e).isNotEqualTo(RedisEndpoint.parse("rediss://h:1?trustStore=/etc/qbridge/ca.p12&verifyHostname=false"));
        assertThat(RedisEndpoint.builder("rediss://h:1").keyStore(java.nio.file.Path.of("c.jks"), "pw").build().keyStore())
                .contains(java.nio.file.Path.of("c.jks"));
    }

    @Test
    void aStoreOnAPlainConnectionIsRefused() {
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://h:1?keyStore=/c.p12"))
                .hasMessageContaining("keyStore is set but the connection is not TLS: use a rediss://");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis-cluster://h:1?trustStore=/ca.p12"))
                .hasMessageContaining("trustStore is set but the connection is not TLS");
    }

    @Test
    void clusterUriListsSeeds() {
        RedisEndpoint e = RedisEndpoint.parse("redis-cluster://h1:7000,h2:7001");
        assertThat(e.isCluster()).isTrue();
        assertThat(e.nodes()).hasSize(2);
    }

    @Test
    void passwordOnlyUserInfoIsThePassword() {
        RedisEndpoint e = RedisEndpoint.parse("redis://:pw@localhost");
        assertThat(e.user()).isEmpty();
        assertThat(e.password()).contains("pw");
        assertThat(e.nodes().get(0).port()).isEqualTo(6379);
    }

    @Test
    void builderCredentialsOverrideTheUri() {
        RedisEndpoint e = RedisEndpoint.builder("redis://localhost:1").user("u").password("p").build();
        assertThat(e.user()).contains("u");
        assertThat(e.password()).contains("p");
    }

    @Test
    void endpointsDifferingInAnySettingAreNotEqual() {
        assertThat(RedisEndpoint.parse("redis://h:1?timeout=100")).isEqualTo(RedisEndpoint.parse("redis://h:1?timeout=100"))
                .hasSameHashCodeAs(RedisEndpoint.parse("redis://h:1?timeout=100"))
                .isNotEqualTo(RedisEndpoint.parse("redis://h:1?timeout=200"))
                .isNotEqualTo(RedisEndpoint.parse("redis://h:1?timeout=100&poolSize=2"))
                .isNotEqualTo(RedisEndpoint.parse("redis://:pw@h:1?timeout=100"));
    }

    @Test
    void badUrisSayWhatIsWrong() {
        assertThatThrownBy(() -> RedisEndpoint.parse("http://x")).isInstanceOf(QueueException.class).hasMessageContaining("scheme 'http'");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://x:notaport")).hasMessageContaining("port 'notaport'");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://a:1,b:2")).hasMessageContaining("redis-cluster://");
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://:pw@x:1?bogus=1")).hasMessageContaining("parameter 'bogus'")
                .hasMessageNotContaining("pw@");
        assertThatThrownBy(() -> RedisEndpoint.parse("")).hasMessageContaining("empty");
    }
}
