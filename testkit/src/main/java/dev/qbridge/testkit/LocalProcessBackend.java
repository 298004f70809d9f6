package dev.qbridge.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a redis-server binary on this machine as a child process. */
final class LocalProcessBackend implements RedisBackend {
    static final String HOST = "127.0.0.1";

    private final Path binary;
    private final String origin;

    LocalProcessBackend(Path binary, String origin) {
        this.binary = binary;
        this.origin = origin;
    }

    Path binary() {
        return binary;
    }

    @Override
    public String describe() {
        return origin + " " + binary;
    }

    @Override
    public boolean isLocalProcess() {
        return true;
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public RunningRedis launch(LaunchSpec spec) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(
                "--port", String.valueOf(spec.port()),
                "--bind", HOST,
                "--dir", spec.dir().toString(),
                "--daemonize", "no",
                "--logfile", spec.logFile().toString()));
        command.addAll(spec.args());
        // stdout/stderr go to the same log: config errors are printed before redis opens its logfile.
        Process process = new ProcessBuilder(command)
                .directory(spec.dir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()))
                .start();
        return new LocalRunningRedis(process);
    }

    private record LocalRunningRedis(Process process) implements RunningRedis {
        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public void kill() {
            // An AOF rewrite or RDB save runs in a forked child: kill it too, or it outlives its parent.
            List<ProcessHandle> children = process.descendants().toList();
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("redis-server pid " + process.pid() + " survived SIGKILL for 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while killing redis-server pid " + process.pid(), e);
            }
        }
    }
}
