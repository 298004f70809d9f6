package dev.qbridge.server;

import dev.qbridge.core.redis.RedisEndpoint;
import org.apache.camel.util.URISupport;

/**
 * Masks secrets in anything the server or a command prints: the password of a Redis URI ({@code redis://u:***@h}),
 * and every endpoint option Camel knows as secret ({@code password=}, {@code passphrase=}, {@code saslJaasConfig=},
 * {@code accessToken=}, ...).
 */
public final class Secrets {

    private Secrets() {
    }

    public static String redact(String text) {
        if (text == null) {
            return "null";
        }
        return URISupport.sanitizeUri(RedisEndpoint.redact(text));
    }
}
