package dev.qbridge.server.deploy;

import dev.qbridge.camel.bridge.BridgeTemplates;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.util.URISupport;

/**
 * How a connector's route is built. With {@code template = auto} (the default), a pair of endpoints that a bridge
 * template of connector-camel covers runs as that template, so its guarantees hold without any option to remember:
 * files written atomically, Kafka offsets committed only after the push, Kafka writes with acks=all, JMS consumed in
 * a transaction, HTTP 4xx dead-lettered and 5xx retried. Any other pair, or {@code template = none}, runs as the
 * plain route {@code from(source).to(sink)}; {@code template = <id>} runs that route template.
 *
 * @param template   the route template id, empty for the plain route
 * @param parameters the template's parameters; for the plain route its {@code source} and {@code sink} URIs
 * @param endpoints  the endpoint URIs (by the file key they come from) created before the route is added, so that
 *                   an unknown component or an option Camel refuses is reported against its key: the whole URIs of
 *                   the route (a bridge's redisq: side; both sides of a plain route or a template of the user's)
 * @param faultKey   the file key a failure to build the route itself is reported against: a bridge's peer side
 *                   (its endpoint is built by the template), the template key for a template of the user's
 */
public record Bridge(Optional<String> template, Map<String, String> parameters, Map<String, String> endpoints,
                     String faultKey) {

    public static final String AUTO = "auto";
    public static final String NONE = "none";

    /** {@code template <id>} or {@code plain}, as /connectors shows it. */
    public String describe() {
        return template.map(t -> "template " + t).orElse("plain");
    }

    private static Bridge plain(String source, String sink) {
        Map<String, String> uris = new LinkedHashMap<>();
        uris.put(ConnectorFile.SOURCE_CONFIG, source);
        uris.put(ConnectorFile.SINK_CONFIG, sink);
        return new Bridge(Optional.empty(), Map.of("source", source, "sink", sink), Collections.unmodifiableMap(uris), "-");
    }

    /**
     * Chooses the route for a connector: pure, it looks nothing up. {@code jmsBean} is the name of the connection
     * factory bean of the connector's jms.brokerUrl, or null. Throws a message naming the key when a peer URI has
     * options its bridge cannot take or lacks one it needs. A Kafka client is named {@code qbridge-<connector>}
     * (unless the URI names it), so that its log lines, rate-limited per client, say which connector they are about.
     */
    static Bridge choose(Path file, String hash, String connector, String source, String sink, Optional<String> templateKey,
                         Map<String, String> templateParameters, String jmsBean) throws BadFileException {
        String template = templateKey.orElse(AUTO);
        if (template.equals(NONE)) {
            return plain(withJms(source, jmsBean), withJms(sink, jmsBean));
        }
        if (!template.equals(AUTO)) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("source", withJms(source, jmsBean));
            p.put("sink", withJms(sink, jmsBean));
            p.putAll(templateParameters);
            Map<String, String> uris = new LinkedHashMap<>();
            uris.put(ConnectorFile.SOURCE_CONFIG, p.get("source"));
            uris.put(ConnectorFile.SINK_CONFIG, p.get("sink"));
            return new Bridge(Optional.of(template), Collections.unmodifiableMap(p), Collections.unmodifiableMap(uris),
                    ConnectorFile.TEMPLATE_CONFIG);
        }
        String from = ConnectorSpec.scheme(source);
        String to = ConnectorSpec.scheme(sink);
        Map<String, String> p = new LinkedHashMap<>();
        String id;
        String redisqKey;
        String peerKey;
        if (from.equals("redisq") && !to.equals("redisq")) {
            redisqKey = ConnectorFile.SOURCE_CONFIG;
            peerKey = ConnectorFile.SINK_CONFIG;
            p.put("source", source);
            Peer peer = Peer.parse(file, hash, peerKey, sink);
            switch (to) {
                case "file" -> {
                    id = BridgeTemplates.REDISQ_TO_FILE;
                    p.put("directory", peer.path());
                    peer.take(file, hash, id, p, Set.of("fileName"));
                }
                case "http", "https" -> {
                    id = BridgeTemplates.REDISQ_TO_HTTP;
                    p.put("url", peer.uriWithoutQuery());
                    peer.take(file, hash, id, p, Set.of());
                }
                case "jms" -> {
                    id = BridgeTemplates.REDISQ_TO_JMS;
                    p.put("destination", peer.path());
                    peer.take(file, hash, id, p, Set.of("connectionFactory", "jmsMessageType"));
                    rename(p, "jmsMessageType", "messageType");
                    jms(file, hash, p, jmsBean);
                }
                case "kafka" -> {
                    id = BridgeTemplates.REDISQ_TO_KAFKA;
                    p.put("topic", peer.path());
                    p.put("clientId", "qbridge-" + connector);
                    peer.take(file, hash, id, p, Set.of("brokers", "clientId", "maxBlockMs", "requestTimeoutMs", "deliveryTimeoutMs"));
                    peer.require(file, hash, p, "brokers", "host:port[,host:port]");
                }
                default -> {
                    return plain(withJms(source, jmsBean), withJms(sink, jmsBean));
                }
            }
        } else if (to.equals("redisq") && !from.equals("redisq")) {
            redisqKey = ConnectorFile.SINK_CONFIG;
            peerKey = ConnectorFile.SOURCE_CONFIG;
            p.put("sink", sink);
            Peer peer = Peer.parse(file, hash, peerKey, source);
            switch (from) {
                case "file" -> {
                    id = BridgeTemplates.FILE_TO_REDISQ;
                    p.put("directory", peer.path());
                    peer.take(file, hash, id, p, Set.of("include", "readLock"));
                }
                case "platform-http" -> {
                    id = BridgeTemplates.HTTP_TO_REDISQ;
                    p.put("path", peer.path());
                    peer.take(file, hash, id, p, Set.of());
                }
                case "jms" -> {
                    id = BridgeTemplates.JMS_TO_REDISQ;
                    p.put("destination", peer.path());
                    peer.take(file, hash, id, p, Set.of("connectionFactory", "concurrentConsumers"));
                    jms(file, hash, p, jmsBean);
                }
                case "kafka" -> {
                    id = BridgeTemplates.KAFKA_TO_REDISQ;
                    p.put("topic", peer.path());
                    p.put("clientId", "qbridge-" + connector);
                    peer.take(file, hash, id, p, Set.of("brokers", "groupId", "clientId"));
                    peer.require(file, hash, p, "brokers", "host:port[,host:port]");
                }
                default -> {
                    return plain(withJms(source, jmsBean), withJms(sink, jmsBean));
                }
            }
        } else {
            return plain(withJms(source, jmsBean), withJms(sink, jmsBean));
        }
        p.putAll(templateParameters);
        return new Bridge(Optional.of(id), Collections.unmodifiableMap(p),
                Map.of(redisqKey, redisqKey.equals(ConnectorFile.SOURCE_CONFIG) ? source : sink), peerKey);
    }

    /** A jms: URI of a plain route gets the connector's connection factory, unless it names one. */
    static String withJms(String uri, String factory) {
        if (factory == null || !ConnectorSpec.scheme(uri).equals("jms") || uri.contains("connectionFactory=")) {
            return uri;
        }
        return uri + (uri.contains("?") ? "&" : "?") + "connectionFactory=#" + factory;
    }

    private static void jms(Path file, String hash, Map<String, String> p, String jmsFactory) throws BadFileException {
        String factory = p.get("connectionFactory");
        if (factory != null) {
            p.put("connectionFactory", factory.replaceFirst("^#(bean:)?", ""));
        } else if (jmsFactory != null) {
            p.put("connectionFactory", jmsFactory);
        } else {
            throw ConnectorFile.bad(file, ConnectorFile.JMS_BROKER_URL_CONFIG, "is required for a jms: endpoint: set "
                    + "jms.brokerUrl = tcp://host:61616 (Apache Artemis), or connectionFactory=#bean:<name> in the URI", hash);
        }
    }

    private static void rename(Map<String, String> p, String from, String to) {
        String v = p.remove(from);
        if (v != null) {
            p.put(to, v);
        }
    }

    /** The peer endpoint's path and options. */
    private record Peer(String key, String uri, String path, Map<String, Object> options) {

        static Peer parse(Path file, String hash, String key, String uri) throws BadFileException {
            int q = uri.indexOf('?');
            String base = q < 0 ? uri : uri.substring(0, q);
            String path = base.substring(base.indexOf(':') + 1);
            if (path.startsWith("//") && !ConnectorSpec.scheme(uri).startsWith("http")) {
                path = path.substring(2);
            }
            try {
                Map<String, Object> options = q < 0 ? Map.of() : URISupport.parseQuery(uri.substring(q + 1));
                return new Peer(key, uri, path, new LinkedHashMap<>(options));
            } catch (URISyntaxException | RuntimeException e) {
                throw ConnectorFile.bad(file, key, "the query of the URI cannot be parsed: " + e.getMessage(), hash);
            }
        }

        String uriWithoutQuery() {
            int q = uri.indexOf('?');
            return q < 0 ? uri : uri.substring(0, q);
        }

        /** Moves the known options into the template parameters; any other option is an error that says what to do. */
        void take(Path file, String hash, String template, Map<String, String> parameters, Set<String> known)
                throws BadFileException {
            for (Map.Entry<String, Object> o : options.entrySet()) {
                if (!known.contains(o.getKey())) {
                    throw ConnectorFile.bad(file, key, "option " + o.getKey() + " is not taken by the " + template
                            + " bridge" + (known.isEmpty() ? "" : " (it takes " + String.join(", ", List.copyOf(known)) + ")")
                            + "; set template = none to run a plain Camel route from source to sink with any options", hash);
                }
                parameters.put(o.getKey(), String.valueOf(o.getValue()));
            }
        }

        /** An option the bridge cannot run without. */
        void require(Path file, String hash, Map<String, String> parameters, String option, String example)
                throws BadFileException {
            String value = parameters.get(option);
            if (value == null || value.isBlank()) {
                throw ConnectorFile.bad(file, key, "needs the option " + option + "=" + example, hash);
            }
        }
    }
}
