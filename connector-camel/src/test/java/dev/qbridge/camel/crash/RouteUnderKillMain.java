package dev.qbridge.camel.crash;

import java.nio.charset.StandardCharsets;
import dev.qbridge.camel.bridge.BridgeTemplates;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.KeyValue;

/**
 * A child JVM that moves jobs from the Redis list {@code jobs} to the Redis list {@code delivered}, slowly enough
 * to be killed mid-stream. Mode {@code redisq} is the redisq: consumer; mode {@code brpop} is the naive route that
 * pops with BRPOP before processing (the job is gone from Redis while the JVM still holds it). Mode {@code jsonlines}
 * is the redisq-to-file bridge with fileFormat=jsonLines appending to {@code <directory>/jobs.jsonl}, sinkDelayMillis
 * between the steps of the route.
 * Args: redisUri host port mode [sinkDelayMillis] [directory]. Prints "started" when consuming, then runs until killed.
 */
public final class RouteUnderKillMain {

    public static void main(String[] args) throws Exception {
        String redisUri = args[0];
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        String mode = args[3];
        long sinkDelay = args.length > 4 ? Long.parseLong(args[4]) : 1;
        CamelContext context = new DefaultCamelContext();
        if (mode.equals("jsonlines")) {
            context.setDelayer(sinkDelay); // slow enough to be killed mid-stream
            context.addRoutes(new BridgeTemplates());
            context.start();
            TemplatedRouteBuilder.builder(context, BridgeTemplates.REDISQ_TO_FILE)
                    .parameter("source", "redisq:jobs?redisUri=" + redisUri + "&batchSize=10&visibilityTimeout=2000&reapInterval=500")
                    .parameter("directory", args[5])
                    .parameter("fileFormat", "jsonLines")
                    .parameter("linesFileName", "jobs.jsonl")
                    .add();
            System.out.println("started " + mode);
            Thread.currentThread().join();
        }
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:sink").routeId("sink")
                        .process(e -> Thread.sleep(sinkDelay)) // a sink that takes a little time per job
                        .to("redisq:delivered?redisUri=" + redisUri);
                if (mode.equals("redisq")) {
                    from("redisq:jobs?redisUri=" + redisUri + "&batchSize=10&visibilityTimeout=2000&reapInterval=500")
                            .to("direct:sink");
                }
            }
        });
        context.start();
        System.out.println("started " + mode);
        if (mode.equals("brpop")) {
            naiveBrpopLoop(context, host, port);
        }
        Thread.currentThread().join();
    }

    /** The counter-example: BRPOP removes the job before it is processed; a crash in between loses it. */
    static void naiveBrpopLoop(CamelContext context, String host, int port) {
        ProducerTemplate template = context.createProducerTemplate();
        try (RedisClient redis = RedisClient.create(host, port)) {
            while (true) {
                KeyValue<byte[], byte[]> popped = redis.brpop(1.0, "jobs".getBytes(StandardCharsets.UTF_8));
                if (popped != null) {
                    template.sendBody("direct:sink", popped.getValue());
                }
            }
        }
    }
}
