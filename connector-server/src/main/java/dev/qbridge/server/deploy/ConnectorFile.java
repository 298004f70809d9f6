package dev.qbridge.server.deploy;

import dev.qbridge.core.Secrets;
import dev.qbridge.server.auth.BearerToken;
import dev.qbridge.server.cli.DurationConverter;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.configuration2.PropertiesConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.interpol.DefaultLookups;
import org.apache.commons.configuration2.io.FileLocatorUtils;
import picocli.CommandLine;

/**
 * The connector file: a {@code .properties} file read with Apache Commons Configuration 2, so values may use
 * {@code ${env:NAME}} and {@code ${sys:name}} and the file may {@code include = other.conf} (relative to it).
 * Every key is declared here with its documentation and default: this class is the reference of the format
 * (docs/server.md repeats it). Unknown keys are refused, so a typo never silently does nothing.
 */
public final class ConnectorFile {

    /** A key of the connector file. */
    public record Key(String name, String doc, String defaultValue) {
    }

    public static final String SOURCE_CONFIG = "source";
    public static final String SINK_CONFIG = "sink";
    public static final String NAME_CONFIG = "name";
    public static final String ENABLED_CONFIG = "enabled";
    public static final String CONCURRENCY_CONFIG = "concurrency";
    public static final String BATCH_SIZE_CONFIG = "batchSize";
    public static final String MAX_ATTEMPTS_CONFIG = "retry.maxAttempts";
    public static final String INITIAL_BACKOFF_CONFIG = "retry.initialBackoff";
    public static final String MAX_BACKOFF_CONFIG = "retry.maxBackoff";
    public static final String DEAD_LETTER_QUEUE_CONFIG = "deadLetterQueue";
    public static final String STOP_TIMEOUT_CONFIG = "stopTimeout";
    public static final String TEMPLATE_CONFIG = "template";
    public static final String TEMPLATE_PARAMETER_PREFIX = "template.";
    public static final String JMS_BROKER_URL_CONFIG = "jms.brokerUrl";
    public static final String JMS_USER_CONFIG = "jms.user";
    public static final String JMS_PASSWORD_CONFIG = "jms.password";
    public static final String HTTP_TOKEN_FILE_CONFIG = "http.tokenFile";

    /** The prefix of the stand-in hash of a file that could not be read. */
    static final String UNREADABLE = "unreadable:";

    /** A connector file is a few lines: anything larger is a mistake, refused before it is read. */
    public static final int MAX_BYTES = 1024 * 1024;

    /** Every key, in the order docs/server.md lists them. */
    public static final List<Key> KEYS = List.of(
            new Key(SOURCE_CONFIG, "Camel endpoint URI jobs are consumed from, such as redisq:orders?redisUri=${env:REDIS_URL}. "
                    + "Required.", null),
            new Key(SINK_CONFIG, "Camel endpoint URI every job is sent to, such as kafka:orders?brokers=localhost:9092. A job "
                    + "leaves its source only once the sink has it. Required.", null),
            new Key(NAME_CONFIG, "The connector's name (its route id, its label in metrics); unique in the server.",
                    "the file name without .properties"),
            new Key(ENABLED_CONFIG, "false keeps the file without running the connector.", "true"),
            new Key(CONCURRENCY_CONFIG, "Consumer threads of a redisq: source (its concurrentConsumers).", "1"),
            new Key(BATCH_SIZE_CONFIG, "Jobs a redisq: source takes and acks per round trip, 1 to 1000.", "100"),
            new Key(MAX_ATTEMPTS_CONFIG, "Deliveries of a job from a redisq: source before it is dead-lettered.", "5"),
            new Key(INITIAL_BACKOFF_CONFIG, "Wait before the first retry of a failed job of a redisq: source (500ms, 2s, 1m).", "1s"),
            new Key(MAX_BACKOFF_CONFIG, "Longest wait between two retries of a redisq: source.", "5m"),
            new Key(DEAD_LETTER_QUEUE_CONFIG, "A reliable queue for the payloads of jobs of a redisq: source that failed for "
                    + "good; unset: the source queue's own <queue>:dead list, with the reason.", null),
            new Key(STOP_TIMEOUT_CONFIG, "How long stopping the connector (file removed or changed, server stopping) waits "
                    + "for jobs in flight to finish and be acked.", "30s"),
            new Key(TEMPLATE_CONFIG, "auto: a pair that a connector-camel bridge template covers (redisq with file, http, "
                    + "jms or kafka, either way) runs as that template, with its guarantees; other pairs run "
                            + "as the plain "
                    + "route from(source).to(sink). none: always the plain route. Any other value: the id of a route "
                    + "template (a YAML routeTemplate in routes/) that receives source, sink and the "
                            + "template.* parameters.",
                    "auto"),
            new Key(TEMPLATE_PARAMETER_PREFIX + "<parameter>", "A parameter of the route template.", null),
            new Key(JMS_BROKER_URL_CONFIG, "An Apache Artemis broker URL (tcp://host:61616): the connection factory of the "
                    + "connector's jms: endpoints, unless their URI names one.", null),
            new Key(JMS_USER_CONFIG, "User for the JMS broker.", null),
            new Key(JMS_PASSWORD_CONFIG, "Password for the JMS broker.", null),
            new Key(HTTP_TOKEN_FILE_CONFIG, "A file holding the token that requests to a platform-http: source must send "
                    + "as 'Authorization: Bearer <token>', instead of the server's --http-token-file (relative to the "
                    + "connector file).", null));

    private static final Pattern UNRESOLVED = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private ConnectorFile() {
    }

    /** True for a file the server loads: {@code *.properties}, not hidden, not {@code *.tmp}. */
    public static boolean isConnectorFile(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".properties") && !name.startsWith(".") && !name.endsWith(".tmp");
    }

    /**
     * Reads and validates a connector file into the complete spec its connector runs from, looking nothing up; the
     * exception names the file, the key and what to change. Nothing else is thrown, whatever the file holds.
     */
    public static ConnectorSpec parse(Path file) throws BadFileException {
        byte[] bytes = readBounded(file);
        String hash = sha256(bytes);
        try {
            Map<String, String> values = read(file, TextCheck.decode(file, bytes, hash), hash);
            return toSpec(file, values, hash);
        } catch (RuntimeException e) {
            // a value no check above foresaw: still this file's fault, reported against it
            throw bad(file, "-", "cannot be read: " + rootMessage(e), hash);
        }
    }

    /**
     * The file's bytes; a directory, a dangling link, a pipe or a file over {@link #MAX_BYTES} is reported without
     * being read (a pipe would block the scan, a large file would be hashed at every change).
     */
    private static byte[] readBounded(Path file) throws BadFileException {
        if (!Files.isRegularFile(file)) {
            throw bad(file, "-", notARegularFile(file), hashOf(file));
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw bad(file, "-", "cannot read the file: " + e.getMessage(), unreadable(e));
        }
        if (bytes.length > MAX_BYTES) {
            throw bad(file, "-", tooLarge(file), hashOf(file));
        }
        return bytes;
    }

    private static String tooLarge(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            size = MAX_BYTES + 1L;
        }
        return String.format(Locale.ROOT, "the file is %,d bytes: a connector file may be at most %,d bytes (1 MB); "
                + "move whatever else it holds out of the connector directory", size, MAX_BYTES);
    }

    private static String notARegularFile(Path file) {
        if (Files.isDirectory(file)) {
            return "is a directory, not a connector file: give directories of the connector directory a name that does "
                    + "not end in .properties";
        }
        if (Files.isSymbolicLink(file) && !Files.exists(file)) {
            String target;
            try {
                target = String.valueOf(Files.readSymbolicLink(file));
            } catch (IOException | UnsupportedOperationException e) {
                target = "a file";
            }
            return "is a symbolic link to " + target + ", which does not exist: fix the link or remove it";
        }
        if (!Files.exists(file)) {
            return "does not exist any more";
        }
        return "is not a regular file (a pipe, a socket or a device): a connector file must be a regular file";
    }

    private static Map<String, String> read(Path file, String text, String hash) throws BadFileException {
        PropertiesConfiguration config = new PropertiesConfiguration();
        // ${env:...} and ${sys:...} only: Commons Configuration would also read ${file:...}, ${xml:...},
        // ${properties:...}, ${java:...}, ${localhost:...}, ${date:...} and more, none of which is documented here
        config.installInterpolator(Map.of("env", DefaultLookups.ENVIRONMENT.getLookup(),
                "sys", DefaultLookups.SYSTEM_PROPERTIES.getLookup()), null);
        config.setThrowExceptionOnMissing(false);
        try {
            // the text already read and checked, with the file's place, so that includes are resolved relative to it
            // (and read as UTF-8 too)
            Path absolute = file.toAbsolutePath();
            config.initFileLocator(FileLocatorUtils.fileLocator().fileName(absolute.getFileName().toString())
                    .basePath(String.valueOf(absolute.getParent())).sourceURL(absolute.toUri().toURL())
                    .encoding(StandardCharsets.UTF_8.name()).create());
            config.read(new StringReader(text));
        } catch (ConfigurationException | IOException e) {
            throw bad(file, "-", "not a readable properties file: " + rootMessage(e), hash);
        }
        Map<String, String> values = new TreeMap<>();
        for (Iterator<String> keys = config.getKeys(); keys.hasNext(); ) {
            String key = keys.next();
            String value;
            try {
                value = config.getString(key);
            } catch (RuntimeException e) {
                throw bad(file, key, "cannot resolve the value: " + rootMessage(e), hash);
            }
            if (config.getList(key).size() > 1) {
                throw bad(file, key, "is set more than once (or contains an unescaped ','); set it once", hash);
            }
            Matcher unresolved = UNRESOLVED.matcher(value == null ? "" : value);
            if (unresolved.find()) {
                String variable = unresolved.group(1);
                if (variable.startsWith("file:")) {
                    throw bad(file, key, "${file:...} is not read in connector files: only ${env:NAME} and ${sys:name} "
                            + "are replaced; pass a secret in an environment variable, or write it in this file (readable "
                            + "by the server only)", hash);
                }
                throw bad(file, key, "${" + variable + "} is not set"
                        + (variable.startsWith("env:") ? ": export the environment variable " + variable.substring(4)
                            + " before starting the server" : variable.startsWith("sys:") ? ": pass -D" + variable.substring(4)
                            + "=... to the JVM" : ": use ${env:NAME} or ${sys:name}"), hash);
            }
            values.put(key, value == null ? "" : value.trim());
        }
        return values;
    }

    private static ConnectorSpec toSpec(Path file, Map<String, String> values, String hash) throws BadFileException {
        for (String key : values.keySet()) {
            if (!isKnown(key)) {
                throw bad(file, key, "unknown key; known keys: " + String.join(", ", KEYS.stream().map(Key::name).toList()), hash);
            }
        }
        String source = required(file, values, SOURCE_CONFIG, hash);
        String sink = required(file, values, SINK_CONFIG, hash);
        String defaultName = file.getFileName().toString().replaceFirst("\\.properties$", "");
        String name = values.getOrDefault(NAME_CONFIG, defaultName);
        if (!NAME.matcher(name).matches()) {
            throw bad(file, NAME_CONFIG, "'" + name + "' is not a valid connector name: use letters, digits, '.', '_' and '-'", hash);
        }
        String enabled = values.getOrDefault(ENABLED_CONFIG, "true");
        if (!enabled.equals("true") && !enabled.equals("false")) {
            throw bad(file, ENABLED_CONFIG, "must be true or false, was '" + enabled + "'", hash);
        }

        Map<String, String> redisqOptions = new LinkedHashMap<>();
        putInt(file, values, CONCURRENCY_CONFIG, "concurrentConsumers", 1, 256, redisqOptions, hash);
        putInt(file, values, BATCH_SIZE_CONFIG, "batchSize", 1, 1000, redisqOptions, hash);
        putInt(file, values, MAX_ATTEMPTS_CONFIG, "maxAttempts", 1, 1_000_000, redisqOptions, hash);
        putDuration(file, values, INITIAL_BACKOFF_CONFIG, "initialBackoff", redisqOptions, hash);
        putDuration(file, values, MAX_BACKOFF_CONFIG, "maxBackoff", redisqOptions, hash);
        if (values.containsKey(DEAD_LETTER_QUEUE_CONFIG)) {
            if (values.get(DEAD_LETTER_QUEUE_CONFIG).isEmpty()) {
                throw bad(file, DEAD_LETTER_QUEUE_CONFIG, "is empty: name a reliable queue, or remove the key to keep failed "
                        + "jobs in the source queue's own <queue>:dead list", hash);
            }
            redisqOptions.put("deadLetterQueue", values.get(DEAD_LETTER_QUEUE_CONFIG));
        }
        if (!redisqOptions.isEmpty()) {
            if (!ConnectorSpec.scheme(source).equals("redisq")) {
                String key = values.keySet().stream().filter(k -> List.of(CONCURRENCY_CONFIG, BATCH_SIZE_CONFIG,
                        MAX_ATTEMPTS_CONFIG, INITIAL_BACKOFF_CONFIG, MAX_BACKOFF_CONFIG, DEAD_LETTER_QUEUE_CONFIG).contains(k))
                        .findFirst().orElse(SOURCE_CONFIG);
                throw bad(file, key, "applies to a redisq: source only, and the source is " + ConnectorSpec.scheme(source)
                        + ":; set the option in the source URI instead", hash);
            }
            source = withOptions(file, source, redisqOptions, hash);
        }

        Duration stopTimeout = Duration.ofSeconds(30);
        if (values.containsKey(STOP_TIMEOUT_CONFIG)) {
            stopTimeout = duration(file, STOP_TIMEOUT_CONFIG, values.get(STOP_TIMEOUT_CONFIG), hash);
        }
        Optional<String> template = Optional.ofNullable(values.get(TEMPLATE_CONFIG)).filter(s -> !s.isEmpty());
        Map<String, String> templateParameters = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(TEMPLATE_PARAMETER_PREFIX)) {
                templateParameters.put(k.substring(TEMPLATE_PARAMETER_PREFIX.length()), v);
            }
        });
        if (template.isPresent() && template.get().equals("none") && !templateParameters.isEmpty()) {
            throw bad(file, TEMPLATE_PARAMETER_PREFIX + templateParameters.keySet().iterator().next(),
                    "a template parameter, but template = none runs no template: remove it or the template key", hash);
        }
        Endpoints.check(file, SOURCE_CONFIG, source, hash);
        Endpoints.check(file, SINK_CONFIG, sink, hash);
        Optional<ConnectorSpec.Jms> jms = jms(file, name, values, source, sink, hash);
        Optional<BearerToken> httpToken = httpToken(file, values, source, hash);
        Bridge route = Bridge.choose(file, hash, name, source, sink, template, Map.copyOf(templateParameters),
                jms.map(ConnectorSpec.Jms::bean).orElse(null));
        return new ConnectorSpec(name, enabled.equals("true"), file, source, sink, route, jms, httpToken, stopTimeout, hash);
    }

    /** The token of a platform-http: source's own http.tokenFile, read now: a file that cannot be used is this file's fault. */
    private static Optional<BearerToken> httpToken(Path file, Map<String, String> values, String source, String hash)
            throws BadFileException {
        Optional<String> path = optional(values, HTTP_TOKEN_FILE_CONFIG);
        if (path.isEmpty()) {
            return Optional.empty();
        }
        if (!ConnectorSpec.scheme(source).equals("platform-http")) {
            throw bad(file, HTTP_TOKEN_FILE_CONFIG, "applies to a platform-http: source only, and the source is "
                    + ConnectorSpec.scheme(source) + ":", hash);
        }
        try {
            return Optional.of(BearerToken.read(file.toAbsolutePath().getParent().resolve(path.get())));
        } catch (BearerToken.TokenFileException e) {
            throw bad(file, HTTP_TOKEN_FILE_CONFIG, e.getMessage(), hash);
        }
    }

    /** The connector's JMS broker, checked (its URL parsed, nothing connected) and named as the bean it is bound as. */
    private static Optional<ConnectorSpec.Jms> jms(Path file, String name, Map<String, String> values, String source,
                                                   String sink, String hash) throws BadFileException {
        Optional<String> url = optional(values, JMS_BROKER_URL_CONFIG);
        boolean jmsSide = ConnectorSpec.scheme(source).equals("jms") || ConnectorSpec.scheme(sink).equals("jms");
        if (url.isEmpty()) {
            for (String uri : List.of(source, sink)) {
                if (ConnectorSpec.scheme(uri).equals("jms") && !uri.contains("connectionFactory=")) {
                    throw bad(file, JMS_BROKER_URL_CONFIG, "is required for a jms: endpoint: set jms.brokerUrl = "
                            + "tcp://host:61616 (Apache Artemis), or connectionFactory=#bean:<name> in the URI", hash);
                }
            }
            return Optional.empty();
        }
        if (!jmsSide) {
            throw bad(file, JMS_BROKER_URL_CONFIG, "neither source nor sink is a jms: endpoint", hash);
        }
        try {
            JmsFactories.checkBrokerUrl(url.get());
        } catch (IllegalArgumentException e) {
            throw bad(file, JMS_BROKER_URL_CONFIG, e.getMessage(), hash);
        }
        Optional<String> user = optional(values, JMS_USER_CONFIG);
        Optional<String> password = optional(values, JMS_PASSWORD_CONFIG);
        String bean = "qbridge-jms-" + name + "-"
                + sha256((url.get() + "\n" + user.orElse("") + "\n" + password.orElse("")).getBytes(StandardCharsets.UTF_8)).substring(0, 8);
        return Optional.of(new ConnectorSpec.Jms(url.get(), user, password, bean));
    }

    /** A value that is set and not empty ({@code ${env:X:-}} gives an empty one). */
    private static Optional<String> optional(Map<String, String> values, String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isEmpty());
    }

    /**
     * The file's hash without parsing it: tells an unchanged file from a changed one. A file that is not read (not a
     * regular file, or too large) gets a stand-in that changes with what makes it unreadable.
     */
    public static String hashOf(Path file) {
        if (!Files.isRegularFile(file)) {
            return "not-a-file:" + (Files.isDirectory(file) ? "directory" : Files.isSymbolicLink(file) ? "link" : "other");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            return bytes.length > MAX_BYTES ? "too-large:" + Files.size(file) : sha256(bytes);
        } catch (IOException e) {
            return unreadable(e);
        }
    }

    /** The stand-in hash of a file that could not be read: the same for as long as the same error stands. */
    private static String unreadable(IOException e) {
        return UNREADABLE + e.getClass().getSimpleName();
    }

    private static boolean isKnown(String key) {
        return key.startsWith(TEMPLATE_PARAMETER_PREFIX) && key.length() > TEMPLATE_PARAMETER_PREFIX.length()
                || KEYS.stream().anyMatch(k -> k.name().equals(key));
    }

    private static String required(Path file, Map<String, String> values, String key, String hash) throws BadFileException {
        String value = values.get(key);
        if (value == null || value.isEmpty()) {
            throw bad(file, key, "is required: a Camel endpoint URI such as "
                    + (key.equals(SOURCE_CONFIG) ? "redisq:orders?redisUri=${env:REDIS_URL}" : "kafka:orders?brokers=localhost:9092"), hash);
        }
        if (!value.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            throw bad(file, key, "'" + Secrets.redact(value) + "' is not a Camel endpoint URI: write scheme:path?options, "
                    + "such as redisq:orders or file:/var/out", hash);
        }
        return value;
    }

    private static void putInt(Path file, Map<String, String> values, String key, String option, int min, int max,
                               Map<String, String> options, String hash) throws BadFileException {
        String value = values.get(key);
        if (value == null) {
            return;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw bad(file, key, "must be between " + min + " and " + max + ", was " + n, hash);
            }
            options.put(option, Integer.toString(n));
        } catch (NumberFormatException e) {
            throw bad(file, key, "'" + value + "' is not a whole number", hash);
        }
    }

    private static void putDuration(Path file, Map<String, String> values, String key, String option,
                                    Map<String, String> options, String hash) throws BadFileException {
        String value = values.get(key);
        if (value != null) {
            options.put(option, Long.toString(duration(file, key, value, hash).toMillis()));
        }
    }

    private static Duration duration(Path file, String key, String value, String hash) throws BadFileException {
        try {
            return DurationConverter.parse(value);
        } catch (CommandLine.TypeConversionException e) {
            throw bad(file, key, e.getMessage(), hash);
        }
    }

    private static String withOptions(Path file, String uri, Map<String, String> options, String hash) throws BadFileException {
        StringBuilder s = new StringBuilder(uri);
        String query = uri.contains("?") ? uri.substring(uri.indexOf('?') + 1) : "";
        for (Map.Entry<String, String> o : options.entrySet()) {
            if (query.matches("(^|.*&)" + Pattern.quote(o.getKey()) + "=.*")) {
                String key = KEYS.stream().map(Key::name).filter(k -> k.endsWith(o.getKey())).findFirst().orElse(o.getKey());
                throw bad(file, key, "is also set as " + o.getKey() + " in the source URI; set it in one place", hash);
            }
            s.append(s.indexOf("?") < 0 ? '?' : '&').append(o.getKey()).append('=').append(o.getValue());
        }
        return s.toString();
    }

    static BadFileException bad(Path file, String key, String reason, String hash) {
        return new BadFileException(new BadFile(file, key, Secrets.redact(reason), hash));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
