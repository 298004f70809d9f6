package dev.qbridge.formats;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The {@code source} of a job's event: {@code /<system>/queues/<queue>}, the queue name percent-encoded. */
final class Sources {

    private Sources() {
    }

    /**
     * Made once per system and queue: a URI parse per job cost more than the rest of the event's attributes, and a
     * key joined from the two names per job was still a string built and hashed each time.
     */
    private static final Map<String, Map<String, URI>> MADE = new ConcurrentHashMap<>();

    static URI of(String system, String queue) {
        Map<String, URI> ofSystem = MADE.get(system);
        if (ofSystem == null) {
            ofSystem = MADE.computeIfAbsent(system, s -> new ConcurrentHashMap<>());
        }
        URI made = ofSystem.get(queue);
        return made != null ? made : ofSystem.computeIfAbsent(queue, q -> make(system, q));
    }

    private static URI make(String system, String queue) {
        return URI.create("/" + system + "/queues/" + URLEncoder.encode(queue, StandardCharsets.UTF_8).replace("+", "%20"));
    }
}
