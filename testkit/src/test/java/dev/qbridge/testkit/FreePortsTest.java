package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void picksAPortThatCanBeBound() {
        int port = FreePorts.pick(false);

        assertThat(FreePorts.isFree(port)).isTrue();
    }

    @Test
    void clusterPortsLeaveRoomForTheClusterBus() {
        for (int i = 0; i < 20; i++) {
            int port = FreePorts.pick(true);

            assertThat(port).isLessThan(FreePorts.MAX_CLUSTER_PORT);
            assertThat(FreePorts.isFree(port + FreePorts.CLUSTER_BUS_OFFSET)).isTrue();
        }
    }

    @Test
    void neverHandsOutTheSamePortTwiceInOneJvm() {
        int first = FreePorts.pick(false);
        int second = FreePorts.pick(false);

        assertThat(second).isNotEqualTo(first);
    }
}
