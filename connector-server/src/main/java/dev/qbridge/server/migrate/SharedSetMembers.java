package dev.qbridge.server.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.core.queue.QueueConfig;
import java.io.IOException;

/** Which members of a sorted set shared by several queues are one queue's, as the core's scripts decide it. */
final class SharedSetMembers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SharedSetMembers() {
    }

    /** True when {@code member} is a JSON object whose top-level field names the queue (take-sorted's rule). */
    static boolean belongs(byte[] member, QueueConfig.SharedSet shared) {
        try {
            JsonNode node = JSON.readTree(member);
            JsonNode field = node == null || !node.isObject() ? null : node.get(shared.field());
            return field != null && field.isTextual() && field.textValue().equals(shared.value());
        } catch (IOException e) {
            return false; // no JSON: no queue's
        }
    }
}
