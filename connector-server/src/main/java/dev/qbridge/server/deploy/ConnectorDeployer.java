package dev.qbridge.server.deploy;

import dev.qbridge.camel.bridge.BridgeTemplates;
import dev.qbridge.core.Secrets;
import dev.qbridge.server.auth.BearerToken;
import dev.qbridge.server.auth.IngestionGuard;
import dev.qbridge.server.net.BindAddress;
import dev.qbridge.server.metrics.ServerMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs, restarts and stops connectors in one Camel context, one route per connector file, and keeps the report
 * of files that could not be loaded. A connector's route is {@code from(source).to(sink)} (or its template): the
 * redisq consumer acks a job only when its exchange completed, so a job leaves its source only once the sink has
 * it. Stopping a connector stops its route gracefully: nothing new is taken, jobs in flight finish and are acked.
 * Not thread-safe for changes (the directory watcher is its only writer); status reads are safe from any thread.
 */
public final class ConnectorDeployer implements DirectoryWatcher.Target {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorDeployer.class);

    /** What the server knows about one connector file. */
    public sealed interface FileState permits Running, Disabled, Bad, Waiting {
        Path file();

        String contentHash();
    }

    /** A connector whose route was started. */
    public record Running(ConnectorSpec spec) implements FileState {
        public Path file() {
            return spec.file();
        }

        public String contentHash() {
            return spec.contentHash();
        }
    }

    /** A valid file with {@code enabled = false}. */
    public record Disabled(ConnectorSpec spec) implements FileState {
        public Path file() {
            return spec.file();
        }

        public String contentHash() {
            return spec.contentHash();
        }
    }

    /**
     * A valid file whose connector could not start because something it needs is unavailable (Redis down): tried
     * again at every scan after {@link #RETRY_INTERVAL}, not reported as a bad file.
     */
    public record Waiting(ConnectorSpec spec, String reason, long sinceNanos) implements FileState {
        public Path file() {
            return spec.file();
        }

        public String contentHash() {
            return spec.contentHash();
        }

        public boolean due() {
            return System.nanoTime() - sinceNanos >= RETRY_INTERVAL.toNanos();
        }
    }

    /** How often a connector waiting for its Redis is tried again. */
    public static final java.time.Duration RETRY_INTERVAL = java.time.Duration.ofSeconds(5);

    /** A file that could not be loaded, and why. */
    public record Bad(BadFile report) implements FileState {
        public Path file() {
            return report.file();
        }

        public String contentHash() {
            return report.contentHash();
        }
    }

    private final CamelContext context;
    private final ServerMetrics metrics;
    private final String platformHttpHost;
    private final int platformHttpPort;
    private final Map<Path, FileState> files = new ConcurrentHashMap<>();
    private final HealthMonitor monitor;
    private final IngestionGuard guard;
    private VertxPlatformHttpServer platformHttp;

    /**
     * @param platformHttpHost address of the HTTP server of platform-http: sources (http-to-redisq bridges)
     * @param platformHttpPort its port; it starts with the first connector that needs it
     * @param serverToken      the token its requests need, unless their connector has a token of its own
     */
    public ConnectorDeployer(CamelContext context, ServerMetrics metrics, String platformHttpHost, int platformHttpPort,
                             Optional<BearerToken> serverToken) throws Exception {
        this.context = context;
        this.metrics = metrics;
        this.platformHttpHost = platformHttpHost;
        this.platformHttpPort = platformHttpPort;
        this.guard = new IngestionGuard(serverToken);
        context.addRoutes(new BridgeTemplates());
        this.monitor = new HealthMonitor(context, metrics, () -> files.values().stream()
                .filter(s -> s instanceof Running).map(s -> ((Running) s).spec()).toList());
    }

    /** The state of every file the server has seen and not seen removed. */
    @Override
    public Collection<FileState> files() {
        return List.copyOf(files.values());
    }

    @Override
    public Optional<FileState> state(Path file) {
        return Optional.ofNullable(files.get(file));
    }

    /** Whether a running connector moves jobs, or why not (see {@link HealthMonitor}). */
    public ConnectorHealth health(String name) {
        return monitor.health(name);
    }

    /** The route status of a running connector. */
    public String routeStatus(String name) {
        ServiceStatus status = context.getRouteController().getRouteStatus(name);
        return status == null ? "Unknown" : status.name();
    }

    /**
     * Loads a new or changed file: parses it into a complete spec (nothing looked up yet), stops its old connector
     * (if any), then starts the new one, or reports the file. Whatever the file holds and whatever Camel throws
     * while its connector starts, the failure is this file's: it is reported by name and the call returns, so the
     * scan goes on to the next file.
     */
    @Override
    public void apply(Path file) {
        try {
            load(file);
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            // a bug of ours or of a library: still contained to this file, and said so
            String hash;
            try {
                hash = ConnectorFile.hashOf(file);
            } catch (RuntimeException unreadable) {
                hash = "";
            }
            report(new BadFile(file, "-", "could not be loaded: " + describe(e), hash));
            LOG.debug("connector file {} could not be loaded", file, e);
        }
    }

    private void load(Path file) {
        FileState previous = files.get(file);
        ConnectorSpec spec;
        try {
            spec = ConnectorFile.parse(file);
            checkNameIsFree(spec);
        } catch (BadFileException e) {
            // a broken edit of a running connector stops it: running a file that no longer says so would surprise more
            stop(previous);
            report(e.report());
            return;
        }
        stop(previous);
        if (!spec.enabled()) {
            files.put(file, new Disabled(spec));
            LOG.info("connector {} ({}) is disabled (enabled = false)", spec.name(), file.getFileName());
            return;
        }
        start(spec, previous);
    }

    /** Runs a valid spec: its JMS factory, its endpoints, its route; any failure leaves nothing of it behind. */
    private void start(ConnectorSpec spec, FileState previous) {
        Path file = spec.file();
        metrics.connectorStarting(spec);
        try {
            spec.jms().ifPresent(this::bindJms);
            for (Map.Entry<String, String> endpoint : spec.route().endpoints().entrySet()) {
                create(spec, endpoint.getKey(), endpoint.getValue());
            }
            if (ConnectorSpec.scheme(spec.source()).equals("platform-http")) {
                startPlatformHttp();
                // before its route: the path is never served without its token, not even for a moment
                spec.httpToken().ifPresent(token -> {
                    guard.protect(spec.name(), spec.source(), token);
                    BearerToken.permissionsWarning(token.file()).ifPresent(w -> LOG.warn("connector {}: {}", spec.name(), w));
                });
            }
            metrics.trackQueues(spec, context);
            addRoute(spec);
            files.put(file, new Running(spec));
            metrics.connectorStarted(spec);
            LOG.info("connector {} started from {}: {} -> {} ({})", spec.name(), file.getFileName(),
                    Secrets.redact(spec.source()), Secrets.redact(spec.sink()),
                    spec.route().template().map(t -> "route template " + t).orElse("plain route"));
        } catch (BadFileException e) {
            discard(spec);
            report(e.report());
        } catch (Unavailable e) {
            discard(spec);
            boolean first = !(previous instanceof Waiting);
            files.put(file, new Waiting(spec, e.getMessage(), System.nanoTime()));
            if (first) {
                LOG.warn("connector {} ({}) cannot start yet: {}; trying again every {} s", spec.name(), file.getFileName(),
                        e.getMessage(), RETRY_INTERVAL.toSeconds());
            }
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            // not foreseen by any check: still contained to this file
            discard(spec);
            report(new BadFile(file, spec.route().faultKey(), "the connector could not start: " + describe(e),
                    spec.contentHash()));
        }
    }

    /** A connector could not start for a reason that waiting may mend (its Redis is down, a port is taken). */
    private static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    /** The file is gone: stops its connector gracefully and forgets it. */
    @Override
    public void remove(Path file) {
        FileState previous = files.get(file);
        stop(previous); // still listed while it stops: /connectors shows it until its jobs in flight are acked
        files.remove(file);
        if (previous instanceof Bad) {
            LOG.info("bad connector file {} was removed", file.getFileName());
        }
        metrics.badFiles(badFileCount());
    }

    /** Stops every connector gracefully, for the server's shutdown. */
    public void stopAll() {
        monitor.close();
        for (FileState state : List.copyOf(files.values())) {
            stop(state);
        }
    }

    private void report(BadFile report) {
        files.put(report.file(), new Bad(report));
        metrics.badFiles(badFileCount());
        LOG.error("BAD CONNECTOR FILE {}: key {}: {} (the file is not loaded; other connectors keep running)",
                report.file(), report.key(), report.reason());
    }

    private long badFileCount() {
        return files.values().stream().filter(s -> s instanceof Bad).count();
    }

    private void checkNameIsFree(ConnectorSpec spec) throws BadFileException {
        for (FileState other : files.values()) {
            if (other instanceof Running r && r.spec().name().equals(spec.name()) && !r.file().equals(spec.file())) {
                throw bad(spec, ConnectorFile.NAME_CONFIG, "connector name '" + spec.name() + "' is already used by "
                        + r.file().getFileName() + "; set a different name");
            }
        }
        if (context.getRoute(spec.name()) != null && files.values().stream()
                .noneMatch(s -> s instanceof Running r && r.spec().name().equals(spec.name()))) {
            throw bad(spec, ConnectorFile.NAME_CONFIG, "a route with id '" + spec.name()
                    + "' already runs (from routes/); set a different name");
        }
    }

    private static BadFileException bad(ConnectorSpec spec, String key, String reason) {
        return new BadFileException(new BadFile(spec.file(), key, Secrets.redact(reason), spec.contentHash()));
    }

    private void addRoute(ConnectorSpec spec) throws BadFileException, Unavailable {
        Bridge route = spec.route();
        try {
            if (route.template().isPresent()) {
                TemplatedRouteBuilder builder = TemplatedRouteBuilder.builder(context, route.template().get()).routeId(spec.name());
                route.parameters().forEach(builder::parameter);
                builder.add();
            } else {
                context.addRoutes(new RouteBuilder(context) {
                    @Override
                    public void configure() {
                        from(route.parameters().get("source")).routeId(spec.name())
                                .routeDescription("connector file " + spec.file().getFileName())
                                .to(route.parameters().get("sink"));
                    }
                });
            }
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof dev.qbridge.core.QueueException q && q.isRetriable()) {
                    throw new Unavailable(Secrets.redact(q.getMessage()));
                }
            }
            throw bad(spec, route.faultKey(), "the connector could not start: " + describe(e));
        }
    }

    /** Removes whatever a connector that failed to start left: its route, its endpoints, its meters. */
    private void discard(ConnectorSpec spec) {
        try {
            removeRoute(spec);
        } catch (RuntimeException e) {
            LOG.warn("connector {}: cleaning up after a failed start failed: {}", spec.name(), describe(e));
        }
        metrics.connectorStopped(spec);
        monitor.forget(spec.name());
        guard.release(spec.name());
    }

    private synchronized void startPlatformHttp() throws Unavailable {
        if (platformHttp != null) {
            return;
        }
        String where = "cannot start the HTTP server of platform-http: sources on " + platformHttpHost + ":" + platformHttpPort;
        InetAddress address;
        try {
            address = BindAddress.resolve(platformHttpHost);
        } catch (UnknownHostException e) {
            throw new Unavailable(where + ": " + e.getMessage() + " (set --platform-http-host)");
        }
        if (platformHttpPort != 0) {
            // Vert.x binds asynchronously and only logs a failure: a connector would run with nothing listening
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(false);
                probe.bind(new InetSocketAddress(address, platformHttpPort));
            } catch (IOException e) {
                throw new Unavailable(where + ": " + e.getMessage() + " (set --platform-http-port)");
            }
        }
        VertxPlatformHttpServerConfiguration config = new VertxPlatformHttpServerConfiguration();
        config.setBindHost(address.getHostAddress());
        config.setBindPort(platformHttpPort);
        VertxPlatformHttpServer server = new VertxPlatformHttpServer(config);
        try {
            context.addService(server, true, true);
        } catch (Exception e) {
            throw new Unavailable(where + ": " + describe(e) + " (set --platform-http-port)");
        }
        if (server.getServer() == null || server.getServer().actualPort() <= 0) {
            try {
                context.removeService(server);
            } catch (Exception e) {
                LOG.debug("removing the HTTP server that did not start failed: {}", e.toString());
            }
            throw new Unavailable(where + ": it is not listening (set --platform-http-port)");
        }
        VertxPlatformHttpRouter router = context.getRegistry().findSingleByType(VertxPlatformHttpRouter.class);
        if (router == null) {
            // no way to check tokens: serving the connectors without would be worse than not serving them
            try {
                context.removeService(server);
            } catch (Exception e) {
                LOG.debug("removing the HTTP server without a router failed: {}", e.toString());
            }
            throw new IllegalStateException("the platform-http server registered no router: its token check cannot be set up");
        }
        guard.install(router);
        platformHttp = server;
        LOG.info("HTTP sources (platform-http:) listen on {}{}", BindAddress.format(address, server.getServer().actualPort()),
                tokenNote());
    }

    private String tokenNote() {
        return guard.hasServerToken() ? "; requests need the token of --http-token-file, or their connector's http.tokenFile"
                : "; requests need a token only where their connector sets http.tokenFile";
    }

    /** Creates the endpoint now, so that an unknown component or a bad option is reported against its key. */
    private void create(ConnectorSpec spec, String key, String uri) throws BadFileException {
        try {
            Endpoint endpoint = context.getEndpoint(uri);
            if (endpoint == null) {
                throw new IllegalArgumentException("no component for " + ConnectorSpec.scheme(uri) + ":");
            }
        } catch (RuntimeException e) {
            String scheme = ConnectorSpec.scheme(uri);
            String hint = context.hasComponent(scheme) == null && context.getComponent(scheme, false) == null
                    ? " (the server has the components redisq, file, http, https, jms, kafka, platform-http and Camel's core ones)"
                    : "";
            throw bad(spec, key, describe(e) + hint);
        }
    }

    /** Binds the connection factory of the connector's jms.brokerUrl, unless a connector with the same settings did. */
    private void bindJms(ConnectorSpec.Jms jms) {
        if (context.getRegistry().lookupByName(jms.bean()) == null) {
            context.getRegistry().bind(jms.bean(), JmsFactories.artemis(jms.brokerUrl(), jms.user().orElse(null),
                    jms.password().orElse(null)));
        }
    }

    private void stop(FileState state) {
        if (!(state instanceof Running running)) {
            return;
        }
        ConnectorSpec spec = running.spec();
        long started = System.nanoTime();
        try {
            // graceful: the redisq consumer takes nothing new and waits for the jobs in hand to finish and be acked
            context.getRouteController().stopRoute(spec.name(), Math.max(1, spec.stopTimeout().toSeconds()), TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("connector {}: stopping its route failed: {}", spec.name(), describe(e));
        }
        removeRoute(spec);
        metrics.connectorStopped(spec);
        monitor.forget(spec.name());
        guard.release(spec.name()); // after its route: the path is never served without its token
        LOG.info("connector {} stopped in {} ms (jobs in flight finished and acked)", spec.name(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void removeRoute(ConnectorSpec spec) {
        try {
            if (context.getRoute(spec.name()) != null) {
                context.getRouteController().stopRoute(spec.name(), Math.max(1, spec.stopTimeout().toSeconds()), TimeUnit.SECONDS);
                context.removeRoute(spec.name());
            }
        } catch (Exception e) {
            LOG.warn("connector {}: removing its route failed: {}", spec.name(), describe(e));
        }
        // endpoints hold connection pools, JMS factories hold connections: close those no other connector uses
        List<String> inUse = new ArrayList<>();
        List<String> beansInUse = new ArrayList<>();
        files.values().forEach(s -> {
            if (s instanceof Running r && !r.spec().name().equals(spec.name())) {
                inUse.addAll(r.spec().route().endpoints().values());
                r.spec().jms().ifPresent(j -> beansInUse.add(j.bean()));
            }
        });
        for (String uri : spec.route().endpoints().values()) {
            if (!inUse.contains(uri)) {
                Endpoint endpoint = context.hasEndpoint(uri);
                if (endpoint != null) {
                    try {
                        context.removeEndpoint(endpoint);
                    } catch (Exception e) {
                        LOG.debug("connector {}: could not remove endpoint: {}", spec.name(), e.toString());
                    }
                }
            }
        }
        spec.jms().filter(j -> !beansInUse.contains(j.bean())).ifPresent(j -> {
            Object factory = context.getRegistry().lookupByName(j.bean());
            context.getRegistry().unbind(j.bean());
            if (factory instanceof org.springframework.jms.connection.SingleConnectionFactory f) {
                f.destroy(); // closes its shared connection
            }
        });
    }

    static String describe(Throwable e) {
        StringBuilder s = new StringBuilder();
        Throwable t = e;
        int depth = 0;
        while (t != null && depth++ < 5) {
            String m = t.getMessage();
            if (m != null && !s.toString().contains(m)) {
                if (s.length() > 0) {
                    s.append(": ");
                }
                s.append(m);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return Secrets.redact(s.length() == 0 ? e.getClass().getSimpleName() : s.toString());
    }
}
