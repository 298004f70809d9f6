package dev.qbridge.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.testkit.RedisServerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** bin/qbridge runs the runnable jar that the package phase built (target/qbridge.jar). */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("..", "bin", "qbridge").toAbsolutePath().normalize();

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private record Run(int exitCode, String output) {
    }

    private static Run run(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("QBRIDGE_REBUILD");
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    @Test
    void launcherRunsTheRunnableJar() throws Exception {
        Run version = run(LAUNCHER, Map.of(), "--version");
        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output()).contains("qbridge 0.1.0-SNAPSHOT");

        redis.client().lpush("orders", "a", "b");
        Run list = run(LAUNCHER, Map.of(), "queues", "--redis", redis.uri(), "list");
        assertThat(list.exitCode()).as(list.output()).isZero();
        assertThat(list.output()).containsPattern("orders\\s+reliable\\s+2");
    }

    @Test
    void launcherWithoutAJarOrMavenSaysWhatToInstall(@TempDir Path checkout) throws IOException, Exception {
        Path launcher = Files.createDirectories(checkout.resolve("bin")).resolve("qbridge");
        Files.copy(LAUNCHER, launcher);

        Run run = run(launcher, Map.of("MVN", "/nonexistent/mvn"), "--version");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).contains("is not built and Maven (/nonexistent/mvn) is not on the PATH");
    }
}
