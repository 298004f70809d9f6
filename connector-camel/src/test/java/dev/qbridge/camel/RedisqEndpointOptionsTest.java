package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.PayloadFormat;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import java.time.Duration;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/** Options reach the queue configuration, and invalid combinations fail at endpoint creation, saying what to change. */
class RedisqEndpointOptionsTest extends CamelTestSupport {

    private RedisqEndpoint endpoint(String uri) {
        return context.getEndpoint(uri, RedisqEndpoint.class);
    }

    @Test
    void componentIsFoundByItsSchemeThroughTheServiceFile() {
        assertThat(context.getComponent("redisq")).isInstanceOf(RedisqComponent.class);
    }

    @Test
    void componentMetadataListsEveryOptionForTools() throws Exception {
        String json;
        try (var in = getClass().getResourceAsStream("/META-INF/dev/qbridge/camel/redisq.json")) {
            json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(json).contains("\"scheme\": \"redisq\"", "\"visibilityTimeout\"", "\"deadLetterQueue\"",
                "\"concurrentConsumers\"", "\"batchMaxBytes\"", "\"destinationOutageExceptions\"", "\"password\"", "\"keyStore\"", "\"keyStorePassword\"",
                "\"verifyHostname\"", "\"secret\": true", RedisqConstants.PRIORITY);
    }

    @Test
    void optionsBecomeTheQueueConfiguration() {
        QueueConfig config = endpoint("redisq:orders?kind=delayed&format=json&visibilityTimeout=45s&maxAttempts=7"
                + "&initialBackoff=250&backoffMultiplier=3&maxBackoff=1m&backoffJitter=0&defaultDelay=10s"
                + "&dueTimeUnit=milliseconds&batchMaxBytes=65536").queueConfig();

        assertThat(config.name()).isEqualTo("orders");
        assertThat(config.kind()).isEqualTo(QueueKind.DELAYED);
        assertThat(config.format()).isEqualTo(PayloadFormat.JSON);
        assertThat(config.leaseTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.retry().maxAttempts()).isEqualTo(7);
        assertThat(config.retry().initialBackoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.retry().multiplier()).isEqualTo(3.0);
        assertThat(config.retry().maxBackoff()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.defaultDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.dueTimeUnit()).isEqualTo(DueTimeUnit.MILLISECONDS);
        assertThat(config.batchMaxBytes()).isEqualTo(65536);
    }

    @Test
    void serializerIsAnRqQueuesOptionOnly() {
        assertThat(endpoint("redisq:default?format=rq&serializer=json").translation().queue().readyKey())
                .isEqualTo("rq:queue:default");
        assertThatThrownBy(() -> endpoint("redisq:jobs?serializer=json"))
                .hasStackTraceContaining("serializer says how RQ's jobs are written: set format=rq, or remove serializer");
        assertThatThrownBy(() -> endpoint("redisq:default?format=rq&serializer=yaml"))
                .hasStackTraceContaining("serializer 'yaml' is unknown");
    }

    @Test
    void defaultsSuitAGuideStyleReliableQueue() {
        RedisqEndpoint endpoint = endpoint("redisq:jobs");

        assertThat(endpoint.queueConfig().kind()).isEqualTo(QueueKind.RELIABLE);
        assertThat(endpoint.getBatchSize()).isEqualTo(100);
        assertThat(endpoint.getConcurrentConsumers()).isEqualTo(1);
        assertThat(endpoint.queueConfig().leaseTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(endpoint.isRenewLeases()).isTrue();
        assertThat(endpoint.getBatchMaxBytes()).isEqualTo(QueueConfig.DEFAULT_BATCH_MAX_BYTES);
        assertThat(endpoint.queueConfig().batchMaxBytes()).isEqualTo(4 * 1024 * 1024);
    }

    @Test
    void destinationOutageExceptionsAddToTheDefaults() {
        DestinationOutages outages = endpoint("redisq:jobs?destinationOutageExceptions=com.example.BrokerBusy, com.example.Paused")
                .destinationOutages();

        assertThat(outages.classNames()).contains("com.example.BrokerBusy", "com.example.Paused",
                "org.apache.kafka.common.errors.RetriableException");
        assertThat(endpoint("redisq:jobs").destinationOutages()).isSameAs(DestinationOutages.DEFAULT);
    }

    @Test
    void passwordIsASecretOptionThatNeverShowsInTheEndpointUri() {
        RedisqEndpoint endpoint = endpoint("redisq:jobs?user=app&password=s3cret");

        assertThat(endpoint.getPassword()).isEqualTo("s3cret");
        assertThat(endpoint.toString()).doesNotContain("s3cret");
    }

    @Test
    void defaultPriorityOnAReliableQueueIsRejected() {
        assertRejected("redisq:jobs?defaultPriority=5", "set kind=priority or remove defaultPriority");
    }

    @Test
    void defaultDelayOnAPriorityQueueIsRejected() {
        assertRejected("redisq:jobs?kind=priority&defaultDelay=5s", "set kind=delayed or remove defaultDelay");
    }

    @Test
    void unknownQueueKindIsRejectedWithTheChoices() {
        assertRejected("redisq:jobs?kind=fifo", "use reliable, priority or delayed");
    }

    @Test
    void batchSizeAboveTheTakeLimitIsRejected() {
        assertRejected("redisq:jobs?batchSize=5000", "batchSize must be between 1 and 1000");
    }

    @Test
    void batchMaxBytesBelowOneIsRejected() {
        assertRejected("redisq:jobs?batchMaxBytes=0", "batchMaxBytes must be at least 1");
    }

    @Test
    void zeroConcurrentConsumersIsRejected() {
        assertRejected("redisq:jobs?concurrentConsumers=0", "concurrentConsumers must be at least 1");
    }

    @Test
    void maxBackoffShorterThanInitialBackoffIsRejected() {
        assertRejected("redisq:jobs?initialBackoff=10s&maxBackoff=1s", "shorter than the initial backoff");
    }

    @Test
    void visibilityTimeoutBelowTheMinimumIsRejected() {
        assertRejected("redisq:jobs?visibilityTimeout=50", "leaseTimeout must be at least 100 ms");
    }

    @Test
    void shortLeaseWithoutRenewalIsRejected() {
        assertRejected("redisq:jobs?visibilityTimeout=500&renewLeases=false", "set renewLeases=true");
    }

    @Test
    void deadLetterQueueThatIsTheQueueItselfIsRejected() {
        assertRejected("redisq:jobs?deadLetterQueue=jobs", "name another queue");
    }

    @Test
    void trustStoreWithoutTlsIsRejected() {
        assertRejected("redisq:jobs?trustStore=/etc/redis/ca.p12", "set tls=true or use a rediss:// URI");
    }

    @Test
    void keyStoreWithoutTlsIsRejected() {
        assertRejected("redisq:jobs?keyStore=/etc/redis/client.p12&keyStorePassword=pw", "keyStore is set but the "
                + "connection is not TLS: set tls=true or use a rediss:// URI");
    }

    @Test
    void keyStoreAndVerifyHostnameReachTheRedisEndpoint() {
        RedisqEndpoint e = context.getEndpoint("redisq:jobs?redisUri=rediss://h:1&keyStore=/etc/redis/client.p12"
                + "&keyStorePassword=k3y-pw&verifyHostname=false", RedisqEndpoint.class);
        assertThat(e.redis().keyStore()).contains(java.nio.file.Path.of("/etc/redis/client.p12"));
        assertThat(e.redis().keyStorePassword()).contains("k3y-pw");
        assertThat(e.redis().verifyHostname()).isFalse();
        assertThat(e.toString()).doesNotContain("k3y-pw");
    }

    @Test
    void malformedRedisUriIsRejected() {
        assertRejected("redisq:jobs?redisUri=http://localhost:6379", "use redis, rediss, redis-cluster or rediss-cluster");
    }

    @Test
    void unknownOptionIsRejected() {
        assertThatThrownBy(() -> context.getEndpoint("redisq:jobs?visibilityTimeot=5s"))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasMessageContaining("visibilityTimeot");
    }

    private void assertRejected(String uri, String advice) {
        assertThatThrownBy(() -> context.getEndpoint(uri))
                .isInstanceOf(ResolveEndpointFailedException.class)
                .hasMessageContaining(advice);
    }
}
