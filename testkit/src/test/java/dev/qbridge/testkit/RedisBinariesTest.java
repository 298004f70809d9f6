package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisBinariesTest {

    @TempDir
    Path tmp;

    @Test
    void redisServerEnvWinsOverThePath() throws IOException {
        Path configured = executable(tmp.resolve("custom/redis-server"));
        Path onPath = executable(tmp.resolve("bin/redis-server"));

        Map<String, String> env = Map.of("REDIS_SERVER", configured.toString(), "PATH", onPath.getParent().toString());

        assertThat(RedisBinaries.localServer(env)).contains(configured);
    }

    @Test
    void findsRedisServerOnThePath() throws IOException {
        Path onPath = executable(tmp.resolve("bin/redis-server"));

        Map<String, String> env = Map.of("PATH", tmp.resolve("missing") + ":" + onPath.getParent());

        assertThat(RedisBinaries.localServer(env)).contains(onPath);
    }

    @Test
    void nothingOnAnEmptyPath() {
        assertThat(RedisBinaries.localServer(Map.of("PATH", tmp.toString()))).isEmpty();
        assertThat(RedisBinaries.redisCli(Map.of())).isEmpty();
    }

    @Test
    void aRedisServerEnvThatIsNotExecutableFailsInsteadOfFallingBack() {
        Map<String, String> env = Map.of("REDIS_SERVER", tmp.resolve("nope").toString());

        assertThatThrownBy(() -> RedisBinaries.localServer(env))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("REDIS_SERVER");
    }

    @Test
    void redisCliNextToRedisServerEnvWinsOverThePath() throws IOException {
        Path server = executable(tmp.resolve("custom/redis-server"));
        Path cli = executable(tmp.resolve("custom/redis-cli"));
        Path onPath = executable(tmp.resolve("bin/redis-cli"));

        Map<String, String> env = Map.of("REDIS_SERVER", server.toString(), "PATH", onPath.getParent().toString());

        assertThat(RedisBinaries.redisCli(env)).contains(cli);
        assertThat(RedisBinaries.redisCli(Map.of("PATH", onPath.getParent().toString()))).contains(onPath);
    }

    @Test
    void theInstallHintNamesThePackageAndTheVariable() {
        assertThat(RedisBinaries.INSTALL_HINT).contains("apt-get install redis-server").contains("REDIS_SERVER");
    }

    private static Path executable(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, "#!/bin/sh\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }
}
