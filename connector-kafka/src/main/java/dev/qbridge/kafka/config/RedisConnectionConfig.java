package dev.qbridge.kafka.config;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.Secrets;
import dev.qbridge.core.redis.RedisEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;

/**
 * The Redis settings both connectors share: where Redis is and how to log in. Secrets are PASSWORD
 * fields, so the worker masks them in its REST answers and logs; {@link Password#value()} is only read
 * to build the endpoint.
 */
public final class RedisConnectionConfig {

    public static final String GROUP = "Redis";

    public static final String REDIS_URI_CONFIG = "redis.uri";
    private static final String REDIS_URI_DOC = "Where Redis is: redis://host:port[/db], rediss://host:port for TLS, or "
            + "redis-cluster://host1:port1,host2:port2 for a Redis Cluster (then every queue name needs a hash tag, "
            + "such as {orders}). Query parameters timeout (ms), poolSize, clientName and verifyHostname (default true: the "
            + "server's certificate must name the host; false accepts any certificate the trust store trusts) are "
            + "accepted. A URI with a password (user:password@ or a password option) is refused: the worker logs this "
            + "key and its REST API shows it; put the password in redis.password and the user in redis.user.";

    public static final String REDIS_USER_CONFIG = "redis.user";
    private static final String REDIS_USER_DOC = "The ACL user to log in as; empty for the default user.";

    public static final String REDIS_PASSWORD_CONFIG = "redis.password";
    private static final String REDIS_PASSWORD_DOC = "The password of the user (or of requirepass); empty when Redis "
            + "asks for none. Use a config provider (${file:...}) to keep it out of the connector config.";

    public static final String REDIS_TRUSTSTORE_CONFIG = "redis.truststore.path";
    private static final String REDIS_TRUSTSTORE_DOC = "A PKCS12 or JKS file of the certificates to trust for rediss:// "
            + "connections; empty to use the JVM's default trust store.";

    public static final String REDIS_TRUSTSTORE_PASSWORD_CONFIG = "redis.truststore.password";
    private static final String REDIS_TRUSTSTORE_PASSWORD_DOC = "The password of redis.truststore.path, if it has one.";

    public static final String REDIS_KEYSTORE_CONFIG = "redis.keystore.path";
    private static final String REDIS_KEYSTORE_DOC = "A PKCS12 or JKS file with the client certificate and its private "
            + "key, for mutual TLS with a Redis that authenticates clients (redis-server's tls-auth-clients yes, its "
            + "default); empty to present no certificate. Needs a rediss:// redis.uri.";

    public static final String REDIS_KEYSTORE_PASSWORD_CONFIG = "redis.keystore.password";
    private static final String REDIS_KEYSTORE_PASSWORD_DOC = "The password of redis.keystore.path and of the private "
            + "key in it (they must be the same, as openssl pkcs12 -export makes them).";

    private RedisConnectionConfig() {
    }

    /** Adds the Redis keys to a connector's definition. */
    public static ConfigDef define(ConfigDef def) {
        int order = 0;
        return def
                .define(REDIS_URI_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                        ConfigDef.CompositeValidator.of(new ConfigDef.NonEmptyString(), new UriWithoutPassword()), Importance.HIGH, REDIS_URI_DOC, GROUP, ++order, Width.LONG, "Redis URI")
                .define(REDIS_USER_CONFIG, Type.STRING, "", Importance.MEDIUM, REDIS_USER_DOC,
                        GROUP, ++order, Width.SHORT, "Redis user")
                .define(REDIS_PASSWORD_CONFIG, Type.PASSWORD, "", Importance.MEDIUM, REDIS_PASSWORD_DOC,
                        GROUP, ++order, Width.SHORT, "Redis password")
                .define(REDIS_TRUSTSTORE_CONFIG, Type.STRING, "", StoreFile.INSTANCE, Importance.LOW, REDIS_TRUSTSTORE_DOC,
                        GROUP, ++order, Width.LONG, "Trust store")
                .define(REDIS_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, "", Importance.LOW, REDIS_TRUSTSTORE_PASSWORD_DOC,
                        GROUP, ++order, Width.SHORT, "Trust store password")
                .define(REDIS_KEYSTORE_CONFIG, Type.STRING, "", StoreFile.INSTANCE, Importance.LOW, REDIS_KEYSTORE_DOC,
                        GROUP, ++order, Width.LONG, "Key store")
                .define(REDIS_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, "", new ConfigDef.NonNullValidator(), Importance.LOW,
                        REDIS_KEYSTORE_PASSWORD_DOC, GROUP, ++order, Width.SHORT, "Key store password");
    }

    /**
     * Refuses a {@code redis.uri} that holds a password: {@code AbstractConfig} logs every STRING value when a connector
     * starts, and the worker's REST API returns it, where only a PASSWORD key is hidden.
     */
    static final class UriWithoutPassword implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value instanceof String uri && Secrets.holdsSecret(uri)) {
                // ConfigException(name, value, message) would quote the very value it refuses
                throw new ConfigException(name + " must not hold a password, but " + Secrets.redact(uri) + " does: put "
                        + "the password in " + REDIS_PASSWORD_CONFIG + " (a PASSWORD key, hidden in logs and REST answers), "
                        + "the user in " + REDIS_USER_CONFIG + ", and remove them from the URI");
            }
        }

        @Override
        public String toString() {
            return "no password in it (use redis.password)";
        }
    }

    /** The endpoint of a parsed config; throws a CONFIG {@link QueueException} that says what is wrong. */
    public static RedisEndpoint endpoint(AbstractConfig config) {
        RedisEndpoint.Builder builder = RedisEndpoint.builder(config.getString(REDIS_URI_CONFIG))
                .user(config.getString(REDIS_USER_CONFIG))
                .password(secret(config.getPassword(REDIS_PASSWORD_CONFIG)));
        String trustStore = config.getString(REDIS_TRUSTSTORE_CONFIG);
        if (!trustStore.isBlank()) {
            builder.trustStore(Path.of(trustStore), secret(config.getPassword(REDIS_TRUSTSTORE_PASSWORD_CONFIG)));
        }
        String keyStore = config.getString(REDIS_KEYSTORE_CONFIG);
        if (!keyStore.isBlank()) {
            builder.keyStore(Path.of(keyStore), secret(config.getPassword(REDIS_KEYSTORE_PASSWORD_CONFIG)));
        }
        return builder.build();
    }

    private static String secret(Password password) {
        return password == null ? null : password.value();
    }

    /**
     * Cross-field checks of the Redis keys for {@code validate()}: a URI that does not parse, and queue names
     * that would put a queue's keys in different slots of a Redis Cluster.
     */
    public static void validate(Map<String, ConfigValue> values, List<String> queueNames, String queueKey) {
        ConfigValue uri = values.get(REDIS_URI_CONFIG);
        if (uri == null || uri.value() == null || !uri.errorMessages().isEmpty()) {
            return;
        }
        RedisEndpoint endpoint;
        try {
            endpoint = RedisEndpoint.parse((String) uri.value());
        } catch (QueueException e) {
            uri.addErrorMessage(e.getMessage());
            return;
        }
        if (!endpoint.isTls()) {
            for (String store : List.of(REDIS_KEYSTORE_CONFIG, REDIS_TRUSTSTORE_CONFIG)) {
                ConfigValue path = values.get(store);
                if (path != null && path.value() instanceof String p && !p.isBlank()) {
                    path.addErrorMessage(store + " is set but redis.uri is not TLS: use rediss:// (or rediss-cluster://), "
                            + "or leave " + store + " empty");
                }
            }
        }
        if (endpoint.isCluster()) {
            ConfigValue queues = values.get(queueKey);
            for (String name : queueNames) {
                if (!hasHashTag(name) && queues != null) {
                    queues.addErrorMessage("queue '" + name + "' has no hash tag, so on Redis Cluster its keys would "
                            + "land in different slots; name it with one, such as {" + name + "}");
                }
            }
        }
    }

    /** A trust or key store path: empty, or a file the worker can read (a typo is reported on the key). */
    static final class StoreFile implements ConfigDef.Validator {
        static final StoreFile INSTANCE = new StoreFile();

        @Override
        public void ensureValid(String name, Object value) {
            String path = value == null ? "" : value.toString();
            if (!path.isBlank() && !Files.isReadable(Path.of(path))) {
                throw new ConfigException(name, path, "no readable file there on this worker; give the path of a PKCS12 "
                        + "or JKS file, or leave it empty");
            }
        }

        @Override
        public String toString() {
            return "empty, or the path of a readable PKCS12 or JKS file";
        }
    }

    static boolean hasHashTag(String name) {
        int open = name.indexOf('{');
        int close = open < 0 ? -1 : name.indexOf('}', open + 1);
        return open >= 0 && close > open + 1;
    }
}
