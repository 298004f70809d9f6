package dev.qbridge.server.deploy;

import dev.qbridge.camel.bridge.BridgeTemplates;
import java.net.URISyntaxException;
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
 * @param parameters the template's parameters
 */
public record Bridge(Optional<String> template, Map<String, String> parameters) {

    public static final String AUTO = "auto";
    public static final String NONE = "none";

    static Bridge plain() {
        return new Bridge(Optional.empty(), Map.of());
    }

    /**
     * Chooses the route for a connector. {@code jmsFactory} is the name of the bean of its jms.brokerUrl (or null).
     * Throws a message naming the key when a peer URI has options its bridge cannot take.
     */
    static Bridge choose(ConnectorSpec spec, String jmsFactory) throws BadFileException {
        String template = spec.template().orElse(AUTO);
        if (template.equals(NONE)) {
            return plain();
        }
        if (!template.equals(AUTO)) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("source", spec.source());
            p.put("sink", spec.sink());
            p.putAll(spec.templateParameters());
            return new Bridge(Optional.of(template), p);
        }
        String from = ConnectorSpec.scheme(spec.source());
        String to = ConnectorSpec.scheme(spec.sink());
        Map<String, String> p = new LinkedHashMap<>();
        String id;
        if (from.equals("redisq") && !to.equals("redisq")) {
            p.put("source", spec.source());
            Peer sink = Peer.parse(spec, ConnectorFile.SINK_CONFIG, spec.sink());
            switch (to) {
                case "file" -> {
                    id = BridgeTemplates.REDISQ_TO_FILE;
                    p.put("directory", sink.path());
                    sink.take(spec, id, p, Set.of("fileName"));
                }
                case "http", "https" -> {
                    id = BridgeTemplates.REDISQ_TO_HTTP;
                    p.put("url", sink.uriWithoutQuery());
                    sink.take(spec, id, p, Set.of());
                }
                case "jms" -> {
                    id = BridgeTemplates.REDISQ_TO_JMS;
                    p.put("destination", sink.path());
                    sink.take(spec, id, p, Set.of("connectionFactory", "jmsMessageType"));
                    rename(p, "jmsMessageType", "messageType");
                    jms(spec, p, jmsFactory);
                }
                case "kafka" -> {
                    id = BridgeTemplates.REDISQ_TO_KAFKA;
                    p.put("topic", sink.path());
                    sink.take(spec, id, p, Set.of("brokers"));
                }
                default -> {
                    return plain();
                }
            }
        } else if (to.equals("redisq") && !from.equals("redisq")) {
            p.put("sink", spec.sink());
            Peer source = Peer.parse(spec, ConnectorFile.SOURCE_CONFIG, spec.source());
            switch (from) {
                case "file" -> {
                    id = BridgeTemplates.FILE_TO_REDISQ;
                    p.put("directory", source.path());
                    source.take(spec, id, p, Set.of("include", "readLock"));
                }
                case "platform-http" -> {
                    id = BridgeTemplates.HTTP_TO_REDISQ;
                    p.put("path", source.path());
                    source.take(spec, id, p, Set.of());
                }
                case "jms" -> {
                    id = BridgeTemplates.JMS_TO_REDISQ;
                    p.put("destination", source.path());
                    source.take(spec, id, p, Set.of("connectionFactory", "concurrentConsumers"));
                    jms(spec, p, jmsFactory);
                }
                case "kafka" -> {
                    id = BridgeTemplates.KAFKA_TO_REDISQ;
                    p.put("topic", source.path());
                    source.take(spec, id, p, Set.of("brokers", "groupId"));
                }
                default -> {
                    return plain();
                }
            }
        } else {
            return plain();
        }
        p.putAll(spec.templateParameters());
        return new Bridge(Optional.of(id), p);
    }

    private static void jms(ConnectorSpec spec, Map<String, String> p, String jmsFactory) throws BadFileException {
        String factory = p.get("connectionFactory");
        if (factory != null) {
            p.put("connectionFactory", factory.replaceFirst("^#(bean:)?", ""));
        } else if (jmsFactory != null) {
            p.put("connectionFactory", jmsFactory);
        } else {
            throw ConnectorFile.bad(spec.file(), ConnectorFile.JMS_BROKER_URL_CONFIG, "is required for a jms: endpoint: set "
                    + "jms.brokerUrl = tcp://host:61616 (Apache Artemis), or connectionFactory=#bean:<name> in the URI",
                    spec.contentHash());
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

        static Peer parse(ConnectorSpec spec, String key, String uri) throws BadFileException {
            int q = uri.indexOf('?');
            String base = q < 0 ? uri : uri.substring(0, q);
            String path = base.substring(base.indexOf(':') + 1);
            if (path.startsWith("//") && !ConnectorSpec.scheme(uri).startsWith("http")) {
                path = path.substring(2);
            }
            try {
                Map<String, Object> options = q < 0 ? Map.of() : URISupport.parseQuery(uri.substring(q + 1));
                return new Peer(key, uri, path, new LinkedHashMap<>(options));
            } catch (URISyntaxException e) {
                throw ConnectorFile.bad(spec.file(), key, "the query of the URI cannot be parsed: " + e.getMessage(), spec.contentHash());
            }
        }

        String uriWithoutQuery() {
            int q = uri.indexOf('?');
            return q < 0 ? uri : uri.substring(0, q);
        }

        /** Moves the known options into the template parameters; any other option is an error that says what to do. */
        void take(ConnectorSpec spec, String template, Map<String, String> parameters, Set<String> known) throws BadFileException {
            for (Map.Entry<String, Object> o : options.entrySet()) {
                if (!known.contains(o.getKey())) {
                    throw ConnectorFile.bad(spec.file(), key, "option " + o.getKey() + " is not taken by the " + template
                            + " bridge" + (known.isEmpty() ? "" : " (it takes " + String.join(", ", List.copyOf(known)) + ")")
                            + "; set template = none to run a plain Camel route from source to sink with any options",
                            spec.contentHash());
                }
                parameters.put(o.getKey(), String.valueOf(o.getValue()));
            }
        }
    }
}
