package dev.qbridge.core.redis;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.Secrets;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where Redis is and how to log in, parsed from a URI:
 * <ul>
 *   <li>{@code redis://[user:password@]host:port[/db]} a standalone server,</li>
 *   <li>{@code rediss://...} the same over TLS,</li>
 *   <li>{@code redis-cluster://[user:password@]host1:port1,host2:port2} (or {@code rediss-cluster://}) a
 *       Redis Cluster reached through any of its seed nodes.</li>
 * </ul>
 * Query parameters: {@code timeout} (ms, connect and socket), {@code poolSize}, {@code clientName},
 * {@code trustStore} and {@code trustStorePassword} (a PKCS12 or JKS file of the certificates trusted for TLS),
 * {@code keyStore} and {@code keyStorePassword} (a PKCS12 or JKS file with the client certificate and its key, for a
 * server that authenticates clients: redis-server's {@code tls-auth-clients yes}, its default),
 * {@code verifyHostname} (default true: the server certificate must name the host of the URI, as a DNS name or
 * an IP address; false accepts any certificate the trust store trusts). User and password may also be given apart from the URI,
 * so that secrets can come from a password field. {@link #toString()} never shows the password.
 */
public final class RedisEndpoint {

    public record Node(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private final List<Node> nodes;
    private final boolean cluster;
    private final boolean tls;
    private final String user;
    private final String password;
    private final int database;
    private final int timeoutMillis;
    private final int poolSize;
    private final String clientName;
    private final Path trustStore;
    private final String trustStorePassword;
    private final Path keyStore;
    private final String keyStorePassword;
    private final boolean verifyHostname;

    private RedisEndpoint(Builder b) {
        this.nodes = List.copyOf(b.nodes);
        this.cluster = b.cluster;
        this.tls = b.tls;
        this.user = b.user;
        this.password = b.password;
        this.database = b.database;
        this.timeoutMillis = b.timeoutMillis;
        this.poolSize = b.poolSize;
        this.clientName = b.clientName;
        this.trustStore = b.trustStore;
        this.trustStorePassword = b.trustStorePassword;
        this.keyStore = b.keyStore;
        this.keyStorePassword = b.keyStorePassword;
        this.verifyHostname = b.verifyHostname;
    }

    /** Parses a URI of one of the forms above; the message of a bad one says which part is wrong. */
    public static RedisEndpoint parse(String uri) {
        return parseInto(uri, new Builder()).build();
    }

    public static Builder builder(String uri) {
        return parseInto(uri, new Builder());
    }

    public static Builder builder() {
        return new Builder();
    }

    private static Builder parseInto(String uri, Builder b) {
        if (uri == null || uri.isBlank()) {
            throw bad(uri, "it is empty; expected redis://host:port");
        }
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            throw bad(uri, "it has no scheme; expected redis://, rediss://, redis-cluster:// or rediss-cluster://");
        }
        String scheme = uri.substring(0, schemeEnd).toLowerCase();
        switch (scheme) {
            case "redis" -> { }
            case "rediss" -> b.tls = true;
            case "redis-cluster" -> b.cluster = true;
            case "rediss-cluster" -> { b.cluster = true; b.tls = true; }
            default -> throw bad(uri, "scheme '" + scheme + "' is unknown; use redis, rediss, redis-cluster or rediss-cluster");
        }
        String rest = uri.substring(schemeEnd + 3);
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
            int queryAt = query.indexOf('@');
            int queryEq = query.indexOf('=');
            if (rest.indexOf('@') < 0 && queryAt >= 0 && (queryEq < 0 || queryAt < queryEq)) {
                // the URI cannot be shown: the part of it taken for host and port is a piece of the password
                throw new QueueException(QueueException.Kind.CONFIG, "invalid Redis URI " + scheme + "://" + Secrets.MASK
                        + "@...: its password holds a '?'; percent-encode it (%3F) or give the password apart");
            }
        }
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            String u = colon >= 0 ? userInfo.substring(0, colon) : "";
            String p = colon >= 0 ? userInfo.substring(colon + 1) : userInfo;
            if (!u.isEmpty()) {
                b.user = decode(u);
            }
            if (!p.isEmpty()) {
                b.password = decode(p);
            }
        }
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String db = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!db.isEmpty()) {
                b.database = parseInt(uri, "database", db);
                if (b.cluster && b.database != 0) {
                    throw bad(uri, "Redis Cluster has only database 0");
                }
            }
        }
        b.nodes.clear();
        for (String hostPort : rest.split(",")) {
            b.nodes.add(parseNode(uri, hostPort.trim()));
        }
        if (!b.cluster && b.nodes.size() > 1) {
            throw bad(uri, "it names several hosts; use redis-cluster:// for a Redis Cluster");
        }
        if (query != null) {
            for (Map.Entry<String, String> p : parseQuery(query).entrySet()) {
                applyOption(uri, b, p.getKey(), p.getValue());
            }
        }
        return b;
    }

    private static void applyOption(String uri, Builder b, String key, String value) {
        switch (key) {
            case "timeout" -> b.timeoutMillis = parseInt(uri, key, value);
            case "poolSize" -> b.poolSize = parseInt(uri, key, value);
            case "clientName" -> b.clientName = value;
            case "trustStore" -> b.trustStore = Path.of(value);
            case "trustStorePassword" -> b.trustStorePassword = value;
            case "keyStore" -> b.keyStore = Path.of(value);
            case "keyStorePassword" -> b.keyStorePassword = value;
            case "verifyHostname" -> b.verifyHostname = Boolean.parseBoolean(value);
            case "user" -> b.user = value;
            case "password" -> b.password = value;
            default -> throw bad(uri, "parameter '" + key + "' is unknown; known: timeout, poolSize, clientName, "
                    + "trustStore, trustStorePassword, keyStore, keyStorePassword, verifyHostname, user, password");
        }
    }

    private static Node parseNode(String uri, String hostPort) {
        if (hostPort.isEmpty()) {
            throw bad(uri, "a host is missing");
        }
        String host = hostPort;
        int port = 6379;
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            host = hostPort.substring(1, end);
            if (end + 1 < hostPort.length() && hostPort.charAt(end + 1) == ':') {
                port = parseInt(uri, "port", hostPort.substring(end + 2));
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon >= 0) {
                host = hostPort.substring(0, colon);
                port = parseInt(uri, "port", hostPort.substring(colon + 1));
            }
        }
        if (port < 1 || port > 65535) {
            throw bad(uri, "port " + port + " is out of range 1-65535");
        }
        return new Node(host, port);
    }

    private static Map<String, String> parseQuery(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            params.put(decode(eq >= 0 ? pair.substring(0, eq) : pair), eq >= 0 ? decode(pair.substring(eq + 1)) : "");
        }
        return params;
    }

    private static int parseInt(String uri, String what, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw bad(uri, what + " '" + value + "' is not a number");
        }
    }

    /**
     * Percent-escapes undone, nothing else: a '+' is a plus in a URI (it became a space here, so a password holding one
     * never matched, and Camel hands a redisUri over with its escapes already undone), and a '%' that starts no escape
     * is kept rather than failing with a message that would quote the password around it.
     */
    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static QueueException bad(String uri, String why) {
        return new QueueException(QueueException.Kind.CONFIG,
                "invalid Redis URI '" + Secrets.redact(uri) + "': " + why);
    }

    public List<Node> nodes() {
        return nodes;
    }

    public boolean isCluster() {
        return cluster;
    }

    public boolean isTls() {
        return tls;
    }

    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** The password; only for handing to the client library, never for printing. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    public int database() {
        return database;
    }

    public int timeoutMillis() {
        return timeoutMillis;
    }

    public int poolSize() {
        return poolSize;
    }

    public Optional<String> clientName() {
        return Optional.ofNullable(clientName);
    }

    public Optional<Path> trustStore() {
        return Optional.ofNullable(trustStore);
    }

    public Optional<String> trustStorePassword() {
        return Optional.ofNullable(trustStorePassword);
    }

    /** The client certificate and key to present when the server asks for one. */
    public Optional<Path> keyStore() {
        return Optional.ofNullable(keyStore);
    }

    /** The key store's password; only for opening the key store, never for printing. */
    public Optional<String> keyStorePassword() {
        return Optional.ofNullable(keyStorePassword);
    }

    public boolean verifyHostname() {
        return verifyHostname;
    }

    /** Safe to log: scheme, user, hosts and database, never the password. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(tls ? "rediss" : "redis").append(cluster ? "-cluster://" : "://");
        if (user != null || password != null) {
            s.append(user == null ? "" : user).append(password == null ? "" : ":" + Secrets.MASK).append('@');
        }
        List<String> hosts = new ArrayList<>();
        nodes.forEach(n -> hosts.add(n.toString()));
        s.append(String.join(",", hosts));
        if (database != 0) {
            s.append('/').append(database);
        }
        return s.toString();
    }

    /** Two endpoints are equal when every setting is, so a pool shared per endpoint never mixes settings. */
    @Override
    public boolean equals(Object o) {
        return o instanceof RedisEndpoint e && e.nodes.equals(nodes) && e.cluster == cluster && e.tls == tls
                && Objects.equals(e.user, user) && Objects.equals(e.password, password) && e.database == database
                && e.timeoutMillis == timeoutMillis && e.poolSize == poolSize && Objects.equals(e.clientName, clientName)
                && Objects.equals(e.trustStore, trustStore) && Objects.equals(e.trustStorePassword, trustStorePassword)
                && Objects.equals(e.keyStore, keyStore) && Objects.equals(e.keyStorePassword, keyStorePassword)
                && e.verifyHostname == verifyHostname;
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodes, cluster, tls, user, database, timeoutMillis, poolSize, clientName, trustStore, keyStore);
    }

    /** Builds an endpoint; user and password set here override those of the URI. */
    public static final class Builder {
        private final List<Node> nodes = new ArrayList<>(List.of(new Node("localhost", 6379)));
        private boolean cluster;
        private boolean tls;
        private String user;
        private String password;
        private int database;
        private int timeoutMillis = 5000;
        private int poolSize = 32;
        private String clientName = "qbridge";
        private Path trustStore;
        private String trustStorePassword;
        private Path keyStore;
        private String keyStorePassword;
        private boolean verifyHostname = true;

        private Builder() {
        }

        public Builder user(String user) {
            this.user = user == null || user.isEmpty() ? this.user : user;
            return this;
        }

        public Builder password(String password) {
            this.password = password == null || password.isEmpty() ? this.password : password;
            return this;
        }

        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        public Builder timeoutMillis(int timeoutMillis) {
            this.timeoutMillis = timeoutMillis;
            return this;
        }

        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        public Builder clientName(String clientName) {
            this.clientName = clientName;
            return this;
        }

        public Builder trustStore(Path trustStore, String password) {
            this.trustStore = trustStore;
            this.trustStorePassword = password;
            return this;
        }

        /** The client certificate and its key (PKCS12 or JKS), for a server that authenticates TLS clients. */
        public Builder keyStore(Path keyStore, String password) {
            this.keyStore = keyStore;
            this.keyStorePassword = password;
            return this;
        }

        public Builder verifyHostname(boolean verifyHostname) {
            this.verifyHostname = verifyHostname;
            return this;
        }

        public RedisEndpoint build() {
            if (timeoutMillis <= 0) {
                throw new QueueException(QueueException.Kind.CONFIG, "Redis timeout must be positive, was " + timeoutMillis + " ms");
            }
            if (poolSize <= 0) {
                throw new QueueException(QueueException.Kind.CONFIG, "Redis poolSize must be positive, was " + poolSize);
            }
            if (!tls && (trustStore != null || keyStore != null)) {
                // a store that is silently ignored would send the password (and the jobs) in clear text
                throw new QueueException(QueueException.Kind.CONFIG, "Redis " + (keyStore != null ? "keyStore" : "trustStore")
                        + " is set but the connection is not TLS: use a rediss:// (or rediss-cluster://) URI");
            }
            return new RedisEndpoint(this);
        }
    }
}
