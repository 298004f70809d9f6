package dev.qbridge.server;

import static dev.qbridge.server.metrics.StatusServer.json;

import dev.qbridge.core.Secrets;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.server.auth.BearerToken;
import dev.qbridge.server.cli.DurationConverter;
import dev.qbridge.server.deploy.ConnectorDeployer;
import dev.qbridge.server.deploy.ConnectorFile;
import dev.qbridge.server.deploy.ConnectorHealth;
import dev.qbridge.server.deploy.DirectoryWatcher;
import dev.qbridge.server.metrics.ServerMetrics;
import dev.qbridge.server.metrics.StatusServer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qbridge server <dir>}: Camel Main running every connector file of a directory and every Camel YAML route
 * of its {@code routes/} subdirectory, with hot deploy, an HTTP status and metrics endpoint, and a graceful stop on
 * SIGTERM.
 */
@Command(name = "server",
        header = "Run the connectors of a directory; files dropped in, changed or removed take effect at once.",
        description = {"",
            "Loads every <dir>/*.properties connector file (source and sink Camel endpoint URIs; see "
                    + "docs/server.md) and every Camel YAML route in <dir>/routes/*.yaml. A new file starts its "
                    + "connector, a changed file restarts it, a removed file stops it gracefully: jobs in flight "
                    + "finish and are acked. A file is loaded once it has not been modified for --settle; *.tmp files "
                    + "and dotfiles are ignored, so writers may also write name.properties.tmp and rename it into "
                    + "place. A bad file is reported (log and /connectors) with its key and reason; the other "
                    + "connectors keep running. SIGTERM stops everything gracefully."},
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true)
public final class ServerCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServerCommand.class);

    @Parameters(index = "0", paramLabel = "<dir>", description = "The directory of connector files.")
    Path dir;

    @Option(names = "--http-port", paramLabel = "<port>", defaultValue = "8080",
            description = "Port of the health, status and metrics endpoint; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--http-host", paramLabel = "<host>", defaultValue = "127.0.0.1",
            description = "Address the HTTP endpoint listens on; 0.0.0.0 exposes it on every interface (then set "
                    + "--http-token-file, or put a reverse proxy in front). Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Option(names = "--http-token-file", paramLabel = "<file>", defaultValue = "${env:QBRIDGE_HTTP_TOKEN_FILE}",
            description = "A file holding a token: every HTTP path but /health, and every platform-http: source without "
                    + "a token of its own, then requires 'Authorization: Bearer <token>'. Default: $QBRIDGE_HTTP_TOKEN_FILE, "
                    + "else none.")
    Path httpTokenFile;

    @Option(names = "--platform-http-port", paramLabel = "<port>", defaultValue = "8081",
            description = "Port of the HTTP server that platform-http: sources (HTTP to Redis connectors) listen on; "
                    + "started with the first such connector; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int platformHttpPort;

    @Option(names = "--platform-http-host", paramLabel = "<host>", defaultValue = "127.0.0.1",
            description = "Address the HTTP server of platform-http: sources listens on; 0.0.0.0 exposes it on every "
                    + "interface. Default: ${DEFAULT-VALUE}.")
    String platformHttpHost;

    @Option(names = {"-r", "--redis"}, paramLabel = "<redis-uri>", defaultValue = "${QBRIDGE_REDIS_URL:-redis://localhost:6379}",
            description = {"The Redis of redisq: endpoints that name no redisUri. Default: $QBRIDGE_REDIS_URL, else "
                    + "redis://localhost:6379.", "Now: ${DEFAULT-VALUE}"})
    String redisUri;

    @Option(names = "--settle", paramLabel = "<duration>", defaultValue = "1s", converter = DurationConverter.class,
            description = "How long a connector file must stay unmodified before it is loaded. Default: ${DEFAULT-VALUE}.")
    Duration settle;

    @Option(names = "--scan-interval", paramLabel = "<duration>", defaultValue = "500ms", converter = DurationConverter.class,
            description = "How often the directory is scanned for changes. Default: ${DEFAULT-VALUE}.")
    Duration scanInterval;

    @Option(names = "--shutdown-timeout", paramLabel = "<duration>", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long a graceful stop waits for jobs in flight. Default: ${DEFAULT-VALUE}.")
    Duration shutdownTimeout;

    @Override
    public Integer call() throws Exception {
        Path directory = usableDirectory(dir);
        checkRedisUri(redisUri);
        Optional<BearerToken> token = token(httpTokenFile);
        Path routes = directory.resolve("routes");
        showCamelLifecycle();
        ServerMetrics metrics = new ServerMetrics();
        AtomicReference<CamelContext> camel = new AtomicReference<>();
        AtomicReference<ConnectorDeployer> deployed = new AtomicReference<>();
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        StatusServer http;
        try {
            // bound before Camel starts: a port in use fails at once, with nothing started
            http = new StatusServer(httpHost, httpPort, token, () -> health(camel.get(), deployed.get(), stopping.get()),
                    () -> connectors(deployed.get(), metrics), metrics);
        } catch (java.io.IOException e) {
            metrics.close();
            throw new QbridgeException("cannot listen on " + httpHost + ":" + httpPort + ": " + e.getMessage()
                    + " (choose another --http-port or --http-host)", e);
        }
        Main main = new Main();
        main.configure().setName("qbridge");
        main.configure().setShutdownTimeout((int) Math.max(1, shutdownTimeout.toSeconds()));
        if (Files.isDirectory(routes)) {
            // Camel's own reload strategy watches routes/: a changed YAML route is reloaded in place
            main.configure().setRoutesIncludePattern("file:" + routes + "/*.yaml");
            main.configure().setRoutesReloadEnabled(true);
            main.configure().setRoutesReloadDirectory(routes.toString());
            main.configure().setRoutesReloadPattern("*.yaml");
        }
        main.addInitialProperty("camel.component.redisq.redisUri", redisUri);
        main.addMainListener(new MainListenerSupport() {
            private DirectoryWatcher watcher;
            private ConnectorDeployer deployer;

            @Override
            public void afterConfigure(BaseMainSupport support) {
                CamelContext context = support.getCamelContext();
                context.getManagementStrategy().addEventNotifier(metrics.exchangeCounter());
            }

            @Override
            public void afterStart(BaseMainSupport support) {
                CamelContext context = support.getCamelContext();
                // runs in whichever thread stops the context (a signal's included), before Camel stops the routes:
                // no deploy can race the shutdown, and each connector stops gracefully
                context.addLifecycleStrategy(new LifecycleStrategySupport() {
                    @Override
                    public void onContextStopping(CamelContext stoppingContext) {
                        stopping.set(true);
                        LOG.info("qbridge server stopping: no more deploys; connectors finish their jobs in flight");
                        if (watcher != null) {
                            watcher.close();
                        }
                        if (deployer != null) {
                            deployer.stopAll();
                        }
                    }

                    @Override
                    public void onContextStopped(CamelContext stoppedContext) {
                        http.close();
                        metrics.close();
                        System.out.println("qbridge server stopped");
                        System.out.flush();
                    }
                });
                try {
                    deployer = new ConnectorDeployer(context, metrics, platformHttpHost, platformHttpPort, token);
                    camel.set(context);
                    deployed.set(deployer);
                    // the address the socket is bound to, not the option: 0.0.0.0 says it listens on every interface
                    System.out.println("qbridge server: HTTP endpoint on http://" + http.boundAddress()
                            + " (/health, /connectors, /metrics" + (token.isPresent() ? "; all but /health need the token of "
                            + token.get().file() : "") + ")");
                    watcher = new DirectoryWatcher(directory, deployer, settle, scanInterval);
                    watcher.start();
                    System.out.println("qbridge server: watching " + directory + " for connector files; Redis default "
                            + Secrets.redact(redisUri));
                    System.out.flush();
                } catch (Exception | LinkageError | AssertionError e) {
                    // the server cannot run as asked: stop, and say so with a non-zero exit (connector files cannot get
                    // here: each one's failure is contained to it)
                    failure.set(e);
                    main.completed();
                }
            }
        });
        stopOnSignals(main);
        try {
            main.run();
        } finally {
            http.close(); // a start that failed never reached onContextStopped
        }
        if (failure.get() != null) {
            throw new QbridgeException("the server stopped: " + QbridgeException.describe(failure.get()), failure.get());
        }
        return 0; // stopped as asked (SIGTERM, Ctrl-C): every connector finished its jobs in flight
    }

    /** The connector directory, or exit code 2 when it is missing, not a directory, or cannot be listed. */
    private static Path usableDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new QbridgeException(2, "connector directory " + dir + " does not exist or is not a directory", null);
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.iterator().hasNext();
        } catch (java.io.IOException | RuntimeException e) {
            throw new QbridgeException(2, "cannot read the connector directory " + dir + ": " + e.getMessage(), e);
        }
        return dir.toAbsolutePath().normalize();
    }

    /** The token of --http-token-file, or exit code 2 naming the file when it cannot be used. */
    private static Optional<BearerToken> token(Path file) {
        if (file == null) {
            return Optional.empty();
        }
        try {
            BearerToken token = BearerToken.read(file);
            BearerToken.permissionsWarning(file).ifPresent(w -> LOG.warn("--http-token-file: {}", w));
            return Optional.of(token);
        } catch (BearerToken.TokenFileException e) {
            throw new QbridgeException(2, "--http-token-file: " + e.getMessage(), null);
        }
    }

    /** The default Redis must at least parse: every redisq: connector would otherwise be reported bad for it. */
    private static void checkRedisUri(String uri) {
        try {
            RedisEndpoint.parse(uri);
        } catch (RuntimeException e) {
            throw new QbridgeException(2, "--redis: " + QbridgeException.describe(e), null);
        }
    }

    /**
     * SIGTERM and Ctrl-C stop the server gracefully and it exits 0, as a service manager expects of a stop it asked for
     * (left to the JVM, a signal ends it with 143). A second signal ends it at once.
     */
    @SuppressWarnings("restriction")
    private static void stopOnSignals(Main main) {
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    sun.misc.Signal.handle(signal, sun.misc.SignalHandler.SIG_DFL);
                    LOG.info("qbridge server: SIG{} received, stopping gracefully (send it again to stop at once)", name);
                    main.completed();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("cannot handle SIG{} here: the JVM's default applies", name);
            }
        }
    }

    /** The connector file keys for the help's footer, from the one definition in {@link ConnectorFile#KEYS}. */
    static String[] keysFooter() {
        List<String> lines = new ArrayList<>(List.of("", "Connector file keys (docs/server.md has examples):"));
        String indent = " ".repeat(25);
        for (ConnectorFile.Key key : ConnectorFile.KEYS) {
            String text = key.doc() + (key.defaultValue() == null ? "" : " Default: " + key.defaultValue() + ".");
            StringBuilder line = new StringBuilder(String.format("  %-22s ", key.name()));
            for (String word : text.split(" ")) {
                if (line.length() + word.length() > 98 && line.length() > indent.length()) {
                    lines.add(line.toString().stripTrailing());
                    line = new StringBuilder(indent);
                }
                line.append(word).append(' ');
            }
            lines.add(line.toString().stripTrailing());
        }
        // picocli reads ${...} in help texts as its own variables: $${ prints a literal ${
        return lines.stream().map(l -> l.replace("${", "$${")).toArray(String[]::new);
    }

    /** Camel's start and stop lines are part of a server's log (the command line keeps them quiet). */
    private static void showCamelLifecycle() {
        if (LoggerFactory.getLogger("org.apache.camel.impl.engine.AbstractCamelContext") instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(ch.qos.logback.classic.Level.INFO);
        }
    }

    /**
     * {@code UP} (200) while every connector moves jobs; {@code DEGRADED} (503) while a connector is failing, a file
     * is bad or a connector waits to start: something an operator must look at, and a load balancer or an
     * orchestrator's probe should see; {@code DOWN} (503) while stopping, {@code STARTING} (503) before.
     */
    static StatusServer.Page health(CamelContext context, ConnectorDeployer deployer, boolean stopping) {
        if (context == null || deployer == null) {
            return new StatusServer.Page(503, "{\"status\":\"STARTING\"}");
        }
        long bad = 0;
        long running = 0;
        long waiting = 0;
        long failing = 0;
        for (ConnectorDeployer.FileState state : deployer.files()) {
            if (state instanceof ConnectorDeployer.Bad) {
                bad++;
            } else if (state instanceof ConnectorDeployer.Waiting) {
                waiting++;
            } else if (state instanceof ConnectorDeployer.Running r) {
                running++;
                if (deployer.health(r.spec().name()).isFailing()) {
                    failing++;
                }
            }
        }
        String status = stopping || !context.isStarted() ? "DOWN" : bad + waiting + failing > 0 ? "DEGRADED" : "UP";
        return new StatusServer.Page(status.equals("UP") ? 200 : 503, "{\"status\":" + json(status)
                + ",\"connectors\":" + running + (failing > 0 ? ",\"failing\":" + failing : "") + ",\"badFiles\":" + bad
                + (waiting > 0 ? ",\"waiting\":" + waiting : "") + "}");
    }

    static String connectors(ConnectorDeployer deployer, ServerMetrics metrics) {
        if (deployer == null) {
            return "{\"connectors\":[],\"badFiles\":[],\"queues\":[]}\n";
        }
        List<String> connectors = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (ConnectorDeployer.FileState state : deployer.files()) {
            if (state instanceof ConnectorDeployer.Running r) {
                String name = r.spec().name();
                ConnectorHealth health = deployer.health(name);
                connectors.add("{\"name\":" + json(name) + ",\"file\":" + json(r.file().getFileName().toString())
                        + ",\"status\":" + json(health.isFailing() ? "Failing" : deployer.routeStatus(name))
                        + (health.isFailing() ? ",\"reason\":" + json(health.reason().get()) + ",\"since\":"
                            + json(health.since().toString()) : "")
                        + ",\"source\":" + json(Secrets.redact(r.spec().source())) + ",\"sink\":"
                        + json(Secrets.redact(r.spec().sink())) + ",\"route\":" + json(r.spec().route().describe())
                        + ",\"jobsCompleted\":" + metrics.connectorJobs(name)[0]
                        + ",\"jobsFailed\":" + metrics.connectorJobs(name)[1] + "}");
            } else if (state instanceof ConnectorDeployer.Disabled d) {
                connectors.add("{\"name\":" + json(d.spec().name()) + ",\"file\":"
                        + json(d.file().getFileName().toString()) + ",\"status\":\"Disabled\"}");
            } else if (state instanceof ConnectorDeployer.Waiting w) {
                connectors.add("{\"name\":" + json(w.spec().name()) + ",\"file\":"
                        + json(w.file().getFileName().toString()) + ",\"status\":\"Waiting\",\"reason\":" + json(w.reason()) + "}");
            } else if (state instanceof ConnectorDeployer.Bad b) {
                bad.add("{\"file\":" + json(b.file().getFileName().toString()) + ",\"key\":"
                        + json(b.report().key()) + ",\"reason\":" + json(b.report().reason()) + "}");
            }
        }
        List<String> queues = new ArrayList<>();
        for (ServerMetrics.QueueSample q : metrics.queueCounts().values()) {
            if (q.counts().isPresent()) {
                long[] v = q.counts().get();
                queues.add("{\"queue\":" + json(q.queue()) + ",\"ready\":" + v[0] + ",\"inFlight\":" + v[1] + ",\"delayed\":"
                        + v[2] + ",\"retrying\":" + v[3] + ",\"dead\":" + v[4] + "}");
            } else {
                queues.add("{\"queue\":" + json(q.queue()) + ",\"error\":" + json(q.error().get().reason())
                        + ",\"since\":" + json(q.error().get().since().toString()) + "}");
            }
        }
        return "{\"connectors\":[" + String.join(",", connectors) + "],\"badFiles\":[" + String.join(",", bad)
                + "],\"queues\":[" + String.join(",", queues) + "]}\n";
    }
}
