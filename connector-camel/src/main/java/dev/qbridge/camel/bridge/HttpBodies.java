package dev.qbridge.camel.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;

/**
 * The body of a request to the {@code http-to-redisq} bridge, byte for byte, whatever its content type. The bridge's
 * platform-http endpoint runs without Vert.x's body handler ({@code useBodyHandler=false}), which would parse a form
 * ({@code application/x-www-form-urlencoded}, curl's default) or multipart body into fields, drop the bytes and turn
 * each field name into a header: the job would be lost to a type conversion, and a JSON document sent as a form would
 * make a header name no HTTP response can carry. Here the request stream itself is read; nothing is parsed.
 */
public final class HttpBodies {

    /** How long a client may take to send its body once its headers have arrived. */
    static final long READ_TIMEOUT_SECONDS = 60;

    private HttpBodies() {
    }

    public static byte[] read(Exchange exchange) throws Exception {
        Object body = exchange.getIn().getBody();
        if (!(body instanceof HttpServerRequest request)) {
            // another platform-http engine: it hands over the body as it read it
            return exchange.getIn().getMandatoryBody(byte[].class);
        }
        // the consumer paused the request until someone reads it: ask for the whole body, then let it flow
        var whole = request.body().toCompletionStage().toCompletableFuture();
        request.resume();
        try {
            Buffer buffer = whole.get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return buffer.getBytes();
        } catch (TimeoutException e) {
            throw new InvalidPayloadException(exchange, byte[].class, exchange.getIn(),
                    new IllegalStateException("the request body did not arrive within " + READ_TIMEOUT_SECONDS + " s"));
        } catch (ExecutionException e) {
            throw new IllegalStateException("the request body could not be read: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
