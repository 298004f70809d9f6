package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import dev.qbridge.testkit.RedisServer;
import dev.qbridge.testkit.RedisServerExtension;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** user and password are secret options: they log in to an ACL-protected Redis and never show in the URI. */
class RedisqSecurityTest extends CamelTestSupport {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.of(RedisServer.builder()
            .user("bridge", "s3cret-pw").clientCredentials("bridge", "s3cret-pw"));

    private String uri(String user, String password) {
        return "redisq:jobs?redisUri=" + redis.uri() + "&user=" + user + "&password=" + password;
    }

    @Test
    void aclUserAndPasswordOptionsLogIn() {
        template.sendBody(uri("bridge", "s3cret-pw"), "hello");

        assertThat(redis.client().llen("jobs")).isEqualTo(1);
        assertThat(context.getEndpoint(uri("bridge", "s3cret-pw")).toString()).doesNotContain("s3cret-pw");
    }

    @Test
    void wrongPasswordFailsThePushWithAnAuthErrorThatSaysWhatToFix() {
        assertThatThrownBy(() -> template.sendBody(uri("bridge", "wrong"), "hello"))
                .isInstanceOf(CamelExecutionException.class)
                .cause().isInstanceOfSatisfying(QueueException.class,
                        e -> assertThat(e.kind()).isEqualTo(QueueException.Kind.AUTH));
    }
}
