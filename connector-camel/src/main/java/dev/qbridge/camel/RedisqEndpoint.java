package dev.qbridge.camel;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.Secrets;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.core.retry.RetryPolicy;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.JobTranslation;
import dev.qbridge.formats.RqCodec;
import dev.qbridge.formats.RqSerializer;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.formats.TaskMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * A Redis queue as a Camel endpoint. As a consumer it takes jobs in batches under a lease and acks each job only
 * when its exchange completes; a failed exchange nacks its job (retry with backoff, then dead letter). With
 * {@code batching=true} one exchange carries the whole batch, settled together. As a
 * producer it pushes the body as one job, or a collection body as a batch.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "redisq", title = "Redis Queue", syntax = "redisq:queue",
        category = {Category.MESSAGING}, headersClass = RedisqConstants.class)
public class RedisqEndpoint extends DefaultEndpoint {

    @UriPath(description = "The queue: the Redis key of its ready jobs (the list or sorted set that LPUSH or ZADD "
            + "producers write). Its other keys are derived from it. On a Redis Cluster name it with a hash tag, such as {orders}.")
    @Metadata(required = true)
    private String queue;

    @UriParam(label = "common", defaultValue = "redis://localhost:6379",
            description = "Where Redis is: redis://host:port[/db], rediss:// for TLS, redis-cluster://h1:p1,h2:p2 for a "
                    + "Redis Cluster. Query parameters timeout, poolSize and clientName are passed on. Put secrets in "
                    + "user and password rather than here.")
    private String redisUri = "redis://localhost:6379";

    @UriParam(label = "security", secret = true, description = "The Redis ACL user; overrides one in redisUri.")
    private String user;

    @UriParam(label = "security", secret = true, description = "The Redis password; overrides one in redisUri.")
    private String password;

    @UriParam(label = "security", defaultValue = "false",
            description = "Connect over TLS, as a rediss:// URI does.")
    private boolean tls;

    @UriParam(label = "security", description = "A PKCS12 or JKS file of the certificates to trust for TLS; "
            + "the JVM's default trust store when unset. Needs tls=true or a rediss:// URI.")
    private String trustStore;

    @UriParam(label = "security", secret = true, description = "The password of the trust store.")
    private String trustStorePassword;

    @UriParam(label = "security", description = "A PKCS12 or JKS file with the client certificate and its private key "
            + "(the key protected by the store's password), for a Redis that authenticates TLS clients "
            + "(redis-server's tls-auth-clients yes, its default). Needs tls=true or a rediss:// URI.")
    private String keyStore;

    @UriParam(label = "security", secret = true, description = "The password of the key store and of the key in it.")
    private String keyStorePassword;

    @UriParam(label = "security", defaultValue = "true", description = "Whether the server's certificate must name the "
            + "host of redisUri (as a DNS name or IP address). false accepts any certificate the trust store trusts, "
            + "e.g. when Redis is reached by an address its certificate does not list.")
    private boolean verifyHostname = true;

    @UriParam(label = "common", defaultValue = "reliable", enums = "reliable,priority,delayed",
            description = "The queue's shape: reliable (a list, FIFO), priority (a sorted set, lowest score first) or "
                    + "delayed (a sorted set whose score is the due time; only due jobs are taken).")
    private String kind = "reliable";

    @UriParam(label = "common", defaultValue = "raw", enums = "raw,json,sidekiq,celery,rq",
            description = "What the queue's jobs look like: raw (any bytes) or json (one JSON value), passed on as they "
                    + "are; or a job system's own jobs, sidekiq, celery or rq: the queue is named as the system names it "
                    + "(default, celery), its jobs are routed as CloudEvents (JSON structured mode) and a CloudEvent "
                    + "or a plain JSON job ({\"type\", \"args\"}) routed to it is written as the system's client "
                    + "writes a job. A taken job that breaks the format is dead-lettered with the reason and never "
                    + "reaches the route.")
    private String format = "raw";

    @UriParam(label = "common", defaultValue = "ready", enums = "ready,scheduled,retry,dead",
            description = "Which of a job system's sets the queue reads or writes: ready (waiting for a worker), "
                    + "scheduled, retry or dead; a scheduled or dead job keeps its time. Only for the job systems' "
                    + "formats.")
    private String set = "ready";

    @UriParam(label = "producer", enums = "pickle,json",
            description = "With format=rq, how jobs written to the queue are serialized, as its RQ workers read them: "
                    + "pickle (RQ's default) or json (rq.serializers.JSONSerializer). Jobs taken are read either way.")
    private String serializer;

    @UriParam(label = "producer",
            description = "Renames tasks on their way into a job system, as from:to pairs separated by commas "
                    + "(tasks.add:AddWorker); a task not named keeps its name.")
    private String taskMap;

    @UriParam(label = "consumer", defaultValue = "100",
            description = "Most jobs taken in one round trip (1 to 1000). Their acks are also flushed in one round trip.")
    private int batchSize = 100;

    @UriParam(label = "consumer", defaultValue = "4194304",
            description = "Most payload bytes one take moves (at least 1): a batch stops before the job that would pass "
                    + "it, though its first job is always taken. Keeps one take of large jobs in the milliseconds, so it "
                    + "does not stall Redis for every other client.")
    private int batchMaxBytes = QueueConfig.DEFAULT_BATCH_MAX_BYTES;

    @UriParam(label = "consumer", defaultValue = "false",
            description = "Route one exchange per batch taken instead of one per job, as camel-kafka's batching does: "
                    + "the body is a java.util.List of the payloads (byte arrays, in the order taken), the headers "
                    + "CamelRedisqJobIds and CamelRedisqAttempts list each job's id and attempt in the same order. The "
                    + "batch is acked together once the exchange completed, and nacked (retried, dead-lettered, or held "
                    + "while the destination is unavailable) together when it failed. For sinks that write a batch at "
                    + "the cost of one job, such as one fsync per batch.")
    private boolean batching;

    @UriParam(label = "consumer", defaultValue = "1",
            description = "Threads taking and processing batches in parallel.")
    private int concurrentConsumers = 1;

    @UriParam(label = "consumer", defaultValue = "1000", javaType = "java.time.Duration",
            description = "How long one take waits for a job when the queue is empty. Also bounds how long a stop waits "
                    + "for an idle consumer.")
    private long pollTimeout = 1000;

    @UriParam(label = "consumer", defaultValue = "30000", javaType = "java.time.Duration",
            description = "The lease (visibility timeout): how long a taken job stays invisible to other consumers "
                    + "before it is delivered again. At least 100 ms. Renewed while the exchange runs when renewLeases is on.")
    private long visibilityTimeout = 30_000;

    @UriParam(label = "consumer", defaultValue = "true",
            description = "Renew the leases of jobs still in flight at half the visibility timeout, so a slow "
                    + "exchange is not redelivered under its worker. Off: an exchange slower than the visibility "
                    + "timeout is delivered again.")
    private boolean renewLeases = true;

    @UriParam(label = "consumer", defaultValue = "5000", javaType = "java.time.Duration",
            description = "How often this consumer requeues the jobs of consumers that died (expired leases). "
                    + "0 turns it off, when another process reaps the queue.")
    private long reapInterval = 5000;

    @UriParam(label = "consumer", defaultValue = "5",
            description = "Deliveries of a job before it is dead-lettered: 1 never retries.")
    private int maxAttempts = 5;

    @UriParam(label = "consumer", defaultValue = "1000", javaType = "java.time.Duration",
            description = "The wait before the first retry of a failed job.")
    private long initialBackoff = 1000;

    @UriParam(label = "consumer", defaultValue = "2.0",
            description = "How much each retry's wait grows over the previous one (at least 1.0).")
    private double backoffMultiplier = 2.0;

    @UriParam(label = "consumer", defaultValue = "300000", javaType = "java.time.Duration",
            description = "The longest wait between two retries; not shorter than initialBackoff.")
    private long maxBackoff = 300_000;

    @UriParam(label = "consumer", defaultValue = "0.2",
            description = "The fraction of each retry wait taken off at random (0.0 to 1.0), so that jobs failing "
                    + "together do not retry together.")
    private double backoffJitter = 0.2;

    @UriParam(label = "consumer",
            description = "A reliable queue that receives the payloads of jobs out of attempts (or failing for good). "
                    + "Unset: they go to the queue's own dead-letter list <queue>:dead with the failure reason.")
    private String deadLetterQueue;

    @UriParam(label = "consumer,advanced",
            description = "More exceptions that mean the destination is unavailable rather than that the job failed: "
                    + "fully qualified class names, separated by commas; subclasses count too. Besides these, refused "
                    + "connections, connect timeouts, unknown hosts, Kafka's retriable errors, a JMS client that is not "
                    + "connected, HTTP 429, 502, 503 and 504 and DestinationUnavailableException count. The jobs of an "
                    + "unavailable destination stay in hand, nothing new is taken, and they are routed again with "
                    + "backoff without counting an attempt.")
    private String destinationOutageExceptions;

    @UriParam(label = "producer",
            description = "The priority of pushed jobs that name none in the CamelRedisqPriority header; lower is taken "
                    + "first. Only for kind=priority. 0 when unset.")
    private Long defaultPriority;

    @UriParam(label = "producer", javaType = "java.time.Duration",
            description = "How long pushed jobs that name no CamelRedisqDelay or CamelRedisqDueAt header wait before "
                    + "they are due. Only for kind=delayed. 0 when unset.")
    private Long defaultDelay;

    @UriParam(label = "advanced", enums = "seconds,milliseconds", defaultValue = "seconds",
            description = "The unit of a delayed queue's scores, as its other producers write them: seconds "
                    + "(the guide's time.time()) or milliseconds. Only for kind=delayed.")
    private String dueTimeUnit;

    @UriParam(label = "advanced",
            description = "A RedisConnection of qbridge's core to use instead of opening one from redisUri, for "
                    + "sharing one pool with other code.")
    private RedisConnection connection;

    private QueueConfig queueConfig;
    private JobTranslation translation;
    private DestinationOutages destinationOutages = DestinationOutages.DEFAULT;
    private RedisEndpoint redisEndpoint;
    private RedisQueue redisQueue;
    private RedisQueue deadLetters;
    private final Map<String, RedisQueue> pushQueues = new HashMap<>();
    private boolean pooled;

    public RedisqEndpoint(String uri, RedisqComponent component, String queue) {
        super(uri, component);
        this.queue = queue;
    }

    @Override
    public RedisqComponent getComponent() {
        return (RedisqComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new RedisqProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        RedisqConsumer consumer = new RedisqConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    /**
     * Rejects invalid options and combinations before any route starts, with a message that says what to change.
     * Builds the queue configuration and the Redis address; connects to nothing.
     */
    void validate() {
        if (queue == null || queue.isBlank()) {
            throw invalid("the queue name is empty: write redisq:<queue>, such as redisq:orders");
        }
        QueueKind queueKind = parse(() -> QueueKind.parse(kind));
        if (defaultPriority != null && queueKind != QueueKind.PRIORITY) {
            throw invalid("defaultPriority applies to priority queues only: set kind=priority or remove defaultPriority");
        }
        if (defaultDelay != null && queueKind != QueueKind.DELAYED) {
            throw invalid("defaultDelay applies to delayed queues only: set kind=delayed or remove defaultDelay");
        }
        if (dueTimeUnit != null && queueKind != QueueKind.DELAYED) {
            throw invalid("dueTimeUnit applies to delayed queues only: set kind=delayed or remove dueTimeUnit");
        }
        if (batchSize < 1 || batchSize > RedisQueue.MAX_BATCH) {
            throw invalid("batchSize must be between 1 and " + RedisQueue.MAX_BATCH + ", was " + batchSize);
        }
        if (batchMaxBytes < 1) {
            throw invalid("batchMaxBytes must be at least 1, was " + batchMaxBytes);
        }
        if (concurrentConsumers < 1) {
            throw invalid("concurrentConsumers must be at least 1, was " + concurrentConsumers);
        }
        if (pollTimeout < 1) {
            throw invalid("pollTimeout must be positive, was " + pollTimeout + " ms");
        }
        if (reapInterval < 0) {
            throw invalid("reapInterval must be 0 (off) or positive, was " + reapInterval + " ms");
        }
        if (!renewLeases && reapInterval > 0 && visibilityTimeout < 1000) {
            // a lease this short without renewal redelivers almost every job that takes longer than a round trip
            throw invalid("visibilityTimeout of " + visibilityTimeout + " ms without lease renewal redelivers any job "
                    + "slower than that: set renewLeases=true or a visibilityTimeout of at least 1s");
        }
        if (deadLetterQueue != null && deadLetterQueue.equals(queue)) {
            throw invalid("deadLetterQueue is the queue itself, so failed jobs would be retried forever: name another queue");
        }
        destinationOutages = DestinationOutages.of(destinationOutageExceptions);
        boolean rediss = tls || redisUri.regionMatches(true, 0, "rediss", 0, "rediss".length());
        if ((trustStore != null || keyStore != null) && !rediss) {
            throw invalid((keyStore != null ? "keyStore" : "trustStore") + " is set but the connection is not TLS: set "
                    + "tls=true or use a rediss:// URI");
        }
        redisEndpoint = parse(this::redis);
        RetryPolicy retry = parse(() -> new RetryPolicy(maxAttempts, Duration.ofMillis(initialBackoff), backoffMultiplier,
                Duration.ofMillis(maxBackoff), backoffJitter));
        JobFormat jobFormat = parse(() -> JobFormat.parse(format));
        if (jobFormat.isJobSystem() && queueKind != QueueKind.RELIABLE) {
            throw invalid("format=" + jobFormat + " names the system's own keys, which are lists: leave kind out");
        }
        SystemQueue systemQueue = parse(() -> new SystemQueue(jobFormat, queue, JobSet.parse(set)));
        if (taskMap != null && !jobFormat.isJobSystem()) {
            throw invalid("taskMap renames the tasks of job systems: set format=sidekiq, celery or rq, or remove taskMap");
        }
        if (serializer != null && jobFormat != JobFormat.RQ) {
            throw invalid("serializer says how RQ's jobs are written: set format=rq, or remove serializer");
        }
        TaskMap tasks = taskMap == null ? TaskMap.NONE : parseTaskMap(taskMap);
        translation = serializer == null ? new JobTranslation(systemQueue, tasks)
                : new JobTranslation(systemQueue, tasks, new RqCodec(parse(() -> RqSerializer.parse(serializer))));
        queueConfig = parse(() -> {
            QueueConfig.Builder b = (jobFormat.isJobSystem() ? systemQueue.config() : QueueConfig.builder(queue)
                    .kind(queueKind)
                    .format(jobFormat.payloadFormat()))
                    .leaseTimeout(Duration.ofMillis(visibilityTimeout))
                    .batchMaxBytes(batchMaxBytes)
                    .retry(retry);
            if (defaultPriority != null) {
                b.defaultPriority(defaultPriority);
            }
            if (defaultDelay != null) {
                b.defaultDelay(Duration.ofMillis(defaultDelay));
            }
            if (dueTimeUnit != null) {
                b.dueTimeUnit(DueTimeUnit.parse(dueTimeUnit));
            }
            return b.build();
        });
    }

    /**
     * Where this endpoint's Redis is: redisUri with the endpoint's credentials and TLS options, which override those
     * of the URI. Public so that tools working on the queue directly (migrate, metrics) reach the same Redis the same
     * way; throws a CONFIG {@link QueueException} for options that do not fit together.
     */
    public RedisEndpoint redis() {
        RedisEndpoint.Builder b = RedisEndpoint.builder(redisUri).user(user).password(password);
        if (tls) {
            b.tls(true);
        }
        if (trustStore != null) {
            b.trustStore(Path.of(trustStore), trustStorePassword);
        }
        if (keyStore != null) {
            b.keyStore(Path.of(keyStore), keyStorePassword);
        }
        if (!verifyHostname) {
            b.verifyHostname(false);
        }
        return b.build();
    }

    private TaskMap parseTaskMap(String spec) {
        try {
            return TaskMap.parse(spec);
        } catch (RuntimeException e) {
            throw invalid("taskMap: " + e.getMessage());
        }
    }

    private <T> T parse(java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (QueueException e) {
            throw invalid(e.getMessage());
        }
    }

    private IllegalArgumentException invalid(String why) {
        // the endpoint URI as Camel normalized it: its redisUri percent-encoded, a password in it too
        return new IllegalArgumentException("redisq endpoint " + Secrets.redact(getEndpointUri()) + ": " + why);
    }

    /** The queue, connecting to Redis on first use. */
    synchronized RedisQueue queue() {
        if (redisQueue == null) {
            RedisConnection redis = connection();
            redisQueue = new RedisQueue(redis, queueConfig);
            if (deadLetterQueue != null) {
                deadLetters = new RedisQueue(redis, QueueConfig.builder(deadLetterQueue).build());
            }
        }
        return redisQueue;
    }

    /** The separate dead-letter queue, or null when dead letters stay in the queue's own dead-letter list. */
    synchronized RedisQueue deadLetterQueue() {
        queue();
        return deadLetters;
    }

    synchronized RedisConnection connection() {
        if (connection == null) {
            connection = getComponent().acquire(redisEndpoint);
            pooled = true;
        }
        return connection;
    }

    QueueConfig queueConfig() {
        return queueConfig;
    }

    /** What a job becomes on its way out of the queue and into it: nothing for raw and json queues. */
    public JobTranslation translation() {
        return translation;
    }

    /**
     * The queue a job pushed to {@code key} goes to: the endpoint's own queue for its ready key, else a queue on one
     * of its further ready lists (a Celery priority list), created on first use.
     */
    synchronized RedisQueue pushQueue(String key) {
        RedisQueue own = queue();
        if (key.equals(own.name())) {
            return own;
        }
        return pushQueues.computeIfAbsent(key, k -> new RedisQueue(connection(), QueueConfig.builder(k).build()));
    }

    /** The queue a push to a job system's sorted set (Sidekiq's schedule, retry, dead) goes through. */
    synchronized RedisQueue pushQueue(QueueConfig config) {
        return pushQueues.computeIfAbsent(config.name(), k -> new RedisQueue(connection(), config));
    }

    /** Which failures of an exchange mean its destination is unavailable. */
    DestinationOutages destinationOutages() {
        return destinationOutages;
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (pooled) {
            getComponent().release(redisEndpoint);
            connection = null;
            pooled = false;
        }
        redisQueue = null;
        deadLetters = null;
        pushQueues.clear();
        super.doStop();
    }

    // ---- options ----------------------------------------------------------------------------------

    public String getQueue() {
        return queue;
    }

    /** The queue: the Redis key of its ready jobs. */
    public void setQueue(String queue) {
        this.queue = queue;
    }

    public String getRedisUri() {
        return redisUri;
    }

    /** Where Redis is: redis://host:port[/db], rediss:// for TLS, redis-cluster://h1:p1,h2:p2 for a cluster. */
    public void setRedisUri(String redisUri) {
        this.redisUri = redisUri;
    }

    public String getUser() {
        return user;
    }

    /** The Redis ACL user; overrides one in redisUri. */
    public void setUser(String user) {
        this.user = user;
    }

    public String getPassword() {
        return password;
    }

    /** The Redis password; overrides one in redisUri. */
    public void setPassword(String password) {
        this.password = password;
    }

    public boolean isTls() {
        return tls;
    }

    /** Connect over TLS, as a rediss:// URI does. */
    public void setTls(boolean tls) {
        this.tls = tls;
    }

    public String getTrustStore() {
        return trustStore;
    }

    /** A PKCS12 or JKS file of the certificates to trust for TLS. */
    public void setTrustStore(String trustStore) {
        this.trustStore = trustStore;
    }

    public String getTrustStorePassword() {
        return trustStorePassword;
    }

    /** The password of the trust store. */
    public void setTrustStorePassword(String trustStorePassword) {
        this.trustStorePassword = trustStorePassword;
    }

    public String getKeyStore() {
        return keyStore;
    }

    /** A PKCS12 or JKS file with the client certificate and its private key, for mutual TLS. */
    public void setKeyStore(String keyStore) {
        this.keyStore = keyStore;
    }

    public String getKeyStorePassword() {
        return keyStorePassword;
    }

    /** The password of the key store and of the key in it. */
    public void setKeyStorePassword(String keyStorePassword) {
        this.keyStorePassword = keyStorePassword;
    }

    public boolean isVerifyHostname() {
        return verifyHostname;
    }

    /** Whether the server's certificate must name the host of redisUri; false accepts any trusted certificate. */
    public void setVerifyHostname(boolean verifyHostname) {
        this.verifyHostname = verifyHostname;
    }

    public String getKind() {
        return kind;
    }

    /** The queue's shape: reliable, priority or delayed. */
    public void setKind(String kind) {
        this.kind = kind;
    }

    public String getFormat() {
        return format;
    }

    /** What the queue's jobs look like: raw, json, sidekiq or celery; jobs that break it are dead-lettered. */
    public void setFormat(String format) {
        this.format = format;
    }

    public String getSet() {
        return set;
    }

    /** Which of a job system's sets: ready, scheduled, retry or dead. */
    public void setSet(String set) {
        this.set = set;
    }

    public String getSerializer() {
        return serializer;
    }

    /** With format=rq, how jobs written are serialized: pickle (RQ's default) or json (RQ's JSONSerializer). */
    public void setSerializer(String serializer) {
        this.serializer = serializer;
    }

    public String getTaskMap() {
        return taskMap;
    }

    /** Renames tasks on their way into a job system: from:to pairs separated by commas. */
    public void setTaskMap(String taskMap) {
        this.taskMap = taskMap;
    }

    public int getBatchSize() {
        return batchSize;
    }

    /** Most jobs taken (and acked) in one round trip, 1 to 1000. */
    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public int getBatchMaxBytes() {
        return batchMaxBytes;
    }

    /** Most payload bytes one take moves; the first job of a batch is always taken. */
    public void setBatchMaxBytes(int batchMaxBytes) {
        this.batchMaxBytes = batchMaxBytes;
    }

    public boolean isBatching() {
        return batching;
    }

    /**
     * Route one exchange per batch: the body a List of the payloads, the headers CamelRedisqJobIds and
     * CamelRedisqAttempts lists in the same order; the batch is acked, or nacked, together when the exchange is done.
     */
    public void setBatching(boolean batching) {
        this.batching = batching;
    }

    public int getConcurrentConsumers() {
        return concurrentConsumers;
    }

    /** Threads taking and processing batches in parallel. */
    public void setConcurrentConsumers(int concurrentConsumers) {
        this.concurrentConsumers = concurrentConsumers;
    }

    public long getPollTimeout() {
        return pollTimeout;
    }

    /** How long one take waits for a job when the queue is empty, in ms. */
    public void setPollTimeout(long pollTimeout) {
        this.pollTimeout = pollTimeout;
    }

    public long getVisibilityTimeout() {
        return visibilityTimeout;
    }

    /** The lease of a taken job, in ms: after it the job is delivered again unless acked or renewed. */
    public void setVisibilityTimeout(long visibilityTimeout) {
        this.visibilityTimeout = visibilityTimeout;
    }

    public boolean isRenewLeases() {
        return renewLeases;
    }

    /** Renew the leases of in-flight jobs at half the visibility timeout. */
    public void setRenewLeases(boolean renewLeases) {
        this.renewLeases = renewLeases;
    }

    public long getReapInterval() {
        return reapInterval;
    }

    /** How often expired leases of dead consumers are requeued, in ms; 0 = off. */
    public void setReapInterval(long reapInterval) {
        this.reapInterval = reapInterval;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    /** Deliveries of a job before it is dead-lettered. */
    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public long getInitialBackoff() {
        return initialBackoff;
    }

    /** The wait before the first retry, in ms. */
    public void setInitialBackoff(long initialBackoff) {
        this.initialBackoff = initialBackoff;
    }

    public double getBackoffMultiplier() {
        return backoffMultiplier;
    }

    /** Growth of the retry wait per attempt. */
    public void setBackoffMultiplier(double backoffMultiplier) {
        this.backoffMultiplier = backoffMultiplier;
    }

    public long getMaxBackoff() {
        return maxBackoff;
    }

    /** The longest retry wait, in ms. */
    public void setMaxBackoff(long maxBackoff) {
        this.maxBackoff = maxBackoff;
    }

    public double getBackoffJitter() {
        return backoffJitter;
    }

    /** The random fraction taken off each retry wait. */
    public void setBackoffJitter(double backoffJitter) {
        this.backoffJitter = backoffJitter;
    }

    public String getDeadLetterQueue() {
        return deadLetterQueue;
    }

    /** A reliable queue for the payloads of jobs that failed for good. */
    public void setDeadLetterQueue(String deadLetterQueue) {
        this.deadLetterQueue = deadLetterQueue;
    }

    public String getDestinationOutageExceptions() {
        return destinationOutageExceptions;
    }

    /** More exception class names (comma-separated) that mean the destination is unavailable, not the job failed. */
    public void setDestinationOutageExceptions(String destinationOutageExceptions) {
        this.destinationOutageExceptions = destinationOutageExceptions;
    }

    public Long getDefaultPriority() {
        return defaultPriority;
    }

    /** The priority of pushed jobs that name none (priority queues). */
    public void setDefaultPriority(Long defaultPriority) {
        this.defaultPriority = defaultPriority;
    }

    public Long getDefaultDelay() {
        return defaultDelay;
    }

    /** The delay of pushed jobs that name none (delayed queues), in ms. */
    public void setDefaultDelay(Long defaultDelay) {
        this.defaultDelay = defaultDelay;
    }

    public String getDueTimeUnit() {
        return dueTimeUnit;
    }

    /** The unit of a delayed queue's scores: seconds or milliseconds. */
    public void setDueTimeUnit(String dueTimeUnit) {
        this.dueTimeUnit = dueTimeUnit;
    }

    public RedisConnection getConnection() {
        return connection;
    }

    /** A core RedisConnection to use instead of opening one from redisUri. */
    public void setConnection(RedisConnection connection) {
        this.connection = connection;
    }
}
