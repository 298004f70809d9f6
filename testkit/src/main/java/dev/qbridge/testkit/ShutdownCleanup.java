package dev.qbridge.testkit;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes fixtures still open when the JVM exits: child processes are not killed with their parent JVM, and a
 * forgotten close() would otherwise leave redis-servers running after the build.
 */
final class ShutdownCleanup {
    private static final Set<AutoCloseable> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ShutdownCleanup::closeAll, "qbridge-testkit-cleanup"));
    }

    private ShutdownCleanup() {
    }

    static void register(AutoCloseable resource) {
        OPEN.add(resource);
    }

    static void unregister(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    private static void closeAll() {
        for (AutoCloseable resource : List.copyOf(OPEN)) {
            try {
                resource.close();
            } catch (Exception e) {
                // The JVM is exiting: nothing useful to do but go on with the others.
            }
        }
    }
}
