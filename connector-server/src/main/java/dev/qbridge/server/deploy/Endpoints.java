package dev.qbridge.server.deploy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.util.URISupport;

/**
 * What can be known of an endpoint URI without Camel: a path and a query that parse. Checked while the file is
 * parsed, before any endpoint is looked up or created, so that a URI Camel would choke on (an empty queue name,
 * {@code redisq:}) is reported against its key like any other mistake. What only the component knows (its options'
 * names and values) is reported when the deployer creates the endpoint, against the same key.
 */
final class Endpoints {

    private Endpoints() {
    }

    static void check(Path file, String key, String uri, String hash) throws BadFileException {
        String scheme = ConnectorSpec.scheme(uri);
        int q = uri.indexOf('?');
        String path = (q < 0 ? uri : uri.substring(0, q)).substring(scheme.length() + 1);
        if (path.startsWith("//")) {
            path = path.substring(2);
        }
        if (path.isBlank()) {
            throw ConnectorFile.bad(file, key, scheme.equals("redisq")
                    ? "the queue name is empty: write redisq:<queue>, such as redisq:orders"
                    : "nothing follows '" + scheme + ":': write " + scheme + ":<" + what(scheme) + ">", hash);
        }
        Map<String, Object> options;
        try {
            options = q < 0 ? Map.of() : URISupport.parseQuery(uri.substring(q + 1));
        } catch (URISyntaxException | RuntimeException e) {
            throw ConnectorFile.bad(file, key, "the options of the URI cannot be parsed: " + e.getMessage(), hash);
        }
        if (scheme.equals("redisq")) {
            Object deadLetters = options.get("deadLetterQueue");
            if (deadLetters != null && String.valueOf(deadLetters).isBlank()) {
                throw ConnectorFile.bad(file, key, "deadLetterQueue is empty: name a reliable queue, or remove the option to keep "
                        + "failed jobs in the queue's own <queue>:dead list", hash);
            }
        }
        if (scheme.equals("platform-http") && !path.startsWith("/")) {
            throw ConnectorFile.bad(file, key, "the path '" + path + "' must start with /, such as platform-http:/jobs", hash);
        }
    }

    private static String what(String scheme) {
        return switch (scheme) {
            case "kafka" -> "topic>?brokers=<host:port";
            case "jms" -> "queue:name> or jms:<topic:name";
            case "file" -> "directory";
            case "platform-http" -> "/path";
            case "http", "https" -> "//host/path";
            default -> "path";
        };
    }
}
