package dev.qbridge.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * What one chaos run does. Every option has a default derived from {@code --jobs}, so
 * {@code ChaosRun --jobs 1000000} alone is the full run of docs/RELIABILITY.md.
 *
 * @param jobs          good jobs pushed to the source queue, ids job-0000000 ...
 * @param kills         SIGKILLs of a Connect worker (source or sink, chosen at random), each followed by a restart
 * @param redisRestarts kill -9 and restart of redis-server on its AOF ({@code appendfsync always})
 * @param kafkaRestarts kill -9 and restart of the KRaft broker on its log directory
 * @param seed          seeds where bad inputs sit, when events happen and which worker is killed
 * @param maxMinutes    the whole run gives up after this, reporting what is missing
 * @param feedSeconds   the jobs are pushed evenly over this long, so the events hit a flowing pipeline
 * @param badJson       malformed JSON payloads mixed into the source queue
 * @param oversized     payloads larger than the source's max.job.bytes (1,000,000) and Kafka's 1 MiB, mixed in
 * @param tombstones    records without a value written straight to the topic, which the sink cannot make jobs of
 * @param pluginArchive the connectors' plugin archive (qbridge-kafka-connect-*.zip)
 * @param workDir       where the broker, the workers and Redis keep their files
 */
public record ChaosOptions(int jobs, int kills, int redisRestarts, int kafkaRestarts, long seed, double maxMinutes,
                           int feedSeconds, int badJson, int oversized, int tombstones, Path pluginArchive,
                           Path workDir) {

    public static final String USAGE = """
            ChaosRun [--jobs N] [--kills N] [--redis-restarts N] [--kafka-restarts N] [--seed N] [--max-minutes M]
                     [--feed-seconds S] [--bad-json N] [--oversized N] [--tombstones N] [--plugin-archive ZIP]
                     [--work-dir DIR]
            defaults: --jobs 1000000 --kills 10 --redis-restarts 2 --kafka-restarts 1 --max-minutes 10;
            --feed-seconds, --bad-json, --oversized and --tombstones scale with --jobs""";

    public ChaosOptions {
        if (jobs < 1 || kills < 0 || redisRestarts < 0 || kafkaRestarts < 0 || maxMinutes <= 0 || feedSeconds < 1
                || badJson < 0 || oversized < 0 || tombstones < 0) {
            throw new IllegalArgumentException("counts must be positive (jobs >= 1, the others >= 0)\n" + USAGE);
        }
    }

    /** The defaults for this many jobs; bad inputs scale with the run, at least a few of each kind. */
    public static ChaosOptions defaults(int jobs) {
        return new ChaosOptions(jobs, 10, 2, 1, 1L, 10, defaultFeedSeconds(jobs), Math.max(5, jobs / 10_000),
                Math.max(3, Math.min(10, jobs / 100_000)), Math.max(5, jobs / 50_000), defaultPluginArchive(), null);
    }

    static int defaultFeedSeconds(int jobs) {
        return (int) Math.max(30, Math.min(360, jobs / 2_800L));
    }

    public Duration maxDuration() {
        return Duration.ofMillis((long) (maxMinutes * 60_000));
    }

    public static ChaosOptions parse(String... args) {
        int jobs = 1_000_000;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--jobs")) {
                jobs = Integer.parseInt(args[i + 1].replace("_", ""));
            }
        }
        ChaosOptions d = defaults(jobs);
        int kills = d.kills, redis = d.redisRestarts, kafka = d.kafkaRestarts, feed = d.feedSeconds;
        int badJson = d.badJson, oversized = d.oversized, tombstones = d.tombstones;
        long seed = d.seed;
        double maxMinutes = d.maxMinutes;
        Path plugin = d.pluginArchive, workDir = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i].toLowerCase(Locale.ROOT);
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value\n" + USAGE);
            }
            String v = args[++i].replace("_", "");
            switch (option) {
                case "--jobs" -> { }
                case "--kills" -> kills = Integer.parseInt(v);
                case "--redis-restarts" -> redis = Integer.parseInt(v);
                case "--kafka-restarts" -> kafka = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--max-minutes" -> maxMinutes = Double.parseDouble(v);
                case "--feed-seconds" -> feed = Integer.parseInt(v);
                case "--bad-json" -> badJson = Integer.parseInt(v);
                case "--oversized" -> oversized = Integer.parseInt(v);
                case "--tombstones" -> tombstones = Integer.parseInt(v);
                case "--plugin-archive" -> plugin = Path.of(v);
                case "--work-dir" -> workDir = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + option + "\n" + USAGE);
            }
        }
        return new ChaosOptions(jobs, kills, redis, kafka, seed, maxMinutes, feed, badJson, oversized, tombstones,
                plugin, workDir);
    }

    /**
     * The first existing file of -Dqbridge.pluginArchives (comma separated; the build sets the reactor's archive
     * and the installed one), else the reactor's archive seen from the project's root directory.
     */
    static Path defaultPluginArchive() {
        String candidates = System.getProperty("qbridge.pluginArchives", "");
        for (String candidate : candidates.split(",")) {
            if (!candidate.isBlank() && Path.of(candidate.trim()).toFile().isFile()) {
                return Path.of(candidate.trim());
            }
        }
        java.io.File[] built = Path.of("connector-kafka", "target").toFile()
                .listFiles((dir, name) -> name.startsWith("qbridge-kafka-connect-") && name.endsWith(".zip"));
        return built != null && built.length == 1 ? built[0].toPath()
                : Path.of("connector-kafka", "target", "qbridge-kafka-connect.zip"); // missing: unzip() says what to do
    }
}
