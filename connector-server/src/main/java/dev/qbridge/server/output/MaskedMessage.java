package dev.qbridge.server.output;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.qbridge.core.Secrets;

/**
 * logback's {@code %msg}, masked with {@link Secrets#redact}: logback.xml registers it, so every log line of every
 * library is masked in whatever appender an operator adds (a file too, not only the console).
 */
public final class MaskedMessage extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Secrets.redact(super.convert(event));
    }
}
