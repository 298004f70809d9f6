package dev.qbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

class RedisClusterSupportTest {

    private static final RedisBackend EMBEDDED = new LocalProcessBackend(Path.of("/tmp/redis-server"), "embedded");

    @Test
    void withoutRedisCliTheReasonSaysWhatToInstall() {
        assertThatThrownBy(() -> RedisCluster.requireClusterSupport(EMBEDDED, Map.of("PATH", "/nonexistent")))
                .isInstanceOf(RedisUnavailableException.class)
                .hasMessageContaining("redis-cli")
                .hasMessageContaining("apt-get install redis-server");
    }

    @Test
    void aContainerCannotRunACluster() {
        assertThatThrownBy(() -> RedisCluster.requireClusterSupport(new ContainerBackend(), Map.of()))
                .isInstanceOf(RedisUnavailableException.class)
                .hasMessageContaining("local redis-server");
    }

    /** Skipped with the reason on a developer's machine; failed with it in CI, where nothing may be skipped. */
    private static Class<? extends Throwable> unavailable() {
        return Unavailable.inCi() ? IllegalStateException.class : TestAbortedException.class;
    }

    @Test
    void theExtensionSkipsTheClassWithTheReason() {
        RedisClusterExtension extension = new RedisClusterExtension(() -> {
            throw new RedisUnavailableException("no redis-cli here");
        });

        extension.beforeAll(context()); // remembers why, so that each test shows up as skipped

        assertThatThrownBy(() -> extension.beforeEach(context()))
                .isInstanceOf(unavailable())
                .hasMessageContaining("no redis-cli here");
        assertThatThrownBy(extension::client)
                .isInstanceOf(unavailable());
    }

    @Test
    void onAnInstanceFieldEachTestIsSkipped() {
        RedisClusterExtension extension = new RedisClusterExtension(() -> {
            throw new RedisUnavailableException("no redis-cli here");
        });

        assertThatThrownBy(() -> extension.beforeEach(context()))
                .isInstanceOf(unavailable())
                .hasMessageContaining("no redis-cli here");
    }

    @Test
    void aClusterThatFailsForAnotherReasonStillFails() {
        RedisClusterExtension extension = new RedisClusterExtension(() -> {
            throw new IllegalStateException("redis-cli --cluster create exited with 1");
        });

        assertThatThrownBy(() -> extension.beforeAll(context())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void accessorsBeforeStartExplainWhatToDo() {
        assertThatThrownBy(() -> RedisClusterExtension.threeMasters().client())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("@RegisterExtension");
        assertThat(RedisServerExtension.standalone()).isNotNull();
    }

    /** Only what the extensions read from the context. */
    private static ExtensionContext context() {
        return (ExtensionContext) Proxy.newProxyInstance(ExtensionContext.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getDisplayName" -> "SomeClusterIT";
                    case "getUniqueId" -> "[engine:junit-jupiter]/[class:SomeClusterIT]";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
