package dev.qbridge.formats;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The {@code source} of a job's event: {@code /<system>/queues/<queue>}, the queue name percent-encoded. */
final class Sources {

    private Sources() {
    }

    /** Made once per queue: a URI parse per job cost more than the rest of the event's attributes. */
    private static final Map<String, URI> MADE = new ConcurrentHashMap<>();

    static URI of(String system, String queue) {
        URI made = MADE.get(system + "\u0000" + queue);
        return made != null ? made : MADE.computeIfAbsent(system + "\u0000" + queue, k -> make(system, queue));
    }

    private static URI make(String system, String queue) {
        return URI.create("/" + system + "/queues/" + URLEncoder.encode(queue, StandardCharsets.UTF_8).replace("+", "%20"));
    }
}
