package dev.qbridge.server.deploy;

import dev.qbridge.core.Secrets;
import dev.qbridge.server.auth.BearerToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One connector as its file defines it, validated and complete: where jobs come from, where they go, and the route
 * that runs between them. Built once by {@link ConnectorFile#parse}, before anything is looked up or created in
 * Camel; the deployer only runs it. The endpoint URIs are final (the file's options for a {@code redisq:} source
 * already applied).
 *
 * @param name        the connector's name, unique in the server: the route id
 * @param enabled     false: the file is valid but its connector is not run
 * @param file        the file it was read from
 * @param source      Camel endpoint URI jobs are consumed from, as the file says
 * @param sink        Camel endpoint URI every job is sent to; the job leaves the source only once this succeeded
 * @param route       the route that runs: a bridge template with its parameters, or the plain route
 * @param jms         the JMS broker of the connector's jms: endpoints, when the file names one
 * @param httpToken   the token a platform-http: source's requests need instead of the server's, when the file names one
 * @param stopTimeout how long a graceful stop waits for jobs in flight before it forces the route down
 * @param contentHash SHA-256 of the file's bytes, to tell a changed file from a touched one
 */
public record ConnectorSpec(String name, boolean enabled, Path file, String source, String sink, Bridge route,
                            Optional<Jms> jms, Optional<BearerToken> httpToken, Duration stopTimeout, String contentHash) {

    /**
     * An Apache Artemis broker for a connector's jms: endpoints, bound as a connection factory under {@code bean}.
     * The bean name carries the connector and a hash of the settings, so a changed broker gets a new factory.
     */
    public record Jms(String brokerUrl, Optional<String> user, Optional<String> password, String bean) {
        @Override
        public String toString() {
            return "Jms[" + Secrets.redact(brokerUrl) + user.map(u -> ", user " + u).orElse("")
                    + password.map(p -> ", password " + Secrets.MASK).orElse("") + "]";
        }
    }

    /** The scheme of an endpoint URI: {@code redisq} for {@code redisq:orders?...}. */
    public static String scheme(String uri) {
        int colon = uri.indexOf(':');
        return colon < 0 ? uri : uri.substring(0, colon);
    }

    @Override
    public String toString() {
        return "connector " + name + " (" + file.getFileName() + "): " + Secrets.redact(source) + " -> "
                + Secrets.redact(sink) + ", " + route.describe() + jms.map(j -> ", " + j).orElse("");
    }
}
