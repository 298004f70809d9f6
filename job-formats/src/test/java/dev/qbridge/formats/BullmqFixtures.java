package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * BullMQ jobs as BullMQ 6.7.6 (npm; its Lua scripts write the hash, whichever Redis client runs them) wrote them into
 * a test redis-server with testkit's client and worker scripts, each {@code bullmq/<name>.json} an id, the fields of
 * its hash {@code bull:default:<id>} (HGETALL, values in base64) and, for a job in a sorted set, the set and its
 * score: {@code waiting-*} and {@code lifo} in {@code wait}, {@code prioritized*} in {@code prioritized} (priority 1
 * and 5), {@code delayed*} in {@code delayed} (60 s, the second with priority 2), {@code custom-id-opts} added with a
 * jobId, attempts, backoff and removal options, {@code failed} a job whose processor threw with {@code attempts: 1},
 * in {@code failed} (its stack trace's paths replaced by /srv/app/).
 */
final class BullmqFixtures {

    private BullmqFixtures() {
    }

    /** The job as the core hands it to the codec: its id, its hash, and the time of its score if it has one. */
    static NativeJob job(String name) {
        JsonNode doc = doc(name);
        Map<String, byte[]> hash = new LinkedHashMap<>();
        doc.get("fields").properties().forEach(f -> hash.put(f.getKey(), Base64.getDecoder().decode(f.getValue().asText())));
        Optional<Instant> at = doc.has("score") ? Optional.of(BullmqCodec.timeOfScore(doc.get("score").asText(), set(name)))
                : Optional.empty();
        return NativeJob.ofHash(doc.get("id").asText().getBytes(StandardCharsets.UTF_8), hash, at);
    }

    /** The set the job was read from: wait and prioritized are ready. */
    static JobSet set(String name) {
        JsonNode set = doc(name).get("set");
        if (set == null || set.asText().equals("prioritized")) {
            return JobSet.READY;
        }
        return set.asText().equals("delayed") ? JobSet.SCHEDULED : JobSet.DEAD;
    }

    static String score(String name) {
        return doc(name).get("score").asText();
    }

    private static JsonNode doc(String name) {
        return Fixtures.tree(Fixtures.bytes("bullmq/" + name + ".json"));
    }
}
