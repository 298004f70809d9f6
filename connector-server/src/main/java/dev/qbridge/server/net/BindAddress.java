package dev.qbridge.server.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The address a listener binds to, resolved once by the JVM and handed to the server as an IP literal: what the
 * startup line prints is then the address the socket is bound to, whatever the option said ({@code localhost} may be
 * 127.0.0.1 or ::1; a host name may be any of its addresses). Vert.x reports a bound port but not a bound address,
 * so binding the literal is how its listeners can tell.
 */
public final class BindAddress {

    private BindAddress() {
    }

    /** The IP address for a {@code --*-host} option; the message of the exception names the option's value. */
    public static InetAddress resolve(String host) throws UnknownHostException {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("cannot resolve the host '" + host + "'");
        }
    }

    /** {@code 127.0.0.1:8080}, {@code [::1]:8080}. */
    public static String format(InetAddress address, int port) {
        String ip = address.getHostAddress();
        return address instanceof Inet6Address ? "[" + ip + "]:" + port : ip + ":" + port;
    }
}
