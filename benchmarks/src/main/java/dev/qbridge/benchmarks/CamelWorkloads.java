package dev.qbridge.benchmarks;

import dev.qbridge.camel.bridge.BridgeTemplates;
import dev.qbridge.core.queue.RedisQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The Camel rows: the shipped bridge templates {@code redisq-to-file} (one file per job, written under a temporary
 * name, fsync'd and renamed; or, with {@code fileFormat=jsonLines}, each batch appended as JSON lines with one fsync)
 * and {@code redisq-to-kafka} ({@code acks=all}, idempotent producer), each in a fresh
 * CamelContext of this JVM. Timed from the first job taken until every job is acked, which the consumer does only
 * once the file is there or Kafka acknowledged the record; then the files or records are counted.
 */
final class CamelWorkloads {

    private final HarnessRedis server;
    private final int batch;
    private final CpuMeter cpu;
    private int run;

    CamelWorkloads(HarnessRedis server, int batch) {
        this.server = server;
        this.batch = batch;
        this.cpu = server.cpuMeter();
    }

    Measurement toFile(int jobs) {
        Path dir;
        try {
            dir = Files.createTempDirectory("qbridge-bench-files");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Measurement m = measure(jobs, BridgeTemplates.REDISQ_TO_FILE, b -> b.parameter("directory", dir.toString()));
            long files = count(dir);
            if (files != jobs) {
                throw new IllegalStateException("redisq-to-file acked " + jobs + " jobs but wrote " + files + " files");
            }
            return m;
        } finally {
            delete(dir);
        }
    }

    /** redisq-to-file with fileFormat=jsonLines: each batch appended to one file as JSON lines, one fsync per batch. */
    Measurement toJsonLines(int jobs) {
        Path dir;
        try {
            dir = Files.createTempDirectory("qbridge-bench-jsonl");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Measurement m = measure(jobs, BridgeTemplates.REDISQ_TO_FILE, b -> b.parameter("directory", dir.toString())
                    .parameter("fileFormat", "jsonLines").parameter("linesFileName", "jobs.jsonl"));
            long lines = lines(dir.resolve("jobs.jsonl"));
            if (lines < jobs) {
                throw new IllegalStateException("redisq-to-file (jsonLines) acked " + jobs + " jobs but wrote " + lines + " lines");
            }
            return m;
        } finally {
            delete(dir);
        }
    }

    Measurement toKafka(int jobs, ConnectWorkloads kafka) {
        String topic = "bench-camel-" + (run + 1);
        kafka.createTopic(topic);
        Measurement m = measure(jobs, BridgeTemplates.REDISQ_TO_KAFKA,
                b -> b.parameter("topic", topic).parameter("brokers", kafka.bootstrapServers()));
        long records = kafka.endOffset(topic);
        if (records < jobs) {
            throw new IllegalStateException("redisq-to-kafka acked " + jobs + " jobs but topic " + topic + " holds " + records);
        }
        return m;
    }

    private Measurement measure(int jobs, String template, Consumer<TemplatedRouteBuilder> parameters) {
        String name = "bench-camel-" + (++run);
        RedisQueue queue = server.preloaded(name, jobs);
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new BridgeTemplates());
            context.start();
            TemplatedRouteBuilder route = TemplatedRouteBuilder.builder(context, template).routeId(name)
                    .parameter("source", "redisq:" + name + "?redisUri=" + server.uri() + "&batchSize=" + batch);
            parameters.accept(route);
            route.add();
            Await.until(() -> queue.counts().ready() < jobs, "route " + template + " took no job");
            cpu.start();
            long start = System.nanoTime();
            Await.until(() -> queue.counts().total() == 0, "route " + template + " did not ack every job");
            return cpu.stop(jobs, System.nanoTime() - start);
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException("route " + template + " failed: " + e, e);
        }
    }

    private static long lines(Path file) {
        try (Stream<String> lines = Files.lines(file, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long count(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".job")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
