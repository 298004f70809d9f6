package dev.qbridge.testkit;


import java.io.File;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;

/** A self-signed certificate for 127.0.0.1, made with openssl (without it the test is skipped, or fails in CI). */
public record TlsFiles(Path cert, Path key) {
    public static final char[] TRUST_STORE_PASSWORD = "truststore".toCharArray();

    public static TlsFiles generate(Path dir) throws Exception {
        if (RedisBinaries.onPath("openssl", System.getenv("PATH")).isEmpty()) {
            Unavailable.skipOrFail("openssl is not installed (Debian: apt-get install openssl), so no TLS certificate can be made");
        }
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile())
                .start();
        if (!openssl.waitFor(30, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
            throw new IllegalStateException("openssl failed: " + Files.readString(dir.resolve("openssl.log")));
        }
        return new TlsFiles(cert, key);
    }

    /** A PKCS12 trust store with the certificate, for Jedis' {@code SslOptions}. */
    public File trustStore() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("redis", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        File file = cert.resolveSibling("truststore.p12").toFile();
        try (OutputStream out = new FileOutputStream(file)) {
            trust.store(out, TRUST_STORE_PASSWORD);
        }
        return file;
    }
}
