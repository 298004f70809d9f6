package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AofRestartIT {

    @Test
    void aKeyWrittenBeforeKillMinus9SurvivesTheRestart() {
        try (RedisServer redis = RedisServer.startWithAof()) {
            redis.client().set("job:1", "payload");
            redis.client().rpush("queue", "a", "b");
            int port = redis.port();

            redis.restart();

            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.client().get("job:1")).isEqualTo("payload");
            assertThat(redis.client().lrange("queue", 0, -1)).containsExactly("a", "b");
        }
    }

    @Test
    void restartAfterAnExplicitKill() {
        try (RedisServer redis = RedisServer.startWithAof()) {
            redis.client().set("k", "v");
            redis.kill();
            assertThat(redis.isRunning()).isFalse();

            redis.restart();

            assertThat(redis.client().get("k")).isEqualTo("v");
        }
    }

    @Test
    void restartWaitsWhileItsPortIsStillTaken() throws Exception {
        try (RedisServer redis = RedisServer.startWithAof()) {
            redis.client().set("k", "v");
            redis.kill();
            ExecutorService executor = Executors.newSingleThreadExecutor();
            ServerSocket squatter = new ServerSocket();
            try {
                squatter.bind(new InetSocketAddress("127.0.0.1", redis.port()));
                long logSize = Files.size(redis.logFile());

                Future<RedisServer> restart = executor.submit(redis::restart);
                awaitLog(redis, logSize, "Address already in use"); // the first attempt failed to bind
                squatter.close();

                restart.get(30, TimeUnit.SECONDS);
            } finally {
                squatter.close();
                executor.shutdownNow();
            }

            assertThat(redis.client().get("k")).isEqualTo("v");
        }
    }

    private static void awaitLog(RedisServer redis, long fromByte, String text) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (TestFiles.readFrom(redis.logFile(), fromByte).contains(text)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("The log never said \"" + text + "\"");
    }
}
