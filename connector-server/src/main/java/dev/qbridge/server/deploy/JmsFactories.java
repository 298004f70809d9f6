package dev.qbridge.server.deploy;

import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.springframework.jms.connection.CachingConnectionFactory;

/** The JMS connection factories of connectors and migrations: Apache Artemis, with cached sessions and producers. */
public final class JmsFactories {

    private JmsFactories() {
    }

    /**
     * A factory for an Artemis broker URL. Camel's JMS producer opens a connection per message unless the factory
     * caches them (one connection and session per message costs ~10 ms); consumers are not cached, as Spring
     * advises for its listener containers, which manage their own.
     */
    /**
     * Parses an Artemis broker URL as the factory would, connecting to nothing; the exception says what is wrong.
     */
    public static void checkBrokerUrl(String brokerUrl) {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl)) {
            factory.getServerLocator(); // parsed: the URL names transports Artemis knows
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new IllegalArgumentException("'" + brokerUrl + "' is not an Artemis broker URL (" + root.getMessage()
                    + "): write tcp://host:61616, or (tcp://a:61616,tcp://b:61616)?ha=true", e);
        }
    }

    public static ConnectionFactory artemis(String brokerUrl, String user, String password) {
        CachingConnectionFactory caching = new CachingConnectionFactory(new ActiveMQConnectionFactory(brokerUrl, user, password));
        caching.setCacheConsumers(false);
        caching.setSessionCacheSize(10);
        return caching;
    }
}
