package dev.qbridge.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClusterClient;

/**
 * A real Redis Cluster of masters without replicas (3 by default), each a {@link RedisServer} with its own fresh dir
 * (a reused nodes.conf would make {@code redis-cli --cluster create} fail), formed with redis-cli.
 */
public final class RedisCluster implements AutoCloseable {
    public static final int SLOTS = 16384;
    private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONVERGE_TIMEOUT = Duration.ofSeconds(15);

    private final List<RedisServer> servers;
    private RedisClusterClient client;
    private boolean closed;

    private RedisCluster(List<RedisServer> servers) {
        this.servers = List.copyOf(servers);
    }

    /**
     * Three masters, no replicas.
     *
     * @throws RedisUnavailableException when redis-cli or a local redis-server binary is missing
     */
    public static RedisCluster start() {
        return start(3);
    }

    /** A cluster of {@code masters} (at least 3, as redis-cli requires) masters and no replicas. */
    public static RedisCluster start(int masters) {
        if (masters < 3) {
            throw new IllegalArgumentException("redis-cli --cluster create needs at least 3 masters, not " + masters);
        }
        Path redisCli = requireClusterSupport();
        List<RedisServer> servers = new ArrayList<>();
        try {
            for (int i = 0; i < masters; i++) {
                servers.add(RedisServer.builder().clusterNode().start());
            }
            RedisCluster cluster = new RedisCluster(servers);
            cluster.create(redisCli);
            cluster.awaitConverged();
            ShutdownCleanup.register(cluster);
            LOG.info("Started Redis Cluster {}", cluster.nodes());
            return cluster;
        } catch (RuntimeException e) {
            servers.forEach(RedisServer::close);
            throw e;
        }
    }

    /** Why a cluster cannot run here, or empty if it can. */
    public static Optional<String> unavailableReason() {
        try {
            requireClusterSupport();
            return Optional.empty();
        } catch (RedisUnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    public List<HostAndPort> nodes() {
        return servers.stream().map(RedisServer::hostAndPort).toList();
    }

    /** {@code redis://127.0.0.1:PORT} of every master. */
    public List<String> seedUris() {
        return servers.stream().map(RedisServer::uri).toList();
    }

    /** The masters, e.g. to kill one. */
    public List<RedisServer> servers() {
        return servers;
    }

    /** A cluster client, created on first use and closed with the cluster. */
    public synchronized RedisClusterClient client() {
        if (closed) {
            throw new IllegalStateException("The cluster is closed");
        }
        if (client == null) {
            client = RedisClusterClient.create(new LinkedHashSet<>(nodes()));
        }
        return client;
    }

    /** FLUSHALL on every master (a cluster has no single command for it). */
    public void flushAll() {
        servers.forEach(RedisServer::flushAll);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ShutdownCleanup.unregister(this);
        if (client != null) {
            try {
                client.close();
            } catch (RuntimeException e) {
                LOG.debug("Closing the cluster client failed: {}", e.toString());
            }
        }
        servers.forEach(RedisServer::close);
    }

    private static Path requireClusterSupport() {
        return requireClusterSupport(RedisBinaries.defaultBackend(), System.getenv());
    }

    /** The redis-cli to form the cluster with; a cluster also needs redis-server as a local process. */
    static Path requireClusterSupport(RedisBackend backend, Map<String, String> env) {
        if (!backend.isLocalProcess()) {
            throw new RedisUnavailableException("Redis Cluster tests need a local redis-server binary, but Redis runs in "
                    + backend.describe() + " here; " + RedisBinaries.INSTALL_HINT);
        }
        return RedisBinaries.redisCli(env).orElseThrow(() -> new RedisUnavailableException(
                "Redis Cluster tests need redis-cli to create the cluster, and there is none on the PATH or next to "
                        + RedisBinaries.REDIS_SERVER_ENV + " (Redis runs from " + backend.describe() + "); "
                        + RedisBinaries.INSTALL_HINT));
    }

    private void create(Path redisCli) {
        List<String> command = new ArrayList<>(List.of(redisCli.toString(), "--cluster", "create"));
        servers.forEach(server -> command.add(server.host() + ":" + server.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Path output = servers.get(0).dir().resolve("cluster-create.log");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(CREATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw createFailure("did not finish within " + CREATE_TIMEOUT.toSeconds() + " s", output);
            }
            if (process.exitValue() != 0) {
                throw createFailure("exited with " + process.exitValue(), output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + redisCli, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the cluster", e);
        }
    }

    /** redis-cli returns once slots are assigned; wait until every node agrees the cluster is whole. */
    private void awaitConverged() {
        long deadline = System.nanoTime() + CONVERGE_TIMEOUT.toNanos();
        Map<HostAndPort, String> lastInfo = new HashMap<>();
        while (true) {
            boolean all = true;
            for (RedisServer server : servers) {
                String info = clusterInfo(server);
                lastInfo.put(server.hostAndPort(), info);
                all &= info.contains("cluster_state:ok")
                        && info.contains("cluster_slots_assigned:" + SLOTS)
                        && info.contains("cluster_slots_ok:" + SLOTS)
                        && info.contains("cluster_known_nodes:" + servers.size());
            }
            if (all) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The cluster did not reach cluster_state:ok with all " + SLOTS
                        + " slots on every node within " + CONVERGE_TIMEOUT.toSeconds() + " s; CLUSTER INFO: "
                        + lastInfo);
            }
            RedisServer.sleep(Duration.ofMillis(50));
        }
    }

    private static String clusterInfo(RedisServer server) {
        // A plain Jedis has the clusterInfo() helper; it speaks RESP2, said explicitly to avoid a warning per call.
        JedisClientConfig config = DefaultJedisClientConfig.builder()
                .from(server.clientConfig()).serverDefaultProtocol().build();
        try (Jedis jedis = new Jedis(server.hostAndPort(), config)) {
            return jedis.clusterInfo();
        } catch (RuntimeException e) {
            return "unreachable: " + e;
        }
    }

    private static IllegalStateException createFailure(String what, Path output) {
        return new IllegalStateException("redis-cli --cluster create " + what + "; its output:" + System.lineSeparator()
                + String.join(System.lineSeparator(), TestFiles.lastLines(output, 40)));
    }
}
