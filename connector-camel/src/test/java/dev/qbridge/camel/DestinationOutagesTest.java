package dev.qbridge.camel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.qbridge.core.QueueException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Which failures mean "the destination is down" (wait, attempt not counted) and which mean "this job failed". */
class DestinationOutagesTest {

    private final DestinationOutages outages = DestinationOutages.DEFAULT;

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void refusedConnectionIsAnOutage() throws Exception {
        int port = closedPort();
        Throwable refused = catchThrowable(() -> new Socket("127.0.0.1", port).close());

        assertThat(refused).isInstanceOf(java.net.ConnectException.class);
        assertThat(outages.isOutage(refused)).isTrue();
    }

    @Test
    void unknownHostIsAnOutage() {
        Throwable unknown = catchThrowable(() -> InetAddress.getByName("no-such-host.invalid"));

        assertThat(unknown).isInstanceOf(java.net.UnknownHostException.class);
        assertThat(outages.isOutage(unknown)).isTrue();
    }

    @Test
    void connectTimeoutIsAnOutageButAReadTimeoutIsTheJobs() {
        assertThat(outages.isOutage(new HttpConnectTimeoutException("HTTP connect timed out"))).isTrue();
        assertThat(outages.isOutage(new SocketTimeoutException("Connect timed out"))).isTrue();
        assertThat(outages.isOutage(new org.apache.hc.client5.http.ConnectTimeoutException("Connect to http://h:1 timed out")))
                .isTrue();
        assertThat(outages.isOutage(new SocketTimeoutException("Read timed out"))).as("the destination was reached").isFalse();
    }

    @Test
    void httpServerThatClosedTheConnectionWithoutAnsweringIsAnOutage() {
        assertThat(outages.isOutage(new org.apache.hc.core5.http.NoHttpResponseException("127.0.0.1:8080 failed to respond")))
                .isTrue();
    }

    @Test
    void kafkaProducerThatCannotReachABrokerIsAnOutage() throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + closedPort());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "200");
        Throwable timeout;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            timeout = catchThrowable(() -> producer.send(new ProducerRecord<>("t", "v")).get());
        }

        assertThat(timeout).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        assertThat(outages.isOutage(timeout)).isTrue();
    }

    @Test
    void retriableKafkaErrorIsAnOutageButARecordTooLargeIsTheJobs() {
        assertThat(outages.isOutage(new NotLeaderOrFollowerException("no leader"))).isTrue();
        assertThat(outages.isOutage(new RecordTooLargeException("too large"))).isFalse();
    }

    @Test
    void jmsConnectionToABrokerThatIsNotThereIsAnOutage() {
        Throwable notConnected;
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("vm://77")) {
            notConnected = catchThrowable(() -> factory.createConnection().close());
        }

        assertThat(notConnected).isInstanceOf(jakarta.jms.JMSException.class);
        assertThat(outages.isOutage(notConnected)).as(chain(notConnected)).isTrue();
    }

    @Test
    void httpBadGatewayUnavailableGatewayTimeoutAndTooManyRequestsAreOutagesOtherStatusesTheJobs() {
        for (int status : List.of(429, 502, 503, 504)) {
            assertThat(outages.isOutage(http(status))).as("HTTP " + status).isTrue();
        }
        for (int status : List.of(400, 404, 408, 500, 501)) {
            assertThat(outages.isOutage(http(status))).as("HTTP " + status).isFalse();
        }
    }

    @Test
    void unreachableRedisDestinationIsAnOutageButAKeyOfTheWrongTypeIsTheJobs() {
        assertThat(outages.isOutage(new QueueException(QueueException.Kind.CONNECTION, "cannot reach redis"))).isTrue();
        assertThat(outages.isOutage(new QueueException(QueueException.Kind.UNAVAILABLE, "LOADING"))).isTrue();
        assertThat(outages.isOutage(new QueueException(QueueException.Kind.WRONG_TYPE, "WRONGTYPE key q"))).isFalse();
    }

    @Test
    void routeCanSayTheDestinationIsUnavailable() {
        assertThat(outages.isOutage(new DestinationUnavailableException("the sink is in maintenance"))).isTrue();
    }

    @Test
    void outageIsFoundAnywhereInTheCauseChain() throws Exception {
        int port = closedPort();
        Throwable refused = catchThrowable(() -> new Socket("127.0.0.1", port).close());
        Throwable wrapped = new CamelExecutionException("send failed", null,
                new RuntimeCamelException(new IOException("I/O error", refused)));

        assertThat(outages.isOutage(wrapped)).isTrue();
        assertThat(outages.reason(wrapped)).contains("send failed", "ConnectException");
    }

    @Test
    void jobFailuresAreNotOutages() {
        assertThat(outages.isOutage(new IllegalStateException("sink is broken"))).isFalse();
        assertThat(outages.isOutage(new NonRetriableJobException("payload rejected"))).isFalse();
        assertThat(outages.isOutage(null)).isFalse();
    }

    @Test
    void endpointCanNameMoreOutageExceptionsAndTheirSubclassesCount() {
        DestinationOutages more = DestinationOutages.of(" " + BrokerBusyException.class.getName() + " , ");

        assertThat(more.isOutage(new VeryBusyException())).isTrue();
        assertThat(more.isOutage(new NotLeaderOrFollowerException("defaults stay"))).isTrue();
        assertThat(outages.isOutage(new VeryBusyException())).isFalse();
    }

    @Test
    void causeChainWithACycleEnds() {
        Exception a = new Exception("a");
        Exception b = new Exception("b", a);
        a.initCause(b);

        assertThat(outages.isOutage(a)).isFalse();
    }

    static class BrokerBusyException extends RuntimeException {
    }

    static class VeryBusyException extends BrokerBusyException {
    }

    private static HttpOperationFailedException http(int status) {
        return new HttpOperationFailedException("http://sink/jobs", status, "status " + status, null, Map.of(), "");
    }

    private static String chain(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            s.append(c.getClass().getName()).append(": ").append(c.getMessage()).append(" <- ");
        }
        return s.toString();
    }
}
