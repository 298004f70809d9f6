package dev.qbridge.server.deploy;

import static dev.qbridge.server.deploy.ServerProcess.drop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.testkit.JavaProcess;
import dev.qbridge.testkit.RedisServer;
import dev.qbridge.testkit.TlsFiles;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret in any output, in any encoding: the real server and the real command line, in their own JVMs with the
 * jar's logging, run with known, distinct passwords (Redis users in URIs and as options, a JMS broker user, a trust
 * store, a key store option, a wrong password tried, an HTTP sink's password) through good paths and bad ones
 * (unreachable Redis, wrong password, an unknown option, a refused endpoint, bad connector files, a failing sink,
 * usage errors, the help with a password in $QBRIDGE_REDIS_URL, a debug stack trace). Every byte they print (standard
 * output and error, where the logs go) and serve (/health, /connectors, /metrics) is searched for every password raw,
 * percent-encoded once and twice, base64 (alone and as user:password), JSON-escaped, and for its distinctive middle.
 */
class SecretsInOutputIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    /** Each password has characters that every encoding changes, and a middle (PWn) found in none of the output. */
    private static final String REDIS_PASSWORD = "AppUser+PW2@x/y";
    private static final String OPTION_PASSWORD = "OptUser+PW3@x/y";
    private static final String JMS_PASSWORD = "JmsUser+PW4@x/y";
    private static final String TRUST_STORE_PASSWORD = "TrustSt+PW5@x/y";
    private static final String KEY_STORE_PASSWORD = "KeySt+PW6@x/y";
    private static final String WRONG_PASSWORD = "Wrong+PW7@x/y";
    private static final String SINK_PASSWORD = "SinkUser+PW8@x/y";
    private static final Map<String, String> PASSWORDS = new LinkedHashMap<>();

    static {
        PASSWORDS.put(REDIS_PASSWORD, "app");
        PASSWORDS.put(OPTION_PASSWORD, "opt");
        PASSWORDS.put(JMS_PASSWORD, "jms");
        PASSWORDS.put(TRUST_STORE_PASSWORD, "");
        PASSWORDS.put(KEY_STORE_PASSWORD, "");
        PASSWORDS.put(WRONG_PASSWORD, "app");
        PASSWORDS.put(SINK_PASSWORD, "hook");
    }

    @TempDir
    static Path work;

    static RedisServer redis;
    static EmbeddedActiveMQ artemis;
    static String brokerUrl;
    static Path trustStore;

    /** Everything printed or served, by where it came from. */
    private final Map<String, String> seen = new LinkedHashMap<>();

    @BeforeAll
    static void startRedisAndArtemis() throws Exception {
        TlsFiles tls = TlsFiles.generate(Files.createDirectories(work.resolve("tls")));
        trustStore = trustStore(tls.cert(), work.resolve("trust.p12"), TRUST_STORE_PASSWORD);
        redis = RedisServer.builder().user("app", REDIS_PASSWORD).user("opt", OPTION_PASSWORD)
                .clientCredentials("app", REDIS_PASSWORD)
                .tls(tls.cert(), tls.key(), tls.cert()).start();

        brokerUrl = "tcp://127.0.0.1:" + freePort();
        SecurityConfiguration users = new SecurityConfiguration();
        users.addUser("jms", JMS_PASSWORD);
        users.addRole("jms", "bridge");
        Configuration config = new ConfigurationImpl().setPersistenceEnabled(false).setSecurityEnabled(true)
                .setJournalDirectory(work.resolve("artemis").toString()).addAcceptorConfiguration("tcp", brokerUrl);
        config.putSecurityRoles("#", Set.of(new Role("bridge", true, true, true, true, true, true, true, true, true, true,
                false, false)));
        artemis = new EmbeddedActiveMQ().setConfiguration(config)
                .setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
        artemis.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (artemis != null) {
            artemis.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void theServerPrintsAndServesNoPassword() throws Exception {
        Path dir = Files.createDirectories(work.resolve("connectors"));
        Path out = Files.createDirectories(work.resolve("out"));
        int closed = freePort();
        // good paths: a password in the URI, as options, over TLS with a trust store, to an Artemis broker with a user
        // Camel reads a '+' of an option as a space, even one written %2B: the passwords of good paths are given in RAW(...)
        drop(dir, "in-uri.properties", "source = redisq:in-uri?pollTimeout=200&redisUri=RAW(" + uri("app", REDIS_PASSWORD)
                + ")\nsink = file:" + out.resolve("in-uri") + "\n");
        drop(dir, "as-options.properties", "source = redisq:as-options?pollTimeout=200&redisUri=redis://127.0.0.1:"
                + redis.port() + "&user=opt&password=RAW(" + OPTION_PASSWORD + ")\nsink = file:" + out.resolve("as-options")
                + "\n");
        drop(dir, "over-tls.properties", "source = redisq:over-tls?pollTimeout=200&redisUri=rediss://127.0.0.1:"
                + redis.tlsPort() + "&user=app&password=RAW(" + REDIS_PASSWORD + ")&trustStore=" + trustStore
                + "&trustStorePassword=RAW(" + TRUST_STORE_PASSWORD + ")\nsink = file:" + out.resolve("over-tls") + "\n");
        drop(dir, "to-jms.properties", "source = redisq:to-jms?pollTimeout=200\nsink = jms:queue:secrets-out\njms.brokerUrl = "
                + brokerUrl + "\njms.user = jms\njms.password = " + JMS_PASSWORD + "\n");
        // bad paths
        drop(dir, "unreachable.properties", "source = redisq:unreachable?pollTimeout=200&redisUri=redis://app:" + enc(REDIS_PASSWORD)
                + "@127.0.0.1:" + closed + "\nsink = file:" + out + "\n");
        drop(dir, "wrong-password.properties", "source = redisq:wrong-password?pollTimeout=200&redisUri=" + uri("app", WRONG_PASSWORD)
                + "\nsink = file:" + out + "\n");
        drop(dir, "unknown-option.properties", "source = redisq:unknown-option?redisUri=" + uri("app", REDIS_PASSWORD) + "&password="
                + enc(OPTION_PASSWORD) + "&bogus=1\nsink = file:" + out + "\n");
        drop(dir, "refused.properties", "source = redisq:refused?batchSize=0&redisUri=" + uri("app", REDIS_PASSWORD)
                + "\nsink = redisq:x?redisUri=" + enc(uri("opt", OPTION_PASSWORD)) + "&bogus=2\n");
        drop(dir, "key-store.properties", "source = redisq:key-store?redisUri=rediss://127.0.0.1:" + redis.tlsPort()
                + "&keyStore=" + work.resolve("none.p12") + "&keyStorePassword=" + enc(KEY_STORE_PASSWORD) + "\nsink = file:"
                + out + "\n");
        drop(dir, "wrong-trust-store-password.properties", "source = redisq:wrong-trust-store-password?pollTimeout=200&redisUri=rediss://127.0.0.1:"
                + redis.tlsPort() + "&trustStore=" + trustStore + "&trustStorePassword=" + enc(WRONG_PASSWORD)
                + "\nsink = file:" + out + "\n");
        drop(dir, "not-a-uri.properties", "source = redis://app:" + REDIS_PASSWORD + "@127.0.0.1:" + redis.port()
                + "\nsink = file:" + out + "\n");
        drop(dir, "unknown-key.properties", "source = redisq:unknown-key\nsink = file:" + out + "\njms.pasword = " + JMS_PASSWORD + "\n");
        drop(dir, "jms-wrong-password.properties", "source = jms:queue:secrets-in\nsink = redisq:from-jms\njms.brokerUrl = "
                + brokerUrl + "\njms.user = jms\njms.password = " + WRONG_PASSWORD + "\n");
        drop(dir, "failing-sink.properties", "source = redisq:to-hook?pollTimeout=200\nsink = http://127.0.0.1:" + closed
                + "/hook?authMethod=Basic&authUsername=hook&authPassword=" + enc(SINK_PASSWORD) + "\ntemplate = none\n"
                + "retry.maxAttempts = 1\nretry.initialBackoff = 200ms\n");
        for (String queue : List.of("in-uri", "as-options", "over-tls", "to-jms", "to-hook")) {
            redis.client().lpush(queue, "job-of-" + queue);
        }

        ServerProcess server = ServerProcess.start(dir, uri("app", REDIS_PASSWORD));
        try {
            awaitEveryConnectorSettled(server, out);
            assertThat(receiveJms("secrets-out")).isEqualTo("job-of-to-jms");
            seen.put("/health", server.get("/health"));
            seen.put("/connectors", server.get("/connectors"));
            seen.put("/metrics", server.get("/metrics"));
            server.sigterm();
            server.process.waitForExit(Duration.ofSeconds(60));
            seen.put("server output", output(server.process));
        } finally {
            server.close();
        }

        assertThat(seen.get("server output")).contains("Redis default redis://app:***@127.0.0.1:" + redis.port(),
                "qbridge server stopped");
        assertThat(seen.get("/connectors")).contains("redis://app:***@127.0.0.1:" + closed);
        assertNoPasswordIn(seen);
    }

    @Test
    void theCommandLinePrintsNoPassword() throws Exception {
        Map<String, String> env = Map.of("QBRIDGE_REDIS_URL", uri("app", REDIS_PASSWORD) + "?clientName=qbridge-cli-with-a-long-name"
                + "&password=" + enc(REDIS_PASSWORD));
        int closed = freePort();
        Path out = Files.createDirectories(work.resolve("cli-out"));
        redis.client().lpush("mig", "a", "b", "c");
        List<List<String>> commands = List.of(
                List.of("--help"), List.of("server", "--help"), List.of("migrate", "--help"), List.of("queues", "--help"),
                List.of("queues", "list", "--help"), List.of("demo", "--help"),
                // good paths
                List.of("queues", "list"),
                List.of("queues", "--redis", "redis://127.0.0.1:" + redis.port() + "?user=opt&password=" + enc(OPTION_PASSWORD),
                        "stats", "mig"),
                List.of("migrate", "--progress", "lines", "--from", "redisq:mig", "--to", "redisq:mig2?redisUri=redis://127.0.0.1:"
                        + redis.port() + "&user=opt&password=RAW(" + OPTION_PASSWORD + ")"),
                List.of("demo", "--redis", uri("app", REDIS_PASSWORD), "--jobs", "20", "--rate", "2000", "--out",
                        out.resolve("demo.jsonl").toString()),
                // bad paths
                List.of("queues", "--redis", uri("app", WRONG_PASSWORD), "list"),
                List.of("queues", "--redis", "redis://app:" + enc(REDIS_PASSWORD) + "@127.0.0.1:" + closed, "stats", "q"),
                List.of("queues", "--redis", uri("app", REDIS_PASSWORD) + "?bogus=1", "list"),
                List.of("queues", "--redis", "redis://app:" + REDIS_PASSWORD + "@127.0.0.1:" + redis.port(), "list"),
                List.of("migrate", "--from", "redisq:mig?redisUri=" + uri("app", REDIS_PASSWORD) + "&password="
                        + enc(OPTION_PASSWORD) + "&bogus=1", "--to", "file:" + out),
                List.of("migrate", "--from", "redisq:mig?batchSize=0&redisUri=" + enc(uri("app", REDIS_PASSWORD)), "--to",
                        "redisq:x?password=" + enc(OPTION_PASSWORD) + "&keyStorePassword=" + enc(KEY_STORE_PASSWORD)),
                List.of("migrate", "--from", "redisq:mig?redisUri=" + uri("app", WRONG_PASSWORD), "--to", "file:" + out),
                List.of("migrate", "--from", "redisq:mig?redisUri=redis://app:" + enc(REDIS_PASSWORD) + "@127.0.0.1:" + closed,
                        "--to", "jms:queue:m?username=jms&password=" + enc(JMS_PASSWORD), "--jms-broker-url", brokerUrl),
                List.of("demo", "--redis", uri("app", WRONG_PASSWORD), "--jobs", "5"),
                List.of("server", work.resolve("no-such-dir").toString(), "--redis", uri("app", REDIS_PASSWORD)),
                List.of("server", work.toString(), "--redis", "redis://app:" + enc(REDIS_PASSWORD) + "@h:notaport"),
                List.of("queues", "--redis", uri("app", REDIS_PASSWORD), "list", "--bogus=password=" + enc(OPTION_PASSWORD)));
        for (int i = 0; i < commands.size(); i++) {
            List<String> command = commands.get(i);
            for (List<String> jvmArgs : List.of(List.<String>of(), List.of("-Dqbridge.debug=true"))) {
                if (!jvmArgs.isEmpty() && command.contains("--help")) {
                    continue;
                }
                JavaProcess cli = ServerProcess.qbridge(jvmArgs, env, command.toArray(String[]::new));
                try {
                    int exit = cli.waitForExit(PATIENCE);
                    // labelled by position, not by its arguments: those hold the passwords
                    seen.put("command " + i + (jvmArgs.isEmpty() ? "" : " with stack traces") + " (" + command.get(0)
                            + ", exit " + exit + ")", output(cli));
                } finally {
                    cli.close();
                }
            }
        }

        assertThat(seen).hasSize(commands.size() * 2 - 6);
        // the help wraps a long default into its column: read it unwrapped
        assertThat(seen.get("command 1 (server, exit 0)").replaceAll("\\s*\\n\\s*", "")).contains("redis://app:***@");
        assertThat(seen.get("command 6 (queues, exit 0)")).contains("mig");
        assertThat(redis.client().llen("mig2")).as("migrated by command 8: %s", seen.get("command 8 (migrate, exit 0)"))
                .isEqualTo(3);
        assertNoPasswordIn(seen);
    }

    /** The good connectors moved their job; each bad one is reported, as a bad file or a failing connector. */
    private static void awaitEveryConnectorSettled(ServerProcess server, Path out) {
        try {
            await().atMost(PATIENCE).untilAsserted(() -> {
                for (String name : List.of("in-uri", "as-options", "over-tls")) {
                    assertThat(out.resolve(name)).as(name).isNotEmptyDirectory();
                }
                assertThat(redis.client().llen("to-jms")).isZero();
                String connectors = server.get("/connectors");
                for (String name : List.of("unreachable", "wrong-password", "jms-wrong-password", "failing-sink",
                        "wrong-trust-store-password", "unknown-option", "refused", "key-store", "not-a-uri", "unknown-key")) {
                    assertThat(connectors).as(name).containsPattern("\\{\"file\":\"" + name + ".properties\"|\"name\":\""
                            + name + "\"[^}]*\"status\":\"Failing\"");
                }
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n/connectors: " + server.get("/connectors") + "\noutput:\n"
                    + server.output(), e);
        }
    }

    private void assertNoPasswordIn(Map<String, String> outputs) {
        List<String> leaks = new ArrayList<>();
        for (Map.Entry<String, String> output : outputs.entrySet()) {
            for (Map.Entry<String, String> password : PASSWORDS.entrySet()) {
                for (String form : forms(password.getKey(), password.getValue())) {
                    int at = output.getValue().indexOf(form);
                    if (at >= 0) {
                        leaks.add(output.getKey() + " shows " + form + ": ..." + output.getValue().substring(Math.max(0, at - 200),
                                Math.min(output.getValue().length(), at + form.length() + 100)) + "...");
                    }
                }
            }
        }
        assertThat(leaks).as("every output, searched for every password in every encoding").isEmpty();
        assertThat(outputs.values()).as("outputs").allSatisfy(text -> assertThat(text).isNotBlank());
    }

    /**
     * The password raw, percent-encoded once and twice (the form encoding of URLEncoder, lower-case escapes too),
     * base64 alone and as the user:password of a Basic header, JSON-escaped (an escaped slash, unicode escapes), and its middle PWn.
     */
    private static List<String> forms(String password, String user) {
        String once = enc(password);
        Base64.Encoder base64 = Base64.getEncoder();
        return List.of(password, once, once.toLowerCase(), enc(once), base64.encodeToString(password.getBytes(StandardCharsets.UTF_8)),
                base64.encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)), password.replace("/", "\\/"),
                password.replace("@", "\\u0040"), password.replace("+", "\\u002b"), password.replace("+", " "),
                password.substring(password.indexOf('+') + 1, password.indexOf('@')));
    }

    private static String uri(String user, String password) {
        return "redis://" + user + ":" + enc(password) + "@127.0.0.1:" + redis.port();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Every byte the child printed: its standard output and error, where its logs go. */
    private static String output(JavaProcess process) {
        try {
            return Files.readString(process.outputFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String receiveJms(String queue) throws Exception {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl);
             Connection connection = factory.createConnection("jms", JMS_PASSWORD)) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            Message message = consumer.receive(30_000);
            return message == null ? null : new String(message.getBody(byte[].class), StandardCharsets.UTF_8);
        }
    }

    private static Path trustStore(Path cert, Path file, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            store.setCertificateEntry("redis", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
