package dev.qbridge.camel.bridge;

import dev.qbridge.camel.DestinationUnavailableException;
import dev.qbridge.camel.NonRetriableJobException;
import dev.qbridge.camel.RedisqConstants;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.PluginHelper;

/**
 * The bridges between Redis queues and files, HTTP, JMS and Kafka, as route templates. The Redis side is always a
 * whole {@code redisq:} endpoint URI, {@code source} or {@code sink}, so every queue option is at hand; the peer
 * side takes the few parameters the template needs to keep its guarantee (atomic files, commits after the push).
 * The same templates, with the same ids and parameters, are in {@code qbridge/camel/bridges.camel.yaml}.
 *
 * <pre>{@code
 * context.addRoutes(new BridgeTemplates());
 * TemplatedRouteBuilder.builder(context, BridgeTemplates.REDISQ_TO_FILE)
 *         .parameter("source", "redisq:orders?redisUri=redis://localhost:6379")
 *         .parameter("directory", "/var/spool/orders")
 *         .add();
 * }</pre>
 */
public class BridgeTemplates extends RouteBuilder {

    public static final String REDISQ_TO_FILE = "redisq-to-file";
    public static final String FILE_TO_REDISQ = "file-to-redisq";
    public static final String HTTP_TO_REDISQ = "http-to-redisq";
    public static final String REDISQ_TO_HTTP = "redisq-to-http";
    public static final String JMS_TO_REDISQ = "jms-to-redisq";
    public static final String REDISQ_TO_JMS = "redisq-to-jms";
    public static final String KAFKA_TO_REDISQ = "kafka-to-redisq";
    public static final String REDISQ_TO_KAFKA = "redisq-to-kafka";

    /** Where the YAML DSL versions of the same templates are, on the class path. */
    public static final String YAML_RESOURCE = "classpath:qbridge/camel/bridges.camel.yaml";

    private static final String SOURCE = "a redisq: endpoint URI to take jobs from, such as redisq:orders?redisUri=redis://host:6379";
    private static final String CLIENT_ID = "the Kafka client id, shown in the client's log lines and metrics: name the "
            + "connector, such as qbridge-<route id>";
    /** A file per queue and UTC day: a new day starts a new file, and no file grows without end. */
    static final String LINES_FILE_NAME = "${header." + RedisqConstants.QUEUE + "}-${date-with-timezone:now:UTC:yyyy-MM-dd}.jsonl";
    private static final String SINK = "a redisq: endpoint URI to push jobs to, such as redisq:orders?redisUri=redis://host:6379";

    /** Adds the YAML DSL versions of the templates to a context (needs camel-yaml-dsl on the class path). */
    public static void addYamlTemplates(CamelContext context) throws Exception {
        PluginHelper.getRoutesLoader(context).loadRoutes(PluginHelper.getResourceLoader(context).resolveResource(YAML_RESOURCE));
    }

    @Override
    public void configure() {
        // perJob: a job becomes a file named after its id, written under a temporary name and renamed when complete: a
        // reader never sees half a file, and a redelivered job overwrites its own file instead of adding one.
        // jsonLines: the consumer routes a whole batch as one exchange (batching=true, added by the redisq-file-source
        // function) and JsonLinesFile appends it to one file with one fsync, so the batch is acked after one disk flush
        routeTemplate(REDISQ_TO_FILE)
                .description("Writes each job of a Redis queue to a file of its own, atomically, or appends each batch to a "
                        + "file as JSON lines; acks once the data is on disk")
                .templateParameter("source", null, SOURCE)
                .templateParameter("directory", null, "the directory the files are written to")
                .templateParameter("fileFormat", FileSourceFunction.PER_JOB, "perJob: a file per job, written atomically; "
                        + "jsonLines: each batch appended to linesFileName as JSON lines (one per job: queue, id, attempt, "
                        + "payload or payloadBase64), one fsync per batch")
                .templateParameter("fileName", "${header." + RedisqConstants.QUEUE + "}-${header." + RedisqConstants.JOB_ID
                        + "}.job", "perJob: the file name, a simple expression; the default is stable across redeliveries")
                .templateParameter("linesFileName", LINES_FILE_NAME, "jsonLines: the file appended to, a simple "
                        + "expression evaluated per batch; the default starts a file per queue and UTC day")
                .from("{{" + FileSourceFunction.NAME + ":{{fileFormat}}:{{source}}}}")
                .choice()
                    .when(simple("'{{fileFormat}}' == '" + FileSourceFunction.JSON_LINES + "'"))
                        .setHeader(JsonLinesFile.DIRECTORY, constant("{{directory}}"))
                        .setHeader(Exchange.FILE_NAME, simple("{{linesFileName}}"))
                        .bean(JsonLinesFile.class, "append")
                    .otherwise()
                        .to("file:{{directory}}?fileName={{fileName}}&tempPrefix=.part-&fileExist=Override")
                .end();

        // the file is moved to .done only when its jobs are in Redis; a failed push leaves it to be read again
        routeTemplate(FILE_TO_REDISQ)
                .description("Turns each file dropped in a directory into one job, or one job per line; moves it to .done after the push")
                .templateParameter("directory", null, "the directory watched for files")
                .templateParameter("sink", null, SINK)
                .templateParameter("split", "file", "file: the whole file is one job; line: each non-empty line is one")
                .templateParameter("include", ".*", "a regular expression the names of the files to read must match")
                .templateParameter("readLock", "changed", "how a file still being written is recognised: changed, rename, "
                        + "markerFile or none (for producers that move finished files in)")
                .from("file:{{directory}}?include={{include}}&move=.done&readLock={{readLock}}"
                        + "&readLockCheckInterval=200&readLockMinAge=200")
                .choice()
                    .when(simple("'{{split}}' == 'line'"))
                        .convertBodyTo(String.class)
                        .setBody(method(Lines.class, "of"))
                .end()
                .to("{{sink}}");

        // the reply is sent after the push returned: a 2xx means the job is in Redis; any failure answers 500. The
        // body is the job byte for byte whatever its content type: no body handler parses a form into fields
        routeTemplate(HTTP_TO_REDISQ)
                .description("Serves POST requests on a path; each body becomes a job, answered 202 once it is in Redis")
                .templateParameter("path", null, "the HTTP path served, such as /jobs")
                .templateParameter("sink", null, SINK)
                .from("platform-http:{{path}}?httpMethodRestrict=POST&useBodyHandler=false")
                .setBody(method(HttpBodies.class, "read"))
                .to("{{sink}}")
                .setBody(simple("{\"queue\":\"${header." + RedisqConstants.QUEUE + "}\",\"pushed\":${header."
                        + RedisqConstants.PUSHED + "}}"))
                .removeHeaders("*")
                .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(202))
                .setHeader(Exchange.CONTENT_TYPE, constant("application/json"));

        // 2xx acks the job; 4xx (but 408 and 429) can never succeed and dead-letters it; 429, 502, 503, 504 and
        // connection errors mean the sink cannot take jobs now: the consumer holds them and tries again, attempt
        // uncounted; other 5xx, 3xx, 408 and read timeouts fail the exchange, so the job is retried with the queue's backoff
        routeTemplate(REDISQ_TO_HTTP)
                .description("POSTs each job of a Redis queue to a URL; acks on 2xx, waits out 429/502/503/504 and refused "
                        + "connections, retries other 5xx and timeouts, dead-letters 4xx")
                .templateParameter("source", null, SOURCE)
                .templateParameter("url", null, "the URL each job is POSTed to, without a query string")
                .templateParameter("contentType", "application/octet-stream", "the Content-Type of the requests")
                .templateParameter("httpTimeout", "10000", "connect and response timeout, in ms: a slower answer is retried")
                .from("{{source}}")
                .setHeader("X-Qbridge-Job-Id", header(RedisqConstants.JOB_ID))
                .setHeader("X-Qbridge-Attempt", header(RedisqConstants.ATTEMPT))
                .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                .setHeader(Exchange.CONTENT_TYPE, constant("{{contentType}}"))
                .to("{{url}}?throwExceptionOnFailure=false&responseTimeout={{httpTimeout}}&connectTimeout={{httpTimeout}}")
                .choice()
                    .when(simple("${header.CamelHttpResponseCode} in '429,502,503,504'"))
                        .throwException(DestinationUnavailableException.class,
                                "{{url}} answered HTTP ${header.CamelHttpResponseCode}: it cannot take jobs now")
                    .when(simple("${header.CamelHttpResponseCode} >= 400 && ${header.CamelHttpResponseCode} < 500"
                            + " && ${header.CamelHttpResponseCode} != 408 && ${header.CamelHttpResponseCode} != 429"))
                        .setProperty(RedisqConstants.DEAD_LETTER, constant(true))
                        .throwException(NonRetriableJobException.class,
                                "{{url}} refused job ${header." + RedisqConstants.JOB_ID + "} with HTTP ${header.CamelHttpResponseCode}")
                    .when(simple("${header.CamelHttpResponseCode} >= 300"))
                        .throwException(IllegalStateException.class,
                                "{{url}} answered job ${header." + RedisqConstants.JOB_ID + "} with HTTP ${header.CamelHttpResponseCode}")
                .end();

        // transacted: the JMS session commits only after the push returned, a failure rolls the message back
        routeTemplate(JMS_TO_REDISQ)
                .description("Pushes each JMS message to a Redis queue; the message is acknowledged only after the push")
                .templateParameter("destination", null, "the JMS destination, such as queue:orders or topic:events")
                .templateParameter("sink", null, SINK)
                .templateParameter("connectionFactory", "connectionFactory", "the name of the jakarta.jms.ConnectionFactory bean")
                .templateParameter("concurrentConsumers", "1", "JMS sessions consuming in parallel")
                .from("jms:{{destination}}?connectionFactory=#bean:{{connectionFactory}}&transacted=true"
                        + "&cacheLevelName=CACHE_CONSUMER&concurrentConsumers={{concurrentConsumers}}")
                .to("{{sink}}");

        // the JMS send is synchronous and persistent: the job is acked only once the broker has the message
        routeTemplate(REDISQ_TO_JMS)
                .description("Sends each job of a Redis queue as a persistent JMS message; acks it after the send")
                .templateParameter("source", null, SOURCE)
                .templateParameter("destination", null, "the JMS destination, such as queue:orders or topic:events")
                .templateParameter("connectionFactory", "connectionFactory", "the name of the jakarta.jms.ConnectionFactory bean")
                .templateParameter("messageType", "Bytes", "the JMS message type: Bytes or Text")
                .from("{{source}}")
                .to("jms:{{destination}}?connectionFactory=#bean:{{connectionFactory}}&deliveryPersistent=true"
                        + "&jmsMessageType={{messageType}}&exchangePattern=InOnly");

        // auto-commit off: the offset of a record is committed after its push; a failed push stops the partition
        // and the record is read again from the last committed offset
        routeTemplate(KAFKA_TO_REDISQ)
                .description("Pushes each Kafka record to a Redis queue; commits its offset only after the push")
                .templateParameter("topic", null, "the Kafka topic (or topics, comma-separated) read")
                .templateParameter("brokers", null, "the Kafka bootstrap servers, host:port[,host:port]")
                .templateParameter("sink", null, SINK)
                .templateParameter("groupId", "qbridge", "the Kafka consumer group")
                .templateParameter("clientId", "qbridge-" + KAFKA_TO_REDISQ + "-{{topic}}", CLIENT_ID)
                .from("kafka:{{topic}}?brokers={{brokers}}&groupId={{groupId}}&clientId={{clientId}}&autoOffsetReset=earliest"
                        + "&autoCommitEnable=false&allowManualCommit=true&breakOnFirstError=true"
                        + "&valueDeserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer")
                .to("{{sink}}")
                .bean(KafkaOffsets.class, "commit");

        // acks=all and idempotence: the job is acked once every in-sync replica has the record. A broker that cannot be
        // reached fails a send within maxBlockMs (no metadata) or deliveryTimeoutMs (no answer) instead of the client's
        // 60 s and 120 s: the consumer then holds the jobs as a destination outage and health says so within 30 s
        routeTemplate(REDISQ_TO_KAFKA)
                .description("Produces each job of a Redis queue to a Kafka topic, keyed by job id (a job system's job by its "
                        + "own id); acks it once Kafka acknowledged")
                .templateParameter("source", null, SOURCE)
                .templateParameter("topic", null, "the Kafka topic written")
                .templateParameter("brokers", null, "the Kafka bootstrap servers, host:port[,host:port]")
                .templateParameter("clientId", "qbridge-" + REDISQ_TO_KAFKA + "-{{topic}}", CLIENT_ID)
                .templateParameter("maxBlockMs", "10000", "how long a send waits for the topic's metadata (an unreachable "
                        + "broker), in ms")
                .templateParameter("requestTimeoutMs", "10000", "how long the producer waits for a broker's answer, in ms")
                .templateParameter("deliveryTimeoutMs", "20000", "how long a record may take from send to acknowledgement, "
                        + "retries included, in ms; at least requestTimeoutMs")
                .from("{{source}}")
                .setHeader(KafkaConstants.KEY, simple("${header." + RedisqConstants.JOB_ID + "}"))
                // a job system's job is keyed by its own id (jid, RQ's id), as the Kafka Connect source keys it
                .choice().when(header(RedisqConstants.EVENT_ID).isNotNull())
                    .setHeader(KafkaConstants.KEY, header(RedisqConstants.EVENT_ID))
                .end()
                .to("kafka:{{topic}}?brokers={{brokers}}&clientId={{clientId}}&requestRequiredAcks=all&enableIdempotence=true"
                        + "&maxBlockMs={{maxBlockMs}}&requestTimeoutMs={{requestTimeoutMs}}&deliveryTimeoutMs={{deliveryTimeoutMs}}"
                        + "&valueSerializer=org.apache.kafka.common.serialization.ByteArraySerializer");
    }
}
