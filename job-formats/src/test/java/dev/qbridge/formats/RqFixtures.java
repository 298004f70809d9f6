package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * RQ jobs as RQ 1.13 (Debian python3-rq, Python 3.11, redis-py 4.3.4) wrote them into a test redis-server, each
 * {@code rq/<name>.json} an id, the fields of its hash {@code rq:job:<id>} (HGETALL, values in base64) and, for a
 * registry's job, its score ({@code pickle-failed}: a job whose function raised, run by RQ's SimpleWorker, with its
 * score in {@code rq:failed:default}). {@code rq/pickles/} are CPython's pickles of a plain tuple, a class instance,
 * {@code os.system}, an object whose {@code __reduce__} calls {@code os.system}, a set and a bytearray, in
 * protocols 2 and 5.
 */
final class RqFixtures {

    private RqFixtures() {
    }

    /** The job as the core hands it to the codec: its id, its hash, and the registry's score if any. */
    static NativeJob job(String name) {
        JsonNode doc = Fixtures.tree(Fixtures.bytes("rq/" + name + ".json"));
        Map<String, byte[]> hash = new LinkedHashMap<>();
        doc.get("fields").properties().forEach(f -> hash.put(f.getKey(), Base64.getDecoder().decode(f.getValue().asText())));
        Optional<Instant> at = doc.has("score") ? Optional.of(JobExtensions.instantOfScore(doc.get("score").doubleValue()))
                : Optional.empty();
        return NativeJob.ofHash(doc.get("id").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8), hash, at);
    }
}
