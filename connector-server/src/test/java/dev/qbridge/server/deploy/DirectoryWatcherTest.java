package dev.qbridge.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher's side of hot deploy, against a deployer that records what it is asked and parses like the real one. */
class DirectoryWatcherTest {

    @TempDir
    Path dir;

    /** Parses each file handed over and keeps the outcome as the real deployer would (a bad file as Bad). */
    private static final class Recorder implements DirectoryWatcher.Target {
        final List<Path> applied = new ArrayList<>();
        final Map<Path, ConnectorDeployer.FileState> states = new ConcurrentHashMap<>();

        @Override
        public Collection<ConnectorDeployer.FileState> files() {
            return List.copyOf(states.values());
        }

        @Override
        public Optional<ConnectorDeployer.FileState> state(Path file) {
            return Optional.ofNullable(states.get(file));
        }

        @Override
        public void apply(Path file) {
            applied.add(file);
            try {
                states.put(file, new ConnectorDeployer.Disabled(ConnectorFile.parse(file)));
            } catch (BadFileException e) {
                states.put(file, new ConnectorDeployer.Bad(e.report()));
            }
        }

        @Override
        public void remove(Path file) {
            states.remove(file);
        }

        String reason(Path file) {
            return states.get(file) instanceof ConnectorDeployer.Bad b ? b.report().reason() : "not bad";
        }
    }

    private final Recorder deployer = new Recorder();

    private DirectoryWatcher watcher() {
        return new DirectoryWatcher(dir, deployer, Duration.ZERO, Duration.ofHours(1));
    }

    @Test
    void aFileWhoseSizeAndModificationTimeAreUnchangedIsNotReadAgain() throws Exception {
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "source = redisq:aaa\nsink = redisq:out\n");
        FileTime stamp = FileTime.from(Instant.now().minusSeconds(60));
        Files.setLastModifiedTime(file, stamp);
        DirectoryWatcher watcher = watcher();

        watcher.scan();
        // same size, same time, same inode: a scan only stats it, so even a changed content is not seen
        Files.writeString(file, "source = redisq:bbb\nsink = redisq:out\n");
        Files.setLastModifiedTime(file, stamp);
        watcher.scan();
        watcher.scan();

        assertThat(deployer.applied).hasSize(1);

        // a real edit moves the time (or the size): it is read, hashed and loaded
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(30)));
        watcher.scan();

        assertThat(deployer.applied).hasSize(2);
        assertThat(deployer.states.get(file)).isInstanceOfSatisfying(ConnectorDeployer.Disabled.class,
                d -> assertThat(d.spec().source()).isEqualTo("redisq:bbb"));
    }

    @Test
    void aTouchedFileIsReadButNotReloaded() throws Exception {
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "source = redisq:aaa\nsink = redisq:out\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
        DirectoryWatcher watcher = watcher();
        watcher.scan();

        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(30)));
        watcher.scan();

        assertThat(deployer.applied).hasSize(1);
    }

    @Test
    void directoriesAndDanglingLinksNamedPropertiesAreReportedOnceNotSkipped() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("d.properties"));
        Path dangling = Files.createSymbolicLink(dir.resolve("l.properties"), dir.resolve("gone"));
        DirectoryWatcher watcher = watcher();

        watcher.scan();
        watcher.scan();

        assertThat(deployer.applied).containsExactlyInAnyOrder(directory, dangling);
        assertThat(deployer.reason(directory)).startsWith("is a directory");
        assertThat(deployer.reason(dangling)).startsWith("is a symbolic link to " + dir.resolve("gone"));

        // removing them clears the report
        Files.delete(directory);
        Files.delete(dangling);
        watcher.scan();

        assertThat(deployer.states).isEmpty();
    }

    @Test
    void aFileOverTheLimitIsReportedWithoutBeingReadAtEveryScan() throws Exception {
        Path big = dir.resolve("big.properties");
        Files.write(big, new byte[ConnectorFile.MAX_BYTES + 1]);
        Files.setLastModifiedTime(big, FileTime.from(Instant.now().minusSeconds(60)));
        DirectoryWatcher watcher = watcher();

        watcher.scan();
        watcher.scan();

        assertThat(deployer.applied).containsExactly(big);
        assertThat(deployer.reason(big)).startsWith("the file is 1,048,577 bytes");
    }
}
