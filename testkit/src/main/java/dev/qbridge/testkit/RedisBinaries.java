package dev.qbridge.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * Finds what runs Redis here, in this order: {@code REDIS_SERVER}, {@code redis-server} on the PATH, the Redis 6.2
 * binary shipped inside {@code embedded-redis}, then a Docker container. The answer is cached per JVM because the
 * Docker probe and the binary extraction are slow.
 */
final class RedisBinaries {
    static final String REDIS_SERVER_ENV = "REDIS_SERVER";
    static final String INSTALL_HINT =
            "install redis-server (apt-get install redis-server) or set REDIS_SERVER to a redis-server binary";
    private static final Logger LOG = LoggerFactory.getLogger(RedisBinaries.class);

    private static RedisBackend defaultBackend;
    private static Optional<Path> embedded;

    private RedisBinaries() {
    }

    static synchronized RedisBackend defaultBackend() {
        if (defaultBackend == null) {
            defaultBackend = resolveBackend(System.getenv());
            LOG.info("Redis for tests: {}", defaultBackend.describe());
        }
        return defaultBackend;
    }

    static RedisBackend resolveBackend(Map<String, String> env) {
        Optional<Path> local = localServer(env);
        if (local.isPresent()) {
            return new LocalProcessBackend(local.get(), "redis-server");
        }
        Optional<Path> shipped = embeddedServer();
        if (shipped.isPresent()) {
            return new LocalProcessBackend(shipped.get(), "embedded-redis binary (Redis 6.2)");
        }
        if (ContainerBackend.isDockerAvailable()) {
            return new ContainerBackend();
        }
        throw new RedisUnavailableException("No Redis server for tests: no redis-server on the PATH, the embedded-redis "
                + "binary does not run on this OS/architecture and there is no Docker engine; " + INSTALL_HINT);
    }

    /** {@code REDIS_SERVER} if set (it must then be executable: a typo must not silently pick another Redis). */
    static Optional<Path> localServer(Map<String, String> env) {
        String configured = env.get(REDIS_SERVER_ENV);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new IllegalStateException(REDIS_SERVER_ENV + "=" + configured + " is not an executable file");
            }
            return Optional.of(path);
        }
        return onPath("redis-server", env.get("PATH"));
    }

    /** redis-cli next to {@code REDIS_SERVER} first (same version), else from the PATH. */
    static Optional<Path> redisCli(Map<String, String> env) {
        String configured = env.get(REDIS_SERVER_ENV);
        if (configured != null && !configured.isBlank()) {
            Path parent = Path.of(configured).toAbsolutePath().getParent();
            if (parent != null && isExecutable(parent.resolve("redis-cli"))) {
                return Optional.of(parent.resolve("redis-cli"));
            }
        }
        return onPath("redis-cli", env.get("PATH"));
    }

    static Optional<Path> onPath(String name, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isBlank() && isExecutable(Path.of(dir, name))) {
                return Optional.of(Path.of(dir, name));
            }
        }
        return Optional.empty();
    }

    /** Extracts the binary from the embedded-redis jar once per JVM (it is deleted when the JVM exits). */
    static synchronized Optional<Path> embeddedServer() {
        if (embedded == null) {
            try {
                File binary = ExecutableProvider.newJarResourceProvider().get();
                embedded = Optional.of(binary.toPath());
            } catch (Exception | LinkageError e) {
                LOG.debug("embedded-redis binary not usable here: {}", e.toString());
                embedded = Optional.empty();
            }
        }
        return embedded;
    }

    private static boolean isExecutable(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }
}
