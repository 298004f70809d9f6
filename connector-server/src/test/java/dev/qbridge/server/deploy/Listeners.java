package dev.qbridge.server.deploy;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What a process listens on, seen from outside it: its listening sockets (Linux /proc) and connect attempts. */
final class Listeners {

    private Listeners() {
    }

    /** An address of this machine that is not a loopback one, of an interface that is up; IPv4 first. */
    static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        List<InetAddress> found = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    found.add(a);
                }
            }
        }
        return found.stream().filter(a -> a.getAddress().length == 4).findFirst().or(() -> found.stream().findFirst());
    }

    /** True when a TCP connection to the address and port is accepted within 2 s. */
    static boolean accepts(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The local addresses of every TCP socket the process listens on (Linux: its socket inodes in /proc/pid/fd matched
     * with /proc/net/tcp and tcp6); empty when /proc cannot tell.
     */
    static Optional<List<InetSocketAddress>> listening(long pid) throws IOException {
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        if (!Files.isDirectory(fds)) {
            return Optional.empty();
        }
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        List<InetSocketAddress> result = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
                    result.add(address(f[1]));
                }
            }
        }
        return Optional.of(result);
    }

    /** {@code 0100007F:1F90} (little-endian 32-bit words) to 127.0.0.1:8080. */
    private static InetSocketAddress address(String hex) throws IOException {
        String[] parts = hex.split(":");
        byte[] raw = new BigInteger("1" + parts[0], 16).toByteArray();
        byte[] words = new byte[parts[0].length() / 2];
        System.arraycopy(raw, raw.length - words.length, words, 0, words.length);
        byte[] ip = new byte[words.length];
        for (int w = 0; w < words.length; w += 4) {
            for (int i = 0; i < 4; i++) {
                ip[w + i] = words[w + 3 - i];
            }
        }
        return new InetSocketAddress(InetAddress.getByAddress(ip), Integer.parseInt(parts[1], 16));
    }
}
