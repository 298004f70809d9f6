package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Rq;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * format=rq on both ends of a route: the consumer takes each id RQ's own client enqueued with its hash and routes the
 * job as a CloudEvent; the producer writes it into another Redis as RQ's client would, where RQ's own worker runs it.
 */
class RedisqRqIT extends RedisqRouteTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int JOBS = 25;

    @RegisterExtension
    static RedisServerExtension target = RedisServerExtension.standalone();

    @BeforeAll
    static void rqIsInstalled() {
        Rq.requireInstalled();
    }

    @Test
    void rqJobsGoThroughARouteAsCloudEventsIntoAnotherRedisWhereRqsWorkerRunsEveryOne() throws Exception {
        String specs = IntStream.range(0, JOBS).mapToObj(i -> "{\"func\": \"tasks.add\", \"args_py\": \"(" + i
                + ", (1, 2), b'x')\", \"meta\": {\"n\": " + i + "}}").collect(Collectors.joining(", ", "[", "]"));
        List<Rq.Enqueued> jobs = Rq.enqueue(redis.uri(), specs);
        List<JsonNode> events = Collections.synchronizedList(new ArrayList<>());
        List<String> eventIdHeaders = Collections.synchronizedList(new ArrayList<>());
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("redisq:default?format=rq&batchSize=10&pollTimeout=200&redisUri=" + redis.uri())
                        .process(e -> events.add(tree(e.getIn().getBody(String.class))))
                        .process(e -> eventIdHeaders.add(e.getIn().getHeader(RedisqConstants.EVENT_ID, String.class)))
                        .to("redisq:default?format=rq&redisUri=" + target.uri());
            }
        });

        await().atMost(WAIT).until(() -> events.size() == JOBS && redis.client().keys("rq:job:*").isEmpty());

        assertThat(events).extracting(e -> e.get("id").asText())
                .containsExactlyElementsOf(jobs.stream().map(Rq.Enqueued::id).toList());
        assertThat(eventIdHeaders).as("the header a kafka: sink keys by").containsExactlyElementsOf(
                jobs.stream().map(Rq.Enqueued::id).toList());
        assertThat(events).allSatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("tasks.add");
            assertThat(e.get("jobsystem").asText()).isEqualTo("rq");
        });
        assertThat(redis.client().llen("rq:queue:default")).as("no id left at the source").isZero();
        assertThat(redis.client().zcard("rq:queue:default:leases")).as("no lease").isZero();
        assertThat(redis.client().exists("rq:queue:default:dead")).isFalse();
        try (JobWorker worker = Rq.startWorker(target.uri(), List.of("default"), List.of("tasks.add"), false)) {
            Map<String, JsonNode> runs = worker.awaitExecuted(JOBS, Duration.ofSeconds(120)).stream()
                    .map(RedisqRqIT::tree).collect(Collectors.toMap(r -> r.get("id").asText(), r -> r));
            for (Rq.Enqueued job : jobs) {
                assertThat(runs.get(job.id()).get("args").asText()).as(job.id()).isEqualTo(job.argsRepr());
            }
            assertThat(runs.get(jobs.get(4).id()).get("meta").asText()).isEqualTo("{'n': 4}");
        }
        assertThat(target.client().llen("rq:queue:default")).isZero();
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
