package dev.qbridge.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenTest {

    @TempDir
    Path dir;

    @Test
    void admitsExactlyBearerAndTheToken() throws Exception {
        BearerToken token = BearerToken.read(Files.writeString(dir.resolve("t"), "  abc-123_XYZ\n"));

        assertThat(token.admits("Bearer abc-123_XYZ")).isTrue();
        assertThat(token.admits("bearer abc-123_XYZ")).isTrue();
        assertThat(token.admits("Bearer abc-123_XY")).isFalse();
        assertThat(token.admits("Bearer abc-123_XYZZ")).isFalse();
        assertThat(token.admits("Basic abc-123_XYZ")).isFalse();
        assertThat(token.admits("abc-123_XYZ")).isFalse();
        assertThat(token.admits("Bearer ")).isFalse();
        assertThat(token.admits(null)).isFalse();
        assertThat(token.toString()).doesNotContain("abc-123_XYZ");
    }

    @Test
    void aFileThatHoldsNoUsableTokenIsRefusedNamingItAndNotQuotingIt() throws Exception {
        Path missing = dir.resolve("missing");
        Path empty = Files.writeString(dir.resolve("empty"), "\n\n");
        Path twoWords = Files.writeString(dir.resolve("two"), "secret-one secret-two\n");
        Path huge = Files.writeString(dir.resolve("huge"), "k".repeat(BearerToken.MAX_BYTES + 1));

        assertThatThrownBy(() -> BearerToken.read(missing)).hasMessage("token file " + missing + " does not exist");
        assertThatThrownBy(() -> BearerToken.read(empty)).hasMessageStartingWith("token file " + empty + " is empty");
        assertThatThrownBy(() -> BearerToken.read(twoWords)).hasMessageStartingWith("token file " + twoWords + " holds more")
                .message().doesNotContain("secret-one");
        assertThatThrownBy(() -> BearerToken.read(huge)).hasMessageStartingWith("token file " + huge + " is longer");
        assertThatThrownBy(() -> BearerToken.read(dir)).hasMessage(dir + " is a directory, not a token file");
    }

    @Test
    void aFileOthersCanReadGetsAWarning() throws Exception {
        Path loose = Files.writeString(dir.resolve("loose"), "t");
        Path tight = Files.writeString(dir.resolve("tight"), "t");
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(tight, PosixFilePermissions.fromString("rw-------"));

        assertThat(BearerToken.permissionsWarning(loose)).contains("token file " + loose
                + " can be read by other users (rw-r-----): chmod 600 it");
        assertThat(BearerToken.permissionsWarning(tight)).isEmpty();
    }
}
