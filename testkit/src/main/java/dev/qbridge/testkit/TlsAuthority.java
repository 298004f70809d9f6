package dev.qbridge.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test certificate authority made with openssl, and the certificates it issues: a server certificate for
 * redis-server's {@code tls-cert-file} with the names a test chooses (so that hostname verification can be tested
 * both ways), and client certificates in PKCS12 or JKS key stores for {@code tls-auth-clients yes}. Without openssl
 * the test is skipped (or fails in CI).
 *
 * <pre>{@code
 * TlsAuthority ca = TlsAuthority.create(dir);
 * TlsAuthority.Issued server = ca.issue("redis", "IP:127.0.0.1");
 * RedisServer redis = RedisServer.builder().tls(server.cert(), server.key(), ca.cert())
 *         .arg("tls-auth-clients", "yes").start();
 * Path keyStore = ca.issue("app", "DNS:app").keyStore("PKCS12", "key-pw");
 * }</pre>
 */
public final class TlsAuthority {

    /** A certificate signed by the authority, with its private key (PEM, PKCS#8). */
    public record Issued(String name, Path cert, Path key, Path caCert) {

        /** A key store ({@code PKCS12} or {@code JKS}) with the key and its chain, the key protected by the same password. */
        public Path keyStore(String type, String password) throws Exception {
            KeyStore store = KeyStore.getInstance(type);
            store.load(null, null);
            store.setKeyEntry(name, privateKey(key), password.toCharArray(), new Certificate[] {certificate(cert), certificate(caCert)});
            Path file = cert.resolveSibling(name + "-keystore." + (type.equalsIgnoreCase("JKS") ? "jks" : "p12"));
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            return file;
        }
    }

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final Path cert;
    private final Path key;

    private TlsAuthority(Path dir, Path cert, Path key) {
        this.dir = dir;
        this.cert = cert;
        this.key = key;
    }

    /**
     * What a mutual-TLS test starts from: a redis-server (to register as an extension) that authenticates its clients
     * ({@code tls-auth-clients yes}) with a certificate for 127.0.0.1, a trust store of the authority, and the key
     * store of a client certificate named {@code client} (PKCS12), both stores under {@code storePassword}.
     */
    public record MutualTls(RedisServerExtension redis, Path trustStore, Path keyStore) {
    }

    /** A {@link MutualTls} setup, made in a static initializer: checked failures come back unchecked. */
    public static MutualTls mutualTls(String client, String trustStoreType, String storePassword) {
        try {
            TlsAuthority ca = create(Files.createTempDirectory("qbridge-mtls-" + client + "-"));
            Issued server = ca.issue("redis", "IP:127.0.0.1");
            RedisServerExtension redis = RedisServerExtension.of(RedisServer.builder()
                    .tls(server.cert(), server.key(), ca.cert()).arg("tls-auth-clients", "yes"));
            return new MutualTls(redis, ca.trustStore(trustStoreType, storePassword),
                    ca.issue(client).keyStore("PKCS12", storePassword));
        } catch (RuntimeException e) {
            throw e; // a skip (no openssl) stays a skip
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the certificates of a mutual TLS test", e);
        }
    }

    /** A new authority (EC P-256, valid one day) whose files live in {@code dir}. */
    public static TlsAuthority create(Path dir) throws Exception {
        if (RedisBinaries.onPath("openssl", System.getenv("PATH")).isEmpty()) {
            Unavailable.skipOrFail("openssl is not installed (Debian: apt-get install openssl), so no TLS certificate can be made");
        }
        Files.createDirectories(dir);
        Path config = dir.resolve("ca.cnf");
        Files.writeString(config, String.join("\n",
                "[req]", "distinguished_name = dn", "[dn]",
                "[ca]", "basicConstraints = critical, CA:TRUE", "keyUsage = critical, keyCertSign, cRLSign",
                "subjectKeyIdentifier = hash", ""), StandardCharsets.US_ASCII);
        Path cert = dir.resolve("ca.pem");
        Path key = dir.resolve("ca-key.pem");
        openssl(dir, "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-days", "1", "-subj", "/CN=qbridge test CA", "-config", config.toString(), "-extensions", "ca",
                "-keyout", key.toString(), "-out", cert.toString());
        return new TlsAuthority(dir, cert, key);
    }

    /** The authority's certificate: redis-server's {@code tls-ca-cert-file}, and what a trust store holds. */
    public Path cert() {
        return cert;
    }

    /**
     * Issues a certificate named {@code name} for both server and client use, with these subject alternative names
     * ({@code IP:127.0.0.1}, {@code DNS:localhost}); none gives a certificate that names no host at all.
     */
    public Issued issue(String name, String... subjectAltNames) throws Exception {
        Path leafConfig = dir.resolve(name + ".cnf");
        List<String> lines = new ArrayList<>(List.of("[req]", "distinguished_name = dn", "[dn]", "[leaf]",
                "basicConstraints = CA:FALSE", "keyUsage = critical, digitalSignature",
                "extendedKeyUsage = serverAuth, clientAuth", "authorityKeyIdentifier = keyid"));
        if (subjectAltNames.length > 0) {
            lines.add("subjectAltName = " + String.join(", ", subjectAltNames));
        }
        lines.add("");
        Files.writeString(leafConfig, String.join("\n", lines), StandardCharsets.US_ASCII);
        Path leafKey = dir.resolve(name + "-key.pem");
        Path request = dir.resolve(name + ".csr");
        Path leafCert = dir.resolve(name + ".pem");
        openssl(dir, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=" + name, "-config", leafConfig.toString(), "-keyout", leafKey.toString(), "-out", request.toString());
        openssl(dir, "x509", "-req", "-in", request.toString(), "-CA", cert.toString(), "-CAkey", key.toString(),
                "-set_serial", String.valueOf(SERIAL.incrementAndGet()), "-days", "1", "-extfile", leafConfig.toString(),
                "-extensions", "leaf", "-out", leafCert.toString());
        return new Issued(name, leafCert, leafKey, cert);
    }

    /** A trust store ({@code PKCS12} or {@code JKS}) holding the authority's certificate. */
    public Path trustStore(String type, String password) throws Exception {
        KeyStore store = KeyStore.getInstance(type);
        store.load(null, null);
        store.setCertificateEntry("qbridge-test-ca", certificate(cert));
        Path file = dir.resolve("ca-truststore." + (type.equalsIgnoreCase("JKS") ? "jks" : "p12"));
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    private static void openssl(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Path log = dir.resolve("openssl.log");
        Process openssl = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!openssl.waitFor(30, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
            throw new IllegalStateException("openssl " + args[0] + " failed: " + Files.readString(log));
        }
    }

    private static Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static PrivateKey privateKey(Path pem) throws IOException, java.security.GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        if (!text.contains("BEGIN PRIVATE KEY")) {
            throw new IllegalStateException(pem + " is not a PKCS#8 private key");
        }
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(base64)));
    }
}
