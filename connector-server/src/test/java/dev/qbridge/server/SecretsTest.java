package dev.qbridge.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void redisPasswordsAndSecretEndpointOptionsAreMasked() {
        assertThat(Secrets.redact("redisq:q?redisUri=redis://app:hunter2@host:6379")).doesNotContain("hunter2");
        assertThat(Secrets.redact("redisq:q?password=hunter2&batchSize=10")).doesNotContain("hunter2").contains("batchSize=10");
        assertThat(Secrets.redact("kafka:t?brokers=k:9092&saslJaasConfig=RAW(org.Login required password=\"hunter2\";)"))
                .doesNotContain("hunter2").contains("brokers=k:9092");
        assertThat(Secrets.redact("jms:queue:q?password=hunter2")).doesNotContain("hunter2");
    }
}
