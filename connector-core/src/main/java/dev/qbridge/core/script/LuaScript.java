package dev.qbridge.core.script;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Lua script shipped as a {@code .lua} resource next to the class that runs it, with its SHA-1 so that
 * it is sent by EVALSHA and only loaded (by EVAL) when the server does not know it yet.
 */
public final class LuaScript {

    /** A command a script calls: through redis.call or redis.pcall, or key-checks' read and write (command first). */
    private static final Pattern CALL = Pattern.compile("(?:redis\\.p?call|\\bread|\\bwrite)\\(\\s*'([A-Za-z|]+)'");

    private final String name;
    private final byte[] source;
    private final byte[] sha1Hex;
    private final Set<String> commands;

    private LuaScript(String name, byte[] source) {
        this.name = name;
        this.source = source;
        this.sha1Hex = sha1Hex(source);
        this.commands = commands(new String(source, StandardCharsets.UTF_8));
    }

    /**
     * The checks every script makes before its first change ({@code mustBe}, {@code read}, {@code write},
     * {@code readCount}): one copy, put before each script, because Redis scripts cannot include one another.
     */
    private static final byte[] KEY_CHECKS = read(LuaScript.class, "key-checks.lua");

    /**
     * Loads {@code <name>.lua} from the package of {@code owner}, after the key checks and then each of
     * {@code preludes}: more definitions that several scripts share, {@code <prelude>.lua} beside key-checks.lua
     * (such as {@code shared-set}, the rule of which members of a shared sorted set are one queue's).
     */
    public static LuaScript load(Class<?> owner, String name, String... preludes) {
        ByteArrayOutputStream source = new ByteArrayOutputStream();
        source.writeBytes(KEY_CHECKS);
        for (String prelude : preludes) {
            source.writeBytes(read(LuaScript.class, prelude + ".lua"));
        }
        source.writeBytes(read(owner, name + ".lua"));
        return new LuaScript(name, source.toByteArray());
    }

    private static byte[] read(Class<?> owner, String resource) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + resource + " is missing beside " + owner.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Lua script " + resource, e);
        }
    }

    public String name() {
        return name;
    }

    public byte[] source() {
        return source.clone();
    }

    /**
     * The Redis commands the script calls, upper case: with ACLs Redis checks each of them against the user, so a
     * user that may run the script must also be granted these (docs/PROTOCOL.md, "ACL of a qbridge user").
     */
    public Set<String> commands() {
        return commands;
    }

    private static Set<String> commands(String source) {
        Set<String> found = new TreeSet<>();
        Matcher m = CALL.matcher(source);
        while (m.find()) {
            found.add(m.group(1).toUpperCase(Locale.ROOT));
        }
        return Collections.unmodifiableSet(found); // sorted, for messages
    }

    /** The SHA-1 of the source as lowercase hex bytes, the form EVALSHA takes. */
    public byte[] sha1Hex() {
        return sha1Hex.clone();
    }

    private static byte[] sha1Hex(byte[] source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source);
            return HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-1", e);
        }
    }

    @Override
    public String toString() {
        return "LuaScript[" + name + "]";
    }
}
