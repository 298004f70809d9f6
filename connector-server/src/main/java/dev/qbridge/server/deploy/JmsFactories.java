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
    public static ConnectionFactory artemis(String brokerUrl, String user, String password) {
        CachingConnectionFactory caching = new CachingConnectionFactory(new ActiveMQConnectionFactory(brokerUrl, user, password));
        caching.setCacheConsumers(false);
        caching.setSessionCacheSize(10);
        return caching;
    }
}
