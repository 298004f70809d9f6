package dev.qbridge.camel.bridge;

import dev.qbridge.camel.RedisqConstants;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.camel.Exchange;
import org.apache.camel.NoTypeConversionAvailableException;

/**
 * Appends the jobs of a batch exchange ({@code redisq:} with {@code batching=true}) to a file as JSON lines, one line
 * per job, in one write and one fsync per batch: the exchange completes, and the batch is acked, only once the lines
 * are on disk. A line is {@code {"queue":"orders","id":17,"attempt":1,"payload":"..."}}, the payload a JSON string
 * when it is valid UTF-8 (decoding it as UTF-8 gives back the bytes pushed) and {@code "payloadBase64":"..."}
 * instead when it is not, so that no job is mangled.
 * <p>
 * A crash after the write and before the ack writes the batch again when it is redelivered (at-least-once: the
 * same id twice; a reader that needs each job once keeps the first line of each id). A crash during the write (a
 * power loss, a kill between two write calls) can leave a last line without its line break: before appending to a
 * file that does not end with one, a line break is written first, so the torn line stays alone on its line and no
 * other line is damaged. A reader skips lines that are not a whole JSON object; their jobs were not acked and are
 * written again.
 * <p>
 * Appends to one file are serialized within the JVM. Several processes may append to the same file (each batch is
 * one write to a file opened for appending), but only a file of its own per process makes the torn-line repair
 * safe from a race with another writer: put the host or process in the file name.
 */
public final class JsonLinesFile {

    /** The header naming the directory written to; the file name is in {@link Exchange#FILE_NAME}. */
    public static final String DIRECTORY = "CamelQbridgeJsonLinesDirectory";

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final ConcurrentMap<Path, Object> LOCKS = new ConcurrentHashMap<>();

    /** Appends the batch of the exchange to {@code <DIRECTORY>/<CamelFileName>} and fsyncs it. */
    public void append(Exchange exchange) throws IOException, NoTypeConversionAvailableException {
        List<?> payloads = exchange.getIn().getBody(List.class);
        List<?> ids = exchange.getIn().getHeader(RedisqConstants.JOB_IDS, List.class);
        List<?> attempts = exchange.getIn().getHeader(RedisqConstants.ATTEMPTS, List.class);
        String queue = exchange.getIn().getHeader(RedisqConstants.QUEUE, String.class);
        String directory = exchange.getIn().getHeader(DIRECTORY, String.class);
        String fileName = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
        if (payloads == null || ids == null || attempts == null || ids.size() != payloads.size()) {
            throw new IllegalArgumentException("JSON lines need a batch exchange of a redisq: consumer with batching=true "
                    + "(a List body and the " + RedisqConstants.JOB_IDS + " header)");
        }
        Lines lines = new Lines(64 + payloads.size() * 128);
        for (int i = 0; i < payloads.size(); i++) {
            Object body = payloads.get(i);
            // byte[] from the consumer; a route may have turned them into strings or other convertible bodies
            byte[] payload = body instanceof byte[] b ? b
                    : exchange.getContext().getTypeConverter().mandatoryConvertTo(byte[].class, exchange, body);
            lines.job(queue, ((Number) ids.get(i)).longValue(), ((Number) attempts.get(i)).intValue(), payload);
        }
        write(Path.of(directory).resolve(fileName), lines);
    }

    private static void write(Path file, Lines lines) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        synchronized (LOCKS.computeIfAbsent(absolute, p -> new Object())) {
            Path directory = absolute.getParent();
            Files.createDirectories(directory);
            boolean created = !Files.exists(absolute);
            // opened per batch: no file handle to close at rotation or stop, and it costs microseconds beside the fsync
            boolean torn = !created && endsTorn(absolute);
            try (FileChannel channel = FileChannel.open(absolute, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer out = lines.buffer(torn);
                while (out.hasRemaining()) {
                    channel.write(out);
                }
                channel.force(false); // fdatasync: the data and the file's new length
            }
            if (created) {
                fsyncDirectory(directory); // the new file's name survives a power loss too
            }
        }
    }

    /** True when the file's last byte is not a line break: the tail of a write that a crash cut short. */
    private static boolean endsTorn(Path file) throws IOException {
        // a channel of its own: Java opens no file for both reading and appending
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, size - 1);
            return last.get(0) != '\n';
        }
    }

    private static void fsyncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems refuse to open a directory; the data itself is already synced
            throw new UncheckedIOException("could not fsync directory " + directory + " after creating a file in it", e);
        }
    }

    /** The lines of one batch, built in one buffer. */
    static final class Lines {
        private byte[] bytes;
        private int size = 1; // byte 0 is kept for the line break that closes a torn last line

        Lines(int capacity) {
            bytes = new byte[Math.max(capacity, 16)];
        }

        void job(String queue, long id, int attempt, byte[] payload) {
            ascii("{\"queue\":");
            string(queue.getBytes(StandardCharsets.UTF_8));
            ascii(",\"id\":" + id + ",\"attempt\":" + attempt);
            if (isUtf8(payload)) {
                ascii(",\"payload\":");
                string(payload);
            } else {
                ascii(",\"payloadBase64\":\"");
                raw(Base64.getEncoder().encode(payload));
                put((byte) '"');
            }
            ascii("}\n");
        }

        ByteBuffer buffer(boolean closeTornLine) {
            bytes[0] = '\n';
            return closeTornLine ? ByteBuffer.wrap(bytes, 0, size) : ByteBuffer.wrap(bytes, 1, size - 1);
        }

        /** A JSON string of valid UTF-8: quote, backslash and control characters escaped, the rest copied. */
        private void string(byte[] utf8) {
            ensure(utf8.length + 2);
            put((byte) '"');
            for (byte b : utf8) {
                if (b == '"' || b == '\\') {
                    put((byte) '\\');
                    put(b);
                } else if (b >= 0 && b < 0x20) {
                    ascii("\\u00");
                    put(HEX[b >> 4]);
                    put(HEX[b & 0xf]);
                } else {
                    put(b);
                }
            }
            put((byte) '"');
        }

        private void ascii(String s) {
            ensure(s.length());
            for (int i = 0; i < s.length(); i++) {
                bytes[size++] = (byte) s.charAt(i);
            }
        }

        private void raw(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
        }

        private void put(byte b) {
            ensure(1);
            bytes[size++] = b;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        /** Strict UTF-8 (no overlong forms, no surrogates), checked on ASCII in one pass without a decoder. */
        static boolean isUtf8(byte[] payload) {
            for (byte b : payload) {
                if (b < 0) {
                    try {
                        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload));
                        return true;
                    } catch (CharacterCodingException e) {
                        return false;
                    }
                }
            }
            return true;
        }
    }
}
