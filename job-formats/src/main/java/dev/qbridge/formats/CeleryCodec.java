package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;

/**
 * Celery's tasks as kombu (5.2) keeps them in Redis, message protocol 2: a JSON envelope with {@code headers} (the
 * task's name, id, eta, retries...), {@code properties} (delivery_info, priority, kombu's delivery_tag) and a
 * base64 {@code body} holding {@code [args, kwargs, embed]}. Everything that has no attribute of its own (the
 * other headers and properties, the embed with callbacks and chains) travels in the {@link JobExtensions#CELERY}
 * extension as {@code {"headers": {...}, "properties": {...}, "embed": {...}}}, so Celery -> event -> Celery gives
 * back the same fields with the same values, with a fresh delivery_tag as kombu itself gives each publish.
 */
public final class CeleryCodec implements JobCodec {
    private static final JsonNodeFactory NODES = Json.MAPPER.getNodeFactory();
    private static final String JSON = "application/json";
    /** Headers and properties mapped to attributes, data and extensions, or made fresh for each write. */
    private static final Set<String> MAPPED_HEADERS = Set.of("task", "id", "eta", "expires", "retries");
    private static final Set<String> MAPPED_PROPERTIES = Set.of("priority", "delivery_tag", "body_encoding");
    private static final DateTimeFormatter PYTHON_SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    @Override
    public JobFormat format() {
        return JobFormat.CELERY;
    }

    @Override
    public CloudEvent toEvent(NativeJob stored, String queue, JobSet set) {
        byte[] bytes = stored.bytes();
        String where = "Celery message in queue " + queue;
        ObjectNode message = Json.object(bytes, "the " + where);
        JsonNode headersNode = message.get("headers");
        if (headersNode == null || !headersNode.isObject() || !headersNode.has("task")) {
            throw new UnreadableJobException("the " + where + " has no \"headers\" with a \"task\": it is not a Celery"
                    + " protocol 2 message (protocol 1 keeps the task in the body; Celery 4 and later write"
                    + " protocol 2 unless task_protocol=1)");
        }
        ObjectNode headers = (ObjectNode) headersNode.deepCopy();
        String task = text(headers, "task", where);
        String id = text(headers, "id", where);
        where = where + " (task " + task + ", id " + id + ")";
        ObjectNode properties = message.get("properties") instanceof ObjectNode p ? p.deepCopy() : Json.newObject();
        JsonNode[] body = body(message, properties, where);

        CloudEventBuilder event = CloudEventBuilder.v1()
                .withId(id)
                .withType(task)
                .withSource(Sources.of("celery", queue))
                .withData(JSON, JobData.of((ArrayNode) body[0], (ObjectNode) body[1]).toCloudEventData())
                .withExtension(JobExtensions.JOB_SYSTEM, "celery")
                .withExtension(JobExtensions.QUEUE, queue);
        JsonNode retries = headers.get("retries");
        if (retries != null && retries.isIntegralNumber() && retries.canConvertToInt()) {
            event.withExtension(JobExtensions.ATTEMPTS, retries.intValue());
            headers.remove("retries");
        }
        time(headers, "eta", where).ifPresent(eta -> event.withExtension(JobExtensions.SCHEDULED, eta));
        time(headers, "expires", where).ifPresent(expires -> event.withExtension(JobExtensions.EXPIRES, expires));
        JsonNode priority = properties.get("priority");
        if (priority != null && priority.isIntegralNumber() && priority.canConvertToInt()) {
            event.withExtension(JobExtensions.PRIORITY, priority.intValue());
            properties.remove("priority");
        }

        headers.remove("task");
        headers.remove("id");
        properties.remove("delivery_tag");
        properties.remove("body_encoding");
        if (properties.get("delivery_info") instanceof ObjectNode info) {
            info.remove("routing_key");
        }
        ObjectNode extras = message.deepCopy();
        extras.remove(List.of("body", "headers", "properties", "content-type"));
        if (extras.path("content-encoding").asText().equals("utf-8")) {
            extras.remove("content-encoding"); // what every write says: keep the extension to what is particular
        }
        extras.set("headers", headers);
        extras.set("properties", properties);
        extras.set("embed", body[2]);
        event.withExtension(JobExtensions.CELERY, new String(Json.bytes(extras), StandardCharsets.UTF_8));
        return event.build();
    }

    @Override
    public NativeJob toNative(CloudEvent event, String queue) {
        JobData data = JobData.of(event);
        ObjectNode extras = JobExtensions.object(event, JobExtensions.CELERY);
        ObjectNode keptHeaders = Json.objectOrEmpty(extras.remove("headers"));
        ObjectNode keptProperties = Json.objectOrEmpty(extras.remove("properties"));
        JsonNode embed = extras.remove("embed");
        String id = event.getId();

        ObjectNode headers = Json.newObject();
        headers.put("lang", "py");
        headers.put("task", event.getType());
        headers.put("id", id);
        headers.putNull("shadow");
        headers.set("eta", time(event, JobExtensions.SCHEDULED, keptHeaders.remove("eta")));
        headers.set("expires", time(event, JobExtensions.EXPIRES, keptHeaders.remove("expires")));
        headers.putNull("group");
        headers.putNull("group_index");
        headers.put("retries", JobExtensions.integer(event, JobExtensions.ATTEMPTS).orElse(0));
        headers.set("timelimit", NODES.arrayNode().addNull().addNull());
        headers.put("root_id", id);
        headers.putNull("parent_id");
        headers.put("argsrepr", PythonRepr.ofArgs(data.args()));
        headers.put("kwargsrepr", PythonRepr.ofKwargs(data.kwargs()));
        headers.put("origin", "qbridge");
        headers.put("ignore_result", false);
        keptHeaders.remove(MAPPED_HEADERS);
        headers.setAll(keptHeaders);

        int priority = JobExtensions.integer(event, JobExtensions.PRIORITY).orElse(0);
        ObjectNode properties = Json.newObject();
        properties.put("correlation_id", id);
        // Nobody waits on this reply queue: results reach the backend under the task id, where AsyncResult looks.
        properties.put("reply_to", UUID.randomUUID().toString());
        properties.put("delivery_mode", 2);
        ObjectNode deliveryInfo = Json.objectOrEmpty(keptProperties.remove("delivery_info"));
        ObjectNode info = Json.newObject();
        info.set("exchange", deliveryInfo.has("exchange") ? deliveryInfo.remove("exchange") : NODES.textNode(""));
        info.put("routing_key", queue);
        deliveryInfo.remove("routing_key");
        info.setAll(deliveryInfo);
        keptProperties.remove(MAPPED_PROPERTIES);
        properties.setAll(keptProperties);
        properties.set("delivery_info", info);
        properties.put("priority", priority);
        properties.put("body_encoding", "base64");
        // kombu acks by delivery_tag and rejects a message without one; each publish gets a new one.
        properties.put("delivery_tag", UUID.randomUUID().toString());

        ArrayNode body = NODES.arrayNode();
        body.add(data.args());
        body.add(data.kwargs());
        body.add(embed != null ? embed : defaultEmbed());
        ObjectNode message = Json.newObject();
        message.put("body", Base64.getEncoder().encodeToString(Json.pythonStyleBytes(body)));
        message.put("content-encoding", "utf-8");
        message.put("content-type", JSON);
        message.set("headers", headers);
        message.set("properties", properties);
        extras.remove("content-type"); // the body is written as JSON, whatever an event may claim
        message.setAll(extras);
        return new NativeJob(Json.pythonStyleBytes(message), Optional.empty(), OptionalInt.of(priority));
    }

    private static ObjectNode defaultEmbed() {
        ObjectNode embed = Json.newObject();
        embed.putNull("callbacks");
        embed.putNull("errbacks");
        embed.putNull("chain");
        embed.putNull("chord");
        return embed;
    }

    /** {@code [args, kwargs, embed]} from the base64 body, or why not. */
    private static JsonNode[] body(ObjectNode message, ObjectNode properties, String where) {
        String contentType = message.path("content-type").asText("");
        if (!contentType.equals(JSON)) {
            throw new UnreadableJobException("the " + where + " has content-type '" + contentType + "'; only JSON "
                    + "bodies can be read (Celery's default; task_serializer='json')");
        }
        String encoding = properties.path("body_encoding").asText("");
        JsonNode bodyNode = message.get("body");
        if (bodyNode == null || !bodyNode.isTextual()) {
            throw new UnreadableJobException("the " + where + " has no \"body\" string");
        }
        byte[] bytes;
        if (encoding.equals("base64")) {
            try {
                bytes = Base64.getDecoder().decode(bodyNode.textValue());
            } catch (IllegalArgumentException e) {
                throw new UnreadableJobException("the " + where + " has a body that is not base64: " + e.getMessage(), e);
            }
        } else {
            throw new UnreadableJobException("the " + where + " has body_encoding '" + encoding
                    + "'; kombu's Redis transport writes base64");
        }
        JsonNode body = Json.tree(bytes, "the body of the " + where);
        if (!body.isArray() || body.size() != 3 || !body.get(0).isArray() || !body.get(1).isObject()) {
            throw new UnreadableJobException("the body of the " + where + " is not [args, kwargs, embed]: "
                    + abbreviate(body.toString()));
        }
        return new JsonNode[] {body.get(0), body.get(1), body.get(2)};
    }

    /**
     * A header time as an attribute. When Python's isoformat of that time is not the header's text (a naive eta
     * of a Celery with enable_utc=False), the text stays in the kept headers too, so it comes back as it was.
     */
    private static Optional<OffsetDateTime> time(ObjectNode headers, String name, String where) {
        JsonNode value = headers.get(name);
        if (value == null || value.isNull()) {
            headers.remove(name);
            return Optional.empty();
        }
        if (!value.isTextual()) {
            return Optional.empty();
        }
        try {
            OffsetDateTime time = OffsetDateTime.parse(value.textValue());
            if (pythonIso(time).equals(value.textValue())) {
                headers.remove(name);
            }
            return Optional.of(time);
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(LocalDateTime.parse(value.textValue()).atOffset(ZoneOffset.UTC));
            } catch (DateTimeParseException notLocal) {
                throw new UnreadableJobException("the " + where + " has " + name + " '" + value.textValue()
                        + "', not an ISO 8601 time", e);
            }
        }
    }

    private static JsonNode time(CloudEvent event, String extension, JsonNode kept) {
        if (kept != null) {
            return kept;
        }
        return JobExtensions.time(event, extension)
                .<JsonNode>map(time -> NODES.textNode(pythonIso(time.atOffset(ZoneOffset.UTC))))
                .orElse(NODES.nullNode());
    }

    /** What Python's datetime.isoformat() writes: microseconds only when there are some, the offset as +00:00. */
    static String pythonIso(OffsetDateTime time) {
        int micros = time.getNano() / 1000;
        String offset = time.getOffset().getTotalSeconds() == 0 ? "+00:00" : time.getOffset().getId();
        return PYTHON_SECONDS.format(time) + (micros == 0 ? "" : String.format(".%06d", micros)) + offset;
    }

    private static String text(ObjectNode headers, String name, String where) {
        JsonNode value = headers.get(name);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw new UnreadableJobException("the " + where + " has no header \"" + name + "\" string");
        }
        return value.textValue();
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
