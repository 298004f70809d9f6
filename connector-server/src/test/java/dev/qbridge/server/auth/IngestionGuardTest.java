package dev.qbridge.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IngestionGuardTest {

    @Test
    void theGuardedPathIsTheOneThePlatformHttpConsumerRegisters() {
        assertThat(IngestionGuard.vertxPath("platform-http:/jobs")).isEqualTo("/jobs");
        assertThat(IngestionGuard.vertxPath("platform-http:/jobs?httpMethodRestrict=POST")).isEqualTo("/jobs");
        assertThat(IngestionGuard.vertxPath("platform-http:/orders/{id}/lines")).isEqualTo("/orders/:id/lines");
        assertThat(IngestionGuard.vertxPath("platform-http:/in?matchOnUriPrefix=true")).isEqualTo("/in*");
        assertThat(IngestionGuard.vertxPath("platform-http:/in*?matchOnUriPrefix=true")).isEqualTo("/in*");
    }
}
