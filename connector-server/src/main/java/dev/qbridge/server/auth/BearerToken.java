package dev.qbridge.server.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.Set;

/**
 * A bearer token read from a file, for the HTTP surface of the server ({@code --http-token-file}) and of a
 * {@code platform-http:} connector ({@code http.tokenFile}). Only its SHA-256 is kept: the token itself is never held
 * in a string, so no {@code toString}, log line or error message can print it.
 */
public final class BearerToken {

    /** A token file longer than this is not a token file (a key, a certificate, the wrong path). */
    static final int MAX_BYTES = 4096;

    private final Path file;
    private final byte[] digest;

    private BearerToken(Path file, byte[] digest) {
        this.file = file;
        this.digest = digest;
    }

    /**
     * Reads the token: the file's content without the surrounding whitespace (a trailing newline is usual). A missing,
     * unreadable, empty or oversized file, or a token with whitespace or control characters inside it, is refused with
     * a message that names the file and never quotes its content.
     */
    public static BearerToken read(Path file) throws TokenFileException {
        if (Files.isDirectory(file)) {
            throw new TokenFileException(file + " is a directory, not a token file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new TokenFileException("token file " + file + " does not exist");
        } catch (IOException e) {
            throw new TokenFileException("cannot read token file " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        if (bytes.length > MAX_BYTES) {
            throw new TokenFileException("token file " + file + " is longer than " + MAX_BYTES + " bytes: it does not hold "
                    + "a token; write one line, such as the output of: openssl rand -hex 32");
        }
        String token = new String(bytes, StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new TokenFileException("token file " + file + " is empty; write one line, such as the output of: "
                    + "openssl rand -hex 32");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new TokenFileException("token file " + file + " holds more than one word (whitespace or a control "
                        + "character inside the token); write the token alone on one line");
            }
        }
        return new BearerToken(file, sha256(token.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Why the file's permissions are unsafe (group or others may read it), when the file system says; empty when they
     * are safe or unknown. A warning, not a refusal: container secrets are commonly mounted 0444 or 0644 for one user.
     */
    public static Optional<String> permissionsWarning(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                return Optional.of("token file " + file + " can be read by other users (" + PosixFilePermissions.toString(permissions)
                        + "): chmod 600 it");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // no POSIX permissions here (Windows): nothing to say
        }
        return Optional.empty();
    }

    /**
     * True when an {@code Authorization} header value is {@code Bearer <this token>}. Both sides are hashed first and
     * compared with {@link MessageDigest#isEqual}: the time taken says nothing of the token, not even its length.
     */
    public boolean admits(String authorization) {
        if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] offered = sha256(authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(digest, offered);
    }

    public Path file() {
        return file;
    }

    @Override
    public String toString() {
        return "the token of " + file;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** A token file that cannot be used; the message names the file and what to do, never the content. */
    public static final class TokenFileException extends Exception {
        private static final long serialVersionUID = 1L;

        public TokenFileException(String message) {
            super(message);
        }
    }
}
