package dev.qbridge.server.deploy;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot deploy: scans the connector directory at a fixed interval and hands new, changed and removed connector
 * files to the {@link ConnectorDeployer}, one at a time on one thread.
 * <p>
 * A half-written file is never loaded: a file is only read once its modification time is at least the settle
 * time in the past (every write moves it), and a changed file only counts as changed when its content hash
 * differs, so touching a file restarts nothing. A file whose size, modification time and identity (inode) are those
 * it had when last read is not read again: a scan costs a stat per file, whatever the files hold. A directory, a
 * dangling link or a pipe named {@code *.properties} is handed over too, so that it is reported, not ignored.
 * Writers that cannot promise to finish within the settle time write {@code name.properties.tmp} (or a dotfile) and
 * rename it into place: both are ignored until renamed.
 * Polling rather than a WatchService: it behaves the same on every file system, including network and container
 * mounts, and a scan of a directory of connector files costs microseconds.
 */
public final class DirectoryWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);

    /** What the watcher drives: the {@link ConnectorDeployer}. */
    public interface Target {
        /** The state of every file loaded and not removed. */
        Collection<ConnectorDeployer.FileState> files();

        Optional<ConnectorDeployer.FileState> state(Path file);

        /** Loads a new or changed file, or reports it. */
        void apply(Path file);

        /** The file is gone. */
        void remove(Path file);
    }

    /** What a stat says of a file: when it is the same as at the last read, the file is not read again. */
    private record Stamp(long size, long modified, Object identity) {
        static Stamp of(BasicFileAttributes a) {
            return new Stamp(a.size(), a.lastModifiedTime().toMillis(), a.fileKey());
        }
    }

    private final Path dir;
    private final Target deployer;
    private final Duration settle;
    private final Duration interval;
    private final Set<Path> waitingToSettle = new HashSet<>();
    private final Map<Path, Stamp> lastRead = new HashMap<>();
    private ScheduledExecutorService timer;
    private volatile boolean closed;

    public DirectoryWatcher(Path dir, Target deployer, Duration settle, Duration interval) {
        this.dir = dir;
        this.deployer = deployer;
        this.settle = settle;
        this.interval = interval;
    }

    /** Loads every settled file now, then keeps scanning in the background. */
    public synchronized void start() {
        scan();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "qbridge-connector-watcher");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::scanSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void scanSafely() {
        try {
            scan();
        } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
            // a scheduled task that throws is never run again: hot deploy would stop for good
            LOG.error("scanning {} failed: {}; trying again in {} ms", dir, e.toString(), interval.toMillis());
        }
    }

    /** One pass: deploy settled new or changed files, stop connectors of removed files. */
    synchronized void scan() {
        if (closed) {
            return;
        }
        Set<Path> present = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path file : entries) {
                if (!ConnectorFile.isConnectorFile(file)) {
                    continue;
                }
                present.add(file);
                try {
                    consider(file);
                } catch (RuntimeException | LinkageError | AssertionError e) {
                    // the deployer contains a file's failures; should one escape all the same, the other files still load
                    LOG.error("connector file {} could not be handled: {}", file.getFileName(), e.toString());
                }
            }
        } catch (IOException e) {
            LOG.error("cannot list connector directory {}: {}", dir, e.toString());
            return;
        }
        for (ConnectorDeployer.FileState state : deployer.files()) {
            if (!present.contains(state.file()) && !closed) {
                LOG.info("connector file {} was removed", state.file().getFileName());
                deployer.remove(state.file());
            }
        }
        waitingToSettle.retainAll(present);
        lastRead.keySet().retainAll(present);
    }

    private void consider(Path file) {
        try {
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                if (!Files.isSymbolicLink(file)) {
                    return; // removed between listing and reading: the next scan stops its connector
                }
                attributes = null; // a link to nothing
            }
            if (attributes == null || !attributes.isRegularFile()) {
                // nothing to settle or hash: reported once, and again only if it becomes something else
                String hash = ConnectorFile.hashOf(file);
                var known = deployer.state(file);
                if ((known.isEmpty() || !known.get().contentHash().equals(hash)) && !closed) {
                    deployer.apply(file);
                }
                return;
            }
            long age = System.currentTimeMillis() - attributes.lastModifiedTime().toMillis();
            if (age < settle.toMillis()) {
                if (waitingToSettle.add(file)) {
                    LOG.debug("connector file {} was just written; loading it once unchanged for {} ms", file.getFileName(),
                            settle.toMillis());
                }
                return;
            }
            waitingToSettle.remove(file);
            var known = deployer.state(file);
            boolean retry = known.isPresent() && known.get() instanceof ConnectorDeployer.Waiting w && w.due();
            Stamp stamp = Stamp.of(attributes);
            // a file that could not be read may become readable with no stamp moving (chmod): it is tried again
            boolean unreadable = known.isPresent() && known.get().contentHash().startsWith(ConnectorFile.UNREADABLE);
            if (known.isPresent() && stamp.equals(lastRead.get(file)) && !retry && !unreadable) {
                return;
            }
            String hash = ConnectorFile.hashOf(file);
            lastRead.put(file, stamp);
            if (known.isPresent() && known.get().contentHash().equals(hash) && !retry) {
                return;
            }
            if (closed) {
                return;
            }
            if (!retry) {
                LOG.info("{} connector file {}", known.isPresent() ? "changed" : "new", file.getFileName());
            }
            deployer.apply(file);
        } catch (NoSuchFileException e) {
            // removed between listing and reading: the next scan stops its connector
        } catch (IOException e) {
            LOG.warn("cannot read connector file {}: {}", file, e.toString());
        }
    }

    /** Stops scanning; waits for a deploy in progress to end. Connectors keep running. */
    @Override
    public void close() {
        closed = true;
        if (timer != null) {
            timer.shutdown();
            try {
                timer.awaitTermination(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
