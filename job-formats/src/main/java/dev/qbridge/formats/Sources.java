package dev.qbridge.formats;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The {@code source} of a job's event: {@code /<system>/queues/<queue>}, the queue name percent-encoded. */
final class Sources {

    private Sources() {
    }

    static URI of(String system, String queue) {
        return URI.create("/" + system + "/queues/" + URLEncoder.encode(queue, StandardCharsets.UTF_8).replace("+", "%20"));
    }
}
