package dev.qbridge.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.KeyValue;

/**
 * The least-privilege ACL rule that docs/PROTOCOL.md gives for a qbridge user, read from the document itself, so that
 * a test which runs qbridge as such a user proves the document: the line is the one between the
 * {@code <!-- acl-rule -->} markers, with {@code <password>} and the key patterns {@code ~<queue> ~<queue>:*}
 * (repeated for every queue) filled in. {@link #log} reads Redis' {@code ACL LOG}, where every command or key refused
 * to any user is recorded, also those refused inside a Lua script.
 */
public final class DocumentedAcl {

    private static final String MARKER = "<!-- acl-rule -->";
    private static final String QUEUE_PATTERNS = "~<queue> ~<queue>:*";

    private DocumentedAcl() {
    }

    /** The {@code ACL SETUSER ...} line as the document writes it. */
    public static String rule() {
        Path doc = Path.of(System.getProperty("qbridge.docs", "../docs"), "PROTOCOL.md");
        String text;
        try {
            text = Files.readString(doc, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + doc.toAbsolutePath() + " (set -Dqbridge.docs to the docs dir)", e);
        }
        int start = text.indexOf(MARKER);
        int end = start < 0 ? -1 : text.indexOf(MARKER, start + MARKER.length());
        if (end < 0) {
            throw new IllegalStateException(doc + " has no ACL rule between two " + MARKER + " markers");
        }
        for (String line : text.substring(start + MARKER.length(), end).split("\n")) {
            if (line.strip().startsWith("ACL SETUSER")) {
                return line.strip();
            }
        }
        throw new IllegalStateException(doc + " has no ACL SETUSER line between its " + MARKER + " markers");
    }

    /** The documented rule's arguments after {@code ACL SETUSER}, for {@code user}, {@code password} and the queues. */
    public static List<String> setUserArguments(String user, String password, String... queues) {
        String rule = rule();
        if (!rule.contains(QUEUE_PATTERNS) || !rule.contains("<password>")) {
            throw new IllegalStateException("the documented ACL rule lacks " + QUEUE_PATTERNS + " or <password>: " + rule);
        }
        List<String> patterns = new ArrayList<>();
        for (String queue : queues) {
            patterns.add("~" + queue + " ~" + queue + ":*");
        }
        String filled = rule.replace(QUEUE_PATTERNS, String.join(" ", patterns)).replace("<password>", password);
        List<String> tokens = new ArrayList<>(Arrays.asList(filled.split("\\s+")));
        tokens.subList(0, 2).clear(); // ACL SETUSER
        tokens.set(0, user);
        return tokens;
    }

    /** Creates (or resets) {@code user} with exactly the documented rule for these queues, and empties the ACL LOG. */
    public static void createUser(UnifiedJedis admin, String user, String password, String... queues) {
        List<String> args = new ArrayList<>(List.of("SETUSER"));
        args.addAll(setUserArguments(user, password, queues));
        admin.sendCommand(Protocol.Command.ACL, args.toArray(new String[0]));
        resetLog(admin);
    }

    /** The entries of {@code ACL LOG}, newest first, each as its fields (reason, context, object, username, ...). */
    public static List<Map<String, String>> log(UnifiedJedis admin) {
        List<Map<String, String>> entries = new ArrayList<>();
        Object reply = admin.sendCommand(Protocol.Command.ACL, "LOG");
        for (Object entry : (List<?>) reply) {
            Map<String, String> fields = new LinkedHashMap<>();
            List<?> items = (List<?>) entry;
            if (!items.isEmpty() && items.get(0) instanceof KeyValue<?, ?>) {
                // RESP3: a map, which Jedis gives as key-value pairs
                items.forEach(kv -> fields.put(text(((KeyValue<?, ?>) kv).getKey()), text(((KeyValue<?, ?>) kv).getValue())));
            } else {
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    fields.put(text(items.get(i)), text(items.get(i + 1)));
                }
            }
            fields.remove("client-info"); // long, and it is the other fields that say what was refused
            entries.add(fields);
        }
        return entries;
    }

    public static void resetLog(UnifiedJedis admin) {
        admin.sendCommand(Protocol.Command.ACL, "LOG", "RESET");
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }
}
