package dev.qbridge.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void redisPasswordsAndSecretEndpointOptionsAreMasked() {
        assertThat(Secrets.redact("redisq:q?redisUri=redis://app:hunter2@host:6379"))
                .isEqualTo("redisq:q?redisUri=redis://app:***@host:6379");
        assertThat(Secrets.redact("redisq:q?password=hunter2&batchSize=10")).isEqualTo("redisq:q?password=***&batchSize=10");
        assertThat(Secrets.redact("kafka:t?brokers=k:9092&saslJaasConfig=RAW(org.Login required password=\"hunter2\";)"))
                .doesNotContain("hunter2").contains("brokers=k:9092");
        assertThat(Secrets.redact("jms:queue:q?password=hunter2")).doesNotContain("hunter2");
        assertThat(Secrets.redact("rediss://:hunter2@host:6380/0 and redis-cluster://u:hunter2@h1:1,h2:2"))
                .doesNotContain("hunter2").contains("rediss://:***@host:6380/0");
        assertThat(Secrets.redact("redisq:q?trustStorePassword=hunter2&tls=true")).isEqualTo("redisq:q?trustStorePassword=***&tls=true");
    }

    @Test
    void urlEncodedPasswordsAreMaskedToo() {
        // how Camel writes an endpoint URI once it normalized it: the redisUri option is percent-encoded
        assertThat(Secrets.redact("Failed to resolve endpoint: redisq://q?redisUri=redis%3A%2F%2Fapp%3Ahunter2%40host%3A6379"
                + "&batchSize=5 due to: bad")).doesNotContain("hunter2").contains("app:***@host:6379", "batchSize=5", "due to: bad");
        assertThat(Secrets.redact("redisq://q?redisUri=redis%3A%2F%2F%3Ahunter2%40host")).doesNotContain("hunter2");
        assertThat(Secrets.redact("x?redisUri=redis%253A%252F%252Fu%253Ahunter2%2540h")).doesNotContain("hunter2");
        assertThat(Secrets.redact("redisq:q?password%3Dhunter2")).doesNotContain("hunter2");
    }

    @Test
    void rawValuesAreMaskedWhole() {
        assertThat(Secrets.redact("redisq:q?password=RAW(hun&ter2)&batchSize=10")).doesNotContain("hun", "ter2")
                .endsWith("&batchSize=10");
        assertThat(Secrets.redact("sasl.jaas.config=org.Login required username=\"a\" password=\"hunter2\";"))
                .doesNotContain("hunter2");
    }

    @Test
    void jsonAndTextAroundASecretAreKept() {
        String json = "{\"source\":\"redisq:a?redisUri=redis://u:hunter2@h:1\",\"sink\":\"http://x/y\"}";

        assertThat(Secrets.redact(json)).isEqualTo("{\"source\":\"redisq:a?redisUri=redis://u:***@h:1\",\"sink\":\"http://x/y\"}");
        assertThat(Secrets.redact("no secret: redisq:orders?batchSize=5, http://host:8080/a%20b"))
                .isEqualTo("no secret: redisq:orders?batchSize=5, http://host:8080/a%20b");
    }

    @Test
    void everyLogLineAndStackTraceIsMasked() {
        LoggerContext context = new LoggerContext();
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.getInstanceConverterMap().put("msg", Secrets.MaskedMessage::new);
        layout.getInstanceConverterMap().put("ex", Secrets.MaskedThrowable::new);
        layout.setPattern("%msg%n%ex");
        layout.start();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("test"), Level.WARN, "connecting to {}",
                new IllegalStateException("cannot reach redis://u:hunter2@h:1"), new Object[] {"redis%3A%2F%2Fu%3Ahunter2%40h"});

        String line = layout.doLayout(event);

        assertThat(line).doesNotContain("hunter2").contains("connecting to", "cannot reach redis://u:***@h:1",
                "at dev.qbridge.server.SecretsTest");
    }
}
