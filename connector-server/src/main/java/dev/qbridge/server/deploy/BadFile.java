package dev.qbridge.server.deploy;

import java.nio.file.Path;

/**
 * Why a connector file was not loaded: the file, the key at fault ({@code -} when the file as a whole is), and the
 * reason, worded to say what to change.
 */
public record BadFile(Path file, String key, String reason, String contentHash) {

    @Override
    public String toString() {
        return file + ": key " + key + ": " + reason;
    }
}
