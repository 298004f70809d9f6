package dev.qbridge.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * How a redis-server gets run: a local process (installed or embedded binary) or a Docker container. Both take
 * the same arguments, so every {@link RedisServer} feature (AOF restart, kill -9, ACL, TLS) behaves the same.
 */
interface RedisBackend {

    /** Shown in logs and error messages, e.g. the binary path. */
    String describe();

    /** Redis Cluster needs a local process: a container does not expose the cluster bus the nodes announce. */
    boolean isLocalProcess();

    /** Where clients connect; the backend binds only there. */
    String host();

    /**
     * Starts redis-server; does not wait for it to be ready.
     *
     * @throws PortInUseException if the backend can tell right away that the port is taken
     */
    RunningRedis launch(LaunchSpec spec) throws IOException;

    /** What one launch needs: the backend adds port, bind, dir, logfile and daemonize to {@code args}. */
    record LaunchSpec(int port, Path dir, Path logFile, List<String> args) {
    }

    /** One launched server; a restart launches a new one. */
    interface RunningRedis {
        boolean isAlive();

        /** Like kill -9: no shutdown, no final fsync. Returns once the server is gone. */
        void kill();
    }

    /** The server could not bind its port: the caller retries (another port on start, later on restart). */
    final class PortInUseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortInUseException(String message) {
            super(message);
        }
    }
}
