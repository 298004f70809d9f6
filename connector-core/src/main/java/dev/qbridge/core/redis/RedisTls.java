package dev.qbridge.core.redis;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.QueueException.Kind;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The TLS side of one Redis endpoint: one {@link SSLContext} holding both the client certificate (key store) and the
 * certificates trusted (trust store), the {@link SSLParameters} that make {@code verifyHostname} mean what it says, and
 * what a failed handshake was about.
 * <p>
 * Jedis turns hostname verification on whenever it is given no {@code SSLParameters}, so parameters are always given:
 * with the HTTPS endpoint identification when {@code verifyHostname=true}, without any when false.
 * <p>
 * A server that requires a client certificate (redis-server's {@code tls-auth-clients yes}) and gets none ends the
 * connection after the client's side of the TLS 1.3 handshake is already complete, so the client only sees "Broken
 * pipe" or "Connection reset" on its first command. The key manager here notes whether the server asked for a
 * certificate and whether one was sent, so that such a failure can be reported as what it is.
 */
final class RedisTls {

    private final RedisEndpoint endpoint;
    private final SSLSocketFactory socketFactory;
    private final CertificateRequests requests;
    private volatile boolean served;

    private RedisTls(RedisEndpoint endpoint, SSLSocketFactory socketFactory, CertificateRequests requests) {
        this.endpoint = endpoint;
        this.socketFactory = socketFactory;
        this.requests = requests;
    }

    /** Opens the endpoint's stores; a store that cannot be used is a CONFIG error that names it and says why. */
    static RedisTls of(RedisEndpoint endpoint) {
        KeyStore keys = endpoint.keyStore().map(p -> load(p, endpoint.keyStorePassword(), "key store", "keyStore")).orElse(null);
        KeyStore trusted = endpoint.trustStore().map(p -> load(p, endpoint.trustStorePassword(), "trust store", "trustStore"))
                .orElse(null);
        try {
            X509ExtendedKeyManager own = keys == null ? null : keyManager(endpoint, keys);
            CertificateRequests requests = new CertificateRequests(own);
            TrustManager[] trust = null; // the JVM's default trust store
            if (trusted != null) {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trusted);
                trust = factory.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {requests}, trust, null);
            return new RedisTls(endpoint, context.getSocketFactory(), requests);
        } catch (GeneralSecurityException e) {
            throw new QueueException(Kind.CONFIG, "cannot set up TLS for Redis at " + endpoint + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path path, Optional<String> password, String what, String option) {
        if (!Files.isRegularFile(path)) {
            throw new QueueException(Kind.CONFIG, "the Redis " + what + " " + path + " is not a readable file; check " + option);
        }
        try {
            // the type (PKCS12 or JKS) is read from the file, not guessed from its name
            return KeyStore.getInstance(path.toFile(), password.map(String::toCharArray).orElse(null));
        } catch (IOException | GeneralSecurityException e) {
            String why = e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")
                    ? "its password is wrong or missing" : "it is not a PKCS12 or JKS file (" + e.getMessage() + ")";
            throw new QueueException(Kind.CONFIG, "cannot open the Redis " + what + " " + path + ": " + why + "; check "
                    + option + " and " + option + "Password", e);
        }
    }

    private static X509ExtendedKeyManager keyManager(RedisEndpoint endpoint, KeyStore keys) throws GeneralSecurityException {
        Path path = endpoint.keyStore().orElseThrow();
        boolean hasKey = false;
        for (String alias : Collections.list(keys.aliases())) {
            hasKey |= keys.isKeyEntry(alias) && keys.getCertificateChain(alias) != null;
        }
        if (!hasKey) {
            throw new QueueException(Kind.CONFIG, "the Redis key store " + path + " holds no private key with its certificate "
                    + "(a trust store?); a client certificate needs both, e.g. openssl pkcs12 -export -in client.pem "
                    + "-inkey client-key.pem -out client.p12");
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        try {
            factory.init(keys, endpoint.keyStorePassword().map(String::toCharArray).orElse(null));
        } catch (UnrecoverableKeyException e) {
            throw new QueueException(Kind.CONFIG, "cannot read the private key in the Redis key store " + path + ": its "
                    + "password must be the key store's (keyStorePassword)", e);
        }
        for (KeyManager m : factory.getKeyManagers()) {
            if (m instanceof X509ExtendedKeyManager x509) {
                return x509;
            }
        }
        throw new QueueException(Kind.CONFIG, "the JVM offers no X.509 key manager for the Redis key store " + path);
    }

    SSLSocketFactory socketFactory() {
        return socketFactory;
    }

    /** Always some parameters: Jedis verifies the hostname whenever it gets none, whatever verifyHostname says. */
    SSLParameters parameters() {
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm(endpoint.verifyHostname() ? "HTTPS" : null);
        return parameters;
    }

    /** A command went through: the TLS settings work with this server, so a later broken pipe is an outage. */
    void served() {
        if (!served) {
            served = true;
        }
    }

    /**
     * A {@link Kind#TLS} exception when {@code failure} (of connecting to {@code node}) is the TLS handshake's and no
     * retry can mend it, saying what to change; empty when it is an ordinary connection failure.
     */
    Optional<QueueException> diagnose(Throwable failure, String node) {
        String prefix = "TLS handshake with Redis at " + node + " (" + endpoint + ") failed: ";
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException ssl) {
                Optional<String> why = explain(ssl, node);
                if (why.isPresent()) {
                    return Optional.of(new QueueException(Kind.TLS, prefix + why.get(), failure));
                }
            }
        }
        if (!served && endedAfterHandshake(failure)) {
            // the server asked for a client certificate, and closed the connection once it had our answer
            if (requests.askedWithoutCertificate()) {
                return Optional.of(new QueueException(Kind.TLS, prefix + missingCertificate() + " (the connection ended: "
                        + rootMessage(failure) + ")", failure));
            }
            if (requests.askedWithCertificate()) {
                return Optional.of(new QueueException(Kind.TLS, prefix + refusedCertificate() + " (the connection ended "
                        + "right after the handshake: " + rootMessage(failure) + ")", failure));
            }
        }
        return Optional.empty();
    }

    /**
     * What to change, for a handshake refused over certificates or parameters; empty for one cut short (the server
     * closing or resetting mid-handshake, as it does while it restarts), which is an outage and waited out.
     */
    private Optional<String> explain(SSLException e, String node) {
        String message = String.valueOf(e.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        String host = node.contains(":") ? node.substring(0, node.lastIndexOf(':')) : node;
        if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
            return Optional.of("the server's certificate does not name the host " + host + " (" + message + "); connect "
                    + "by a name or address the certificate has, or set verifyHostname=false to accept any certificate the "
                    + "trust store trusts");
        }
        if (lower.contains("pkix path") || lower.contains("certification path")) {
            return Optional.of("the server's certificate is not trusted by " + endpoint.trustStore()
                    .map(p -> "the trust store " + p).orElse("the JVM's default trust store") + "; set trustStore to a "
                    + "PKCS12 or JKS file with the certificate of the CA that signed it (" + message + ")");
        }
        if (lower.contains("certificate_required") || (requests.askedWithoutCertificate() && lower.contains("alert"))) {
            return Optional.of(missingCertificate() + " (" + message + ")");
        }
        if (lower.contains("alert") && requests.askedWithCertificate()) {
            return Optional.of(refusedCertificate() + " (" + message + ")");
        }
        if (lower.contains("alert") || e instanceof javax.net.ssl.SSLHandshakeException && lower.contains("certificate")) {
            // the server refused the handshake (protocol version, ciphers) or a certificate check failed
            return Optional.of(message);
        }
        return Optional.empty();
    }

    private String refusedCertificate() {
        return "the server refused the client certificate of the key store " + endpoint.keyStore().orElse(null)
                + "; it must be signed by a CA of the server's tls-ca-cert-file and be valid now";
    }

    /**
     * A TLS 1.3 server that refuses the client's certificate (or its absence) closes the connection after the
     * handshake: the client's first command then meets a broken pipe, a reset or the end of the stream. A refused or
     * timed-out connect is an outage, never this.
     */
    private static boolean endedAfterHandshake(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("broken pipe") || message.contains("connection reset")
                    || message.contains("unexpected end of stream")) {
                return true;
            }
        }
        return false;
    }

    private String missingCertificate() {
        return endpoint.keyStore()
                .map(p -> "the server requires a client certificate and the key store " + p + " has none signed by a CA "
                        + "it accepts")
                .orElse("the server requires a client certificate (set keyStore and keyStorePassword, or set "
                        + "tls-auth-clients no or optional on the server)");
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    /**
     * The client side of the key manager: hands out the key store's certificate, if any, and notes each time the
     * server asked for one whether a certificate went back.
     */
    private static final class CertificateRequests extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager own;
        /** Null until the server asks; then whether the last answer carried a certificate. */
        private volatile Boolean sent;

        CertificateRequests(X509ExtendedKeyManager own) {
            this.own = own;
        }

        boolean askedWithoutCertificate() {
            return Boolean.FALSE.equals(sent);
        }

        boolean askedWithCertificate() {
            return Boolean.TRUE.equals(sent);
        }

        private String asked(String alias) {
            sent = alias != null; // called once per key type tried: the last call is the answer
            return alias;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return asked(own == null ? null : own.chooseClientAlias(keyType, issuers, socket));
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return asked(own == null ? null : own.chooseEngineClientAlias(keyType, issuers, engine));
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return own == null ? null : own.getClientAliases(keyType, issuers);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return own == null ? null : own.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return own == null ? null : own.getPrivateKey(alias);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null; // a client only
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
