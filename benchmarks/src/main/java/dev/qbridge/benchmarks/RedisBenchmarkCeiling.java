package dev.qbridge.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the server itself can do: {@code redis-benchmark -t lpush|lpop -P 50 -q} against the harness's own
 * redis-server. Its requests/s is the ceiling every queue rate is compared with. When the binary is missing
 * or fails, the ceiling is simply unknown ("n/a"): the harness must still run on machines without it.
 */
final class RedisBenchmarkCeiling {

    /** Pipeline depth, as in BUILD-NOTES: the best a client can get out of one server. */
    static final int PIPELINE = 50;
    /** redis-benchmark's own default connection count, named because the ceiling depends on it. */
    static final int CLIENTS = 50;

    // "LPUSH: 1234567.88 requests per second, p50=0.383 msec"; progress lines ("rps=") are separated by \r
    private static final Pattern RATE = Pattern.compile("([A-Z]+): ([0-9]+(?:\\.[0-9]+)?) requests per second");
    private static final long TIMEOUT_SECONDS = 300;

    private final Path binary;

    RedisBenchmarkCeiling(Path binary) {
        this.binary = binary;
    }

    /**
     * requests/s of one test ({@code lpush}, {@code lpop}) with {@code pipeline} commands per round trip and
     * {@code clients} connections, or empty when redis-benchmark did not report one. {@code -P 1 -c 1} is the rate
     * of one command per round trip, the bound of any client that waits for each reply.
     */
    OptionalDouble measure(int port, String test, int requests, int pipeline, int clients) {
        List<String> command = List.of(binary.toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "-t", test,
                "-n", String.valueOf(requests), "-P", String.valueOf(pipeline), "-c", String.valueOf(clients), "-q");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return OptionalDouble.empty();
            }
            return parse(output, test);
        } catch (IOException e) {
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
    }

    /** The last "TEST: R requests per second" of the output for that test. */
    static OptionalDouble parse(String output, String test) {
        Matcher m = RATE.matcher(output);
        OptionalDouble rate = OptionalDouble.empty();
        while (m.find()) {
            if (m.group(1).equalsIgnoreCase(test)) {
                rate = OptionalDouble.of(Double.parseDouble(m.group(2)));
            }
        }
        return rate;
    }
}
