package dev.qbridge.server.auth;

import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The token check of the HTTP server of {@code platform-http:} sources, as Vert.x routes ordered before every
 * connector's own route: a request reaches a connector only with the right {@code Authorization: Bearer <token>}, and
 * is answered 401 before its body is read otherwise. A connector with a token of its own ({@code http.tokenFile})
 * takes that token only; every other path takes the server's ({@code --http-token-file}), when there is one.
 * <p>
 * A connector's own check is a Vert.x route on the very path string its consumer registers (Camel's {@code {name}}
 * path parameters as {@code :name}, {@code *} for {@code matchOnUriPrefix=true}), so Vert.x matches both alike.
 */
public final class IngestionGuard {

    /** Before the server-wide check, which lets through what a connector's own check admitted. */
    private static final int OWN_TOKEN_ORDER = -2000;
    private static final int SERVER_TOKEN_ORDER = -1000;
    private static final String ADMITTED = "qbridge.admitted";
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^/}]+)}");

    private final Optional<BearerToken> serverToken;
    private final Map<String, Route> ownTokens = new HashMap<>();
    private Router router;

    public IngestionGuard(Optional<BearerToken> serverToken) {
        this.serverToken = serverToken;
    }

    /** Puts the server-wide check on the router of a platform-http server that just started. */
    public synchronized void install(Router platformHttpRouter) {
        this.router = platformHttpRouter;
        router.route().order(SERVER_TOKEN_ORDER).handler(ctx -> {
            if (Boolean.TRUE.equals(ctx.get(ADMITTED)) || serverToken.isEmpty()
                    || serverToken.get().admits(ctx.request().getHeader("Authorization"))) {
                ctx.next();
            } else {
                refuse(ctx, "--http-token-file");
            }
        });
    }

    public boolean hasServerToken() {
        return serverToken.isPresent();
    }

    /** The connector's path takes its own token from now on, and only that one. */
    public synchronized void protect(String connector, String sourceUri, BearerToken token) {
        if (router == null) {
            throw new IllegalStateException("the platform-http server is not started");
        }
        release(connector);
        Route route = router.route(vertxPath(sourceUri)).order(OWN_TOKEN_ORDER).handler(ctx -> {
            if (token.admits(ctx.request().getHeader("Authorization"))) {
                ctx.put(ADMITTED, Boolean.TRUE);
                ctx.next();
            } else {
                refuse(ctx, "the connector's http.tokenFile");
            }
        });
        ownTokens.put(connector, route);
    }

    /** Forgets a stopped connector's own token. */
    public synchronized void release(String connector) {
        Route route = ownTokens.remove(connector);
        if (route != null) {
            route.remove();
        }
    }

    /** The Vert.x path the platform-http consumer of this URI registers. */
    static String vertxPath(String sourceUri) {
        int colon = sourceUri.indexOf(':');
        int q = sourceUri.indexOf('?');
        String path = q < 0 ? sourceUri.substring(colon + 1) : sourceUri.substring(colon + 1, q);
        String query = q < 0 ? "" : "&" + sourceUri.substring(q + 1) + "&";
        if (query.contains("&matchOnUriPrefix=true&") && !path.endsWith("*")) {
            path += "*";
        }
        return PATH_PARAMETER.matcher(path).replaceAll(":$1");
    }

    private static void refuse(RoutingContext ctx, String whose) {
        ctx.response().setStatusCode(401)
                .putHeader("WWW-Authenticate", "Bearer realm=\"qbridge\"")
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .end("qbridge: this endpoint needs Authorization: Bearer <token> (the token of " + whose + ")\n");
    }
}
