package dev.qbridge.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks TCP ports on 127.0.0.1 that are free right now. Another process can still grab a port between our close
 * and the server's bind, which is why callers retry a start on a new port when the bind fails.
 */
final class FreePorts {
    /** A cluster node also listens on port + 10000 (the cluster bus), which must stay a valid port. */
    static final int CLUSTER_BUS_OFFSET = 10000;
    static final int MAX_CLUSTER_PORT = 65535 - CLUSTER_BUS_OFFSET;

    /** Ports already handed out in this JVM: the kernel may offer a closed port again to the next bind(0). */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** Explicitly IPv4: the servers bind 127.0.0.1, and the JVM's loopback may be ::1 on some setups. */
    private static final InetAddress LOOPBACK = loopback();

    private FreePorts() {
    }

    /** A free port; with {@code withClusterBus}, port + 10000 is free too and the port is below 55535. */
    static int pick(boolean withClusterBus) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = bindEphemeral();
            if (withClusterBus && (port >= MAX_CLUSTER_PORT || !isFree(port + CLUSTER_BUS_OFFSET))) {
                continue;
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("Could not find a free port on 127.0.0.1 after 200 attempts");
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(LOOPBACK, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int bindEphemeral() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(LOOPBACK, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot bind any port on 127.0.0.1", e);
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
