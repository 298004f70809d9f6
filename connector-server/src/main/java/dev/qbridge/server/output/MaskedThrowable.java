package dev.qbridge.server.output;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.qbridge.core.Secrets;

/** logback's {@code %ex}, masked with {@link Secrets#redact}: exception messages in stack traces carry URIs too. */
public final class MaskedThrowable extends ThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return Secrets.redact(super.throwableProxyToString(proxy));
    }
}
