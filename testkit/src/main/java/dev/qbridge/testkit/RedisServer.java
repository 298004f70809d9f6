package dev.qbridge.testkit;

import dev.qbridge.testkit.RedisBackend.LaunchSpec;
import dev.qbridge.testkit.RedisBackend.PortInUseException;
import dev.qbridge.testkit.RedisBackend.RunningRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;

/**
 * A real redis-server for one test class (or one test): its own process, free port and fresh temp dir, persistence
 * off unless asked for. {@link #kill()} and {@link #restart()} behave like {@code kill -9} and a fresh start on the
 * same port and dir, so crash tests see what production would see.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.startWithAof()) {
 *     redis.client().set("k", "v");
 *     redis.restart();                       // kill -9, start again, AOF replays
 *     assertThat(redis.client().get("k")).isEqualTo("v");
 * }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisServer.class);
    private static final int START_ATTEMPTS = 5;
    private static final Duration RESTART_BIND_RETRY = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final int LOG_TAIL_LINES = 30;
    // "Ready to accept connections" (6.x/7.0) or "... tcp" (7.2+): logged once the data set is loaded and all
    // listeners are bound. Checked together with PING so that a foreign server on our port is never taken for ours.
    private static final String READY_LINE = "Ready to accept connections";
    private static final Pattern VERSION = Pattern.compile("Redis version=([0-9][0-9.]*)");

    private final RedisBackend backend;
    private final Builder options;
    private final Path dir;
    private final Path logFile;
    private int port;
    private int tlsPort;
    private RunningRedis running;
    private String version;
    private RedisClient client;
    private boolean closed;

    private RedisServer(RedisBackend backend, Builder options) {
        this.backend = backend;
        this.options = options;
        this.dir = TestFiles.newTempDir("qbridge-redis-");
        this.logFile = dir.resolve("redis.log");
    }

    /** A server with persistence off: the fastest, for tests that never restart it. */
    public static RedisServer start() {
        return builder().start();
    }

    /** A server with {@code appendonly yes} and {@code appendfsync always}: every acknowledged write survives kill -9. */
    public static RedisServer startWithAof() {
        return builder().aof().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return backend.host();
    }

    public synchronized int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}, without credentials (so it is safe to log). */
    public String uri() {
        return "redis://" + host() + ":" + port();
    }

    public HostAndPort hostAndPort() {
        return new HostAndPort(host(), port());
    }

    /** The TLS port (the plain port stays open too, for the fixture's own checks). */
    public synchronized int tlsPort() {
        if (options.tls == null) {
            throw new IllegalStateException("This server was started without tls(...)");
        }
        return tlsPort;
    }

    /** {@code rediss://127.0.0.1:TLS_PORT}. */
    public String tlsUri() {
        return "rediss://" + host() + ":" + tlsPort();
    }

    /** The server's version as it logged it at startup, e.g. {@code 7.0.15} (6.2.x for the embedded binary). */
    public synchronized String version() {
        return version;
    }

    /** The server's own dir ({@code --dir}): AOF, RDB, nodes.conf and {@link #logFile()} live there. */
    public Path dir() {
        return dir;
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized boolean isRunning() {
        return !closed && running != null && running.isAlive();
    }

    /**
     * The client config the fixture itself uses (credentials from {@link Builder#password} or
     * {@link Builder#clientCredentials}), for tests that build their own clients.
     */
    public JedisClientConfig clientConfig() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder();
        if (options.clientUser != null) {
            config.user(options.clientUser);
        }
        if (options.clientPassword != null) {
            config.password(options.clientPassword);
        }
        return config.build();
    }

    /** A pooled client, created on first use and closed with this server. It keeps working across {@link #restart()}. */
    public synchronized RedisClient client() {
        ensureOpen();
        if (client == null) {
            client = RedisClient.builder().hostAndPort(host(), port).clientConfig(clientConfig()).build();
        }
        return client;
    }

    public void flushAll() {
        client().flushAll();
    }

    /** SIGKILL, like {@code kill -9}: no shutdown, no final save. Returns once the process is gone. */
    public synchronized void kill() {
        if (running != null && running.isAlive()) {
            running.kill();
            LOG.info("Killed redis-server on {}", uri());
        }
    }

    /**
     * kill -9, then start again on the same port and dir, so an AOF (see {@link #startWithAof()}) is replayed.
     * Retries binding for a few seconds in case the port is not free again yet. Waits until it answers PING.
     */
    public synchronized RedisServer restart() {
        ensureOpen();
        kill();
        long bindDeadline = System.nanoTime() + RESTART_BIND_RETRY.toNanos();
        while (true) {
            try {
                launchAndAwaitReady();
                break;
            } catch (PortInUseException e) {
                if (System.nanoTime() > bindDeadline) {
                    throw startFailure("could not bind its port again within " + RESTART_BIND_RETRY.toSeconds() + " s");
                }
                sleep(Duration.ofMillis(100));
            }
        }
        if (client != null) {
            client.getPool().clear(); // drop idle connections to the killed process; new ones go to the new one
        }
        LOG.info("Restarted redis-server {} on {}", version, uri());
        return this;
    }

    /** Same as {@link #close()}. */
    public void stop() {
        close();
    }

    /** Kills the server, closes {@link #client()} and deletes its dir. Safe to call twice. */
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
                LOG.debug("Closing the client of {} failed: {}", uri(), e.toString());
            }
        }
        if (running != null && running.isAlive()) {
            running.kill();
        }
        TestFiles.deleteQuietly(dir);
        LOG.debug("Stopped redis-server on {}", uri());
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + ", " + backend.describe() + "]";
    }

    RedisBackend backend() {
        return backend;
    }

    private synchronized RedisServer startFresh() {
        ShutdownCleanup.register(this);
        try {
            options.copyTlsFilesInto(dir);
            for (int attempt = 1; ; attempt++) {
                port = FreePorts.pick(options.clusterNode);
                tlsPort = options.tls != null ? FreePorts.pick(false) : 0;
                try {
                    launchAndAwaitReady();
                    break;
                } catch (PortInUseException e) {
                    if (running != null) {
                        running.kill();
                    }
                    if (attempt == START_ATTEMPTS) {
                        throw startFailure("could not bind a free port in " + START_ATTEMPTS + " attempts");
                    }
                    LOG.debug("Port {} was taken, trying another one", port);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("Started redis-server {} on {} ({}, dir {})", version, uri(), backend.describe(), dir);
        return this;
    }

    private void launchAndAwaitReady() {
        long logOffset = TestFiles.sizeOf(logFile);
        try {
            running = backend.launch(new LaunchSpec(port, dir, logFile, serverArgs()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + backend.describe(), e);
        }
        long deadline = System.nanoTime() + options.startupTimeout.toNanos();
        while (true) {
            String log = TestFiles.readFrom(logFile, logOffset);
            if (!running.isAlive()) {
                if (log.contains("Address already in use")) {
                    throw new PortInUseException("port " + port + " is taken");
                }
                throw startFailure("exited during startup");
            }
            if (log.contains(READY_LINE) && RespPing.answers(host(), port)) {
                Matcher matcher = VERSION.matcher(log);
                version = matcher.find() ? matcher.group(1) : "unknown";
                return;
            }
            if (System.nanoTime() > deadline) {
                running.kill();
                throw startFailure("did not answer PING within " + options.startupTimeout.toSeconds() + " s");
            }
            sleep(POLL);
        }
    }

    private List<String> serverArgs() {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--save", "")); // no RDB snapshots: tests should not pay for them or leave files
        if (options.aof) {
            args.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            args.addAll(List.of("--appendonly", "no"));
        }
        if (options.clusterNode) {
            args.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "2000"));
        }
        if (options.password != null) {
            args.addAll(List.of("--requirepass", options.password));
        }
        for (List<String> user : options.users) {
            args.add("--user");
            args.addAll(user);
        }
        if (options.tls != null) {
            args.addAll(List.of("--tls-port", String.valueOf(tlsPort),
                    "--tls-cert-file", dir.resolve(Builder.TLS_CERT).toString(),
                    "--tls-key-file", dir.resolve(Builder.TLS_KEY).toString(),
                    "--tls-ca-cert-file", dir.resolve(Builder.TLS_CA).toString(),
                    "--tls-auth-clients", "optional"));
        }
        args.addAll(options.extraArgs); // last, so that they override the defaults above
        return args;
    }

    private IllegalStateException startFailure(String what) {
        StringBuilder message = new StringBuilder()
                .append(backend.describe()).append(" on ").append(host()).append(':').append(port).append(' ')
                .append(what).append(". Last lines of ").append(logFile).append(':');
        for (String line : TestFiles.lastLines(logFile, LOG_TAIL_LINES)) {
            message.append(System.lineSeparator()).append("  ").append(options.redact(line));
        }
        return new IllegalStateException(message.toString());
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /** Options for {@link RedisServer}; one builder can start several servers. */
    public static final class Builder {
        static final String TLS_CERT = "tls-cert.pem";
        static final String TLS_KEY = "tls-key.pem";
        static final String TLS_CA = "tls-ca.pem";

        private boolean aof;
        private boolean clusterNode;
        private String password;
        private String clientUser;
        private String clientPassword;
        private final List<List<String>> users = new ArrayList<>();
        private final List<String> secrets = new ArrayList<>();
        private final List<String> extraArgs = new ArrayList<>();
        private Path[] tls;
        private Path binary;
        private Duration startupTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /** {@code appendonly yes}, {@code appendfsync always}. */
        public Builder aof() {
            this.aof = true;
            return this;
        }

        /**
         * One config directive, e.g. {@code arg("maxmemory", "64mb")} or {@code arg("save", "")}. Extra directives
         * come last on the command line, so they override the fixture's defaults.
         */
        public Builder arg(String name, String... values) {
            extraArgs.add(name.startsWith("--") ? name : "--" + name);
            extraArgs.addAll(List.of(values));
            return this;
        }

        /** Raw command line tokens, e.g. {@code args("--maxmemory", "64mb")}. */
        public Builder args(String... tokens) {
            extraArgs.addAll(List.of(tokens));
            return this;
        }

        /** {@code requirepass}: the default user's password; {@link #client()} authenticates with it. */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password);
            secrets.add(password);
            if (clientUser == null) {
                clientPassword = password;
            }
            return this;
        }

        /**
         * An ACL user ({@code --user NAME on >PASSWORD RULES...}); rules default to {@code ~* &* +@all}. Use
         * {@link #clientCredentials} to make {@link #client()} log in as this user.
         */
        public Builder user(String name, String password, String... rules) {
            List<String> user = new ArrayList<>(List.of(name, "on", ">" + password));
            user.addAll(rules.length > 0 ? List.of(rules) : List.of("~*", "&*", "+@all"));
            users.add(user);
            secrets.add(password);
            return this;
        }

        /** The credentials {@link #client()}, {@link #flushAll()} and {@link #clientConfig()} use. */
        public Builder clientCredentials(String user, String password) {
            this.clientUser = user;
            this.clientPassword = password;
            if (password != null) {
                secrets.add(password);
            }
            return this;
        }

        /**
         * Also listen with TLS on {@link #tlsPort()}. The files are copied into the server dir (so a container
         * backend sees them too); client certificates are optional.
         */
        public Builder tls(Path certFile, Path keyFile, Path caCertFile) {
            this.tls = new Path[] {certFile, keyFile, caCertFile};
            return this;
        }

        /** Use this redis-server binary instead of looking one up. */
        public Builder binary(Path redisServer) {
            this.binary = redisServer;
            return this;
        }

        /** How long to wait for PING after a (re)start; 10 s by default. */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** Cluster mode with a nodes.conf in the server's own dir, on a port whose cluster bus port is free too. */
        Builder clusterNode() {
            this.clusterNode = true;
            return this;
        }

        public RedisServer start() {
            RedisBackend backend = binary != null
                    ? new LocalProcessBackend(binary, "redis-server")
                    : RedisBinaries.defaultBackend();
            return new RedisServer(backend, copy()).startFresh();
        }

        /** A snapshot, so that changing the builder later does not change a running server's restarts. */
        private Builder copy() {
            Builder copy = new Builder();
            copy.aof = aof;
            copy.clusterNode = clusterNode;
            copy.password = password;
            copy.clientUser = clientUser;
            copy.clientPassword = clientPassword;
            users.forEach(user -> copy.users.add(List.copyOf(user)));
            copy.secrets.addAll(secrets);
            copy.extraArgs.addAll(extraArgs);
            copy.tls = tls;
            copy.binary = binary;
            copy.startupTimeout = startupTimeout;
            return copy;
        }

        private void copyTlsFilesInto(Path dir) {
            if (tls == null) {
                return;
            }
            try {
                Files.copy(tls[0], dir.resolve(TLS_CERT));
                Files.copy(tls[1], dir.resolve(TLS_KEY));
                Files.copy(tls[2], dir.resolve(TLS_CA));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot copy the TLS files", e);
            }
        }

        /** Redis echoes a bad config line into its log: never let a password reach a message or a log. */
        private String redact(String line) {
            String redacted = line;
            for (String secret : secrets) {
                if (!secret.isEmpty()) {
                    redacted = redacted.replace(secret, "****");
                }
            }
            if (!secrets.isEmpty() && redacted.startsWith(">>> ")) {
                return ">>> (config line hidden: it may contain a password)";
            }
            return redacted;
        }
    }
}
