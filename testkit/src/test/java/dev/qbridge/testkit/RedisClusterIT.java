package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

class RedisClusterIT {

    @RegisterExtension
    static RedisClusterExtension cluster = RedisClusterExtension.threeMasters();

    @Test
    void threeMastersCoverAllSlots() {
        List<HostAndPort> nodes = cluster.nodes();
        assertThat(nodes).hasSize(3);
        assertThat(cluster.seedUris()).allMatch(uri -> uri.startsWith("redis://127.0.0.1:"));

        try (Jedis node = new Jedis(nodes.get(0), DefaultJedisClientConfig.builder().serverDefaultProtocol().build())) {
            assertThat(node.clusterInfo()).contains("cluster_state:ok", "cluster_slots_ok:16384", "cluster_size:3");
            // CLUSTER SLOTS (not SHARDS) so that this also runs on Redis 6.2: [start, end, master, replicas...]
            long covered = node.clusterSlots().stream()
                    .map(range -> (List<?>) range)
                    .mapToLong(range -> (Long) range.get(1) - (Long) range.get(0) + 1)
                    .sum();
            assertThat(covered).isEqualTo(RedisCluster.SLOTS);
        }
    }

    @Test
    void aKeySetThroughTheClusterClientIsReadable() {
        for (int i = 0; i < 30; i++) { // 30 keys land on all three masters
            cluster.client().set("key-" + i, "value-" + i);
        }

        for (int i = 0; i < 30; i++) {
            assertThat(cluster.client().get("key-" + i)).isEqualTo("value-" + i);
        }
        assertThat(cluster.cluster().servers()).allSatisfy(server -> assertThat(server.client().dbSize()).isPositive());
    }

    @Test
    void flushAllEmptiesEveryMaster() {
        cluster.client().set("{a}1", "x");
        cluster.client().set("{b}1", "y");

        cluster.flushAll();

        assertThat(cluster.client().exists("{a}1")).isFalse();
        assertThat(cluster.client().exists("{b}1")).isFalse();
    }
}
