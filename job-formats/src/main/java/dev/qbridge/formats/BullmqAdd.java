package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The one script that writes a BullMQ job ({@code bullmq-add.lua}, its header has KEYS, ARGV and the invariant) and
 * its keys and arguments for a {@link NativeJob} of {@link BullmqCodec}: what BullMQ's own add scripts do, so that
 * its workers take the job as one their client added.
 */
public final class BullmqAdd {
    /** The script's text. */
    public static final String SCRIPT = resource("bullmq-add.lua");

    private static final List<String> KEYS = List.of("wait", "meta", "id", "prioritized", "pc", "delayed", "failed",
            "active", "events", "marker");

    private BullmqAdd() {
    }

    /** The script's KEYS for queue {@code queue}. */
    public static List<byte[]> keys(String queue) {
        return KEYS.stream().map(suffix -> BullmqCodec.key(queue, suffix).getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** The script's ARGV for a job {@link BullmqCodec#toNative} made for {@code set} of queue {@code queue}. */
    public static List<byte[]> args(NativeJob job, String queue, JobSet set) {
        List<byte[]> args = new ArrayList<>();
        args.add(BullmqCodec.key(queue, "").getBytes(StandardCharsets.UTF_8));
        args.add(set.toString().getBytes(StandardCharsets.UTF_8));
        args.add(job.bytes());
        args.add(lifo(job) ? new byte[] {'1'} : new byte[0]);
        args.add(job.at().map(at -> Long.toString(at.toEpochMilli())).orElse("").getBytes(StandardCharsets.UTF_8));
        job.hash().forEach((field, value) -> {
            args.add(field.getBytes(StandardCharsets.UTF_8));
            args.add(value);
        });
        return args;
    }

    /** {@code opts.lifo}: BullMQ RPUSHes such a job, so that it is the next one taken. */
    private static boolean lifo(NativeJob job) {
        byte[] opts = job.hash().get("opts");
        if (opts == null) {
            return false;
        }
        JsonNode lifo = Json.tree(opts, "the opts of a BullMQ job").get("lifo");
        return lifo != null && lifo.asBoolean();
    }

    private static String resource(String name) {
        try (InputStream in = BullmqAdd.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("job-formats resource " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + name, e);
        }
    }
}
