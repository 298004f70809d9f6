package dev.qbridge.server.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One connector as its file defines it, validated: where jobs come from, where they go, and how the route between
 * them runs. Built by {@link ConnectorFile#parse}; the endpoint URIs are final (the file's options for a
 * {@code redisq:} source already applied).
 *
 * @param name         the connector's name, unique in the server: the route id
 * @param enabled      false: the file is valid but its connector is not run
 * @param file         the file it was read from
 * @param source       Camel endpoint URI jobs are consumed from
 * @param sink         Camel endpoint URI every job is sent to; the job leaves the source only once this succeeded
 * @param template     a route template id to instantiate instead of the plain source-to-sink route
 * @param templateParameters the template's parameters (besides source and sink, which it always receives)
 * @param jmsBrokerUrl an Artemis broker URL: a connection factory for jms: endpoints of this connector
 * @param jmsUser      user for the JMS broker
 * @param jmsPassword  password for the JMS broker
 * @param stopTimeout  how long a graceful stop waits for jobs in flight before it forces the route down
 * @param contentHash  SHA-256 of the file's bytes, to tell a changed file from a touched one
 */
public record ConnectorSpec(String name, boolean enabled, Path file, String source, String sink, Optional<String> template,
                            Map<String, String> templateParameters, Optional<String> jmsBrokerUrl,
                            Optional<String> jmsUser, Optional<String> jmsPassword, Duration stopTimeout,
                            String contentHash) {

    /** The scheme of an endpoint URI: {@code redisq} for {@code redisq:orders?...}. */
    public static String scheme(String uri) {
        int colon = uri.indexOf(':');
        return colon < 0 ? uri : uri.substring(0, colon);
    }
}
