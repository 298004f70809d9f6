package dev.qbridge.testkit;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * Last resort when no binary can run here: redis-server in the {@value #IMAGE} image. The server dir is mounted at
 * the same path inside the container and the host port is mapped to the same port inside, so the arguments are the
 * same as for a local process and a restart replays the AOF from the host dir. Assumes a local Docker engine.
 * Kept in its own class so that Testcontainers is only loaded when it is needed.
 */
final class ContainerBackend implements RedisBackend {
    static final String IMAGE = "redis:7";
    private static final Logger LOG = LoggerFactory.getLogger(ContainerBackend.class);

    static boolean isDockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) { // also NoClassDefFoundError when a consumer excluded Testcontainers
            LOG.debug("Docker is not available: {}", e.toString());
            return false;
        }
    }

    @Override
    public String describe() {
        return "Testcontainers image " + IMAGE;
    }

    @Override
    public boolean isLocalProcess() {
        return false;
    }

    @Override
    public String host() {
        return LocalProcessBackend.HOST;
    }

    @Override
    public RunningRedis launch(LaunchSpec spec) throws IOException {
        String dir = spec.dir().toString();
        // Run as the owner of the dir, so redis can write the AOF and we can delete it afterwards.
        String user = Files.getAttribute(spec.dir(), "unix:uid") + ":" + Files.getAttribute(spec.dir(), "unix:gid");
        List<String> command = new ArrayList<>(List.of(
                "redis-server",
                "--port", String.valueOf(spec.port()),
                "--bind", "0.0.0.0", // inside the container; the host side is bound to 127.0.0.1 below
                "--dir", dir,
                "--daemonize", "no",
                "--logfile", spec.logFile().toString()));
        command.addAll(spec.args());
        ExposedPort exposed = ExposedPort.tcp(spec.port());
        @SuppressWarnings("resource") // closed by RunningContainer.kill()
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withFileSystemBind(dir, dir, BindMode.READ_WRITE)
                .withCommand(command.toArray(String[]::new))
                .withStartupAttempts(1)
                .waitingFor(new NoWait()) // RedisServer polls PING itself, the same way for every backend
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withUser(user);
                    cmd.withExposedPorts(exposed);
                    cmd.getHostConfig().withPortBindings(
                            new PortBinding(Ports.Binding.bindIpAndPort(LocalProcessBackend.HOST, spec.port()), exposed));
                });
        try {
            container.start();
        } catch (RuntimeException e) {
            String text = String.valueOf(e.getMessage()) + " " + e.getCause();
            if (text.toLowerCase(Locale.ROOT).contains("already allocated")
                    || text.toLowerCase(Locale.ROOT).contains("address already in use")) {
                throw new PortInUseException("port " + spec.port() + " is taken");
            }
            throw e;
        }
        return new RunningContainer(container);
    }

    private record RunningContainer(GenericContainer<?> container) implements RunningRedis {
        @Override
        public boolean isAlive() {
            return container.isRunning();
        }

        @Override
        public void kill() {
            container.stop(); // Testcontainers kills (SIGKILL) and removes the container
        }
    }

    private static final class NoWait extends AbstractWaitStrategy {
        @Override
        protected void waitUntilReady() {
        }
    }
}
