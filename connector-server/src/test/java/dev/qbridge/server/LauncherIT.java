package dev.qbridge.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.testkit.RedisServerExtension;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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

    /** The launcher's class-data archives go here, not into the user's ~/.cache, unless a test names its own. */
    @TempDir
    static Path cache;

    private static Run run(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("QBRIDGE_REBUILD");
        builder.environment().remove("QBRIDGE_CDS");
        builder.environment().remove("QBRIDGE_JAVA_OPTS");
        builder.environment().put("QBRIDGE_CACHE_DIR", cache.toString());
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
        assertThat(list.output()).containsPattern("orders\\s+raw\\s+reliable\\s+2");
    }

    @Test
    void classDataArchiveIsMadeByTheFirstRunAndMappedByTheNext(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("QBRIDGE_CACHE_DIR", dir.toString());

        Run first = run(LAUNCHER, env, "--version");
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).isEqualTo(run(LAUNCHER, Map.of("QBRIDGE_CDS", "0"), "--version").output());
        assertThat(files(dir, ".dump")).hasSize(1);
        assertThat(files(dir, ".jsa")).isEmpty();

        Run second = run(LAUNCHER, env, "--version");
        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(files(dir, ".dump")).isEmpty();
        List<Path> archives = files(dir, ".jsa");
        assertThat(archives).hasSize(1);
        FileTime made = Files.getLastModifiedTime(archives.get(0));

        // the command's own classes come from the archive, which is not made again
        Run third = run(LAUNCHER, Map.of("QBRIDGE_CACHE_DIR", dir.toString(), "QBRIDGE_JAVA_OPTS", "-Xlog:class+load=info"),
                "--version");
        assertThat(third.exitCode()).as(third.output()).isZero();
        assertThat(third.output()).contains("dev.qbridge.server.Qbridge source: shared objects file (top)")
                .contains("qbridge 0.1.0-SNAPSHOT");
        assertThat(files(dir, ".jsa")).containsExactlyElementsOf(archives);
        assertThat(Files.getLastModifiedTime(archives.get(0))).isEqualTo(made);
        assertThat(files(dir, ".dump")).isEmpty();
    }

    @Test
    void aTruncatedDumpIsDiscardedAndTheCommandRuns(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("QBRIDGE_CACHE_DIR", dir.toString());
        assertThat(run(LAUNCHER, env, "--version").exitCode()).isZero();
        Path dump = files(dir, ".dump").get(0);
        // a JVM killed while it wrote its archive: mapped as it is, such a file crashes the JVM (SIGBUS)
        truncate(dump);

        Run run = run(LAUNCHER, env, "--version");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("qbridge 0.1.0-SNAPSHOT");
        assertThat(files(dir, ".jsa")).isEmpty();
        assertThat(dump).doesNotExist();
        // and the next run dumps a new one
        assertThat(files(dir, ".dump")).hasSize(1);
    }

    @Test
    void anArchiveTheJvmCannotUseDoesNotStopTheCommand(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("QBRIDGE_CACHE_DIR", dir.toString());
        run(LAUNCHER, env, "--version");
        run(LAUNCHER, env, "--version");
        Path archive = files(dir, ".jsa").get(0);
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(archive, "not an archive");

        Run run = run(LAUNCHER, env, "--version");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).isEqualTo(run(LAUNCHER, Map.of("QBRIDGE_CDS", "0"), "--version").output());
    }

    @Test
    void anArchiveOlderThanTheJarIsMadeAgain(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("QBRIDGE_CACHE_DIR", dir.toString());
        run(LAUNCHER, env, "--version");
        run(LAUNCHER, env, "--version");
        Path archive = files(dir, ".jsa").get(0);
        // a jar rebuilt to the same bytes: the JVM checks the jar's modification time and would ignore the archive
        Path jar = LAUNCHER.getParent().getParent().resolve("connector-server/target/qbridge.jar");
        Files.setLastModifiedTime(archive, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));

        Run run = run(LAUNCHER, env, "--version");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(files(dir, ".jsa")).isEmpty();
        assertThat(files(dir, ".dump")).hasSize(1);
    }

    @Test
    void withoutAWritableCacheTheCommandRunsWithoutAnArchive(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "");

        Run run = run(LAUNCHER, Map.of("QBRIDGE_CACHE_DIR", file.resolve("qbridge").toString()), "--version");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("qbridge 0.1.0-SNAPSHOT");
    }

    @Test
    void sharingOptionsOfTheUsersWinAndStopNoCommand(@TempDir Path dir) throws Exception {
        // a dump with -Xshare:off would not even start the JVM
        Run run = run(LAUNCHER, Map.of("QBRIDGE_CACHE_DIR", dir.toString(), "QBRIDGE_JAVA_OPTS", "-Xshare:off"), "--version");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("qbridge 0.1.0-SNAPSHOT");
        assertThat(files(dir, "")).isEmpty();
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static void truncate(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 4);
        }
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
