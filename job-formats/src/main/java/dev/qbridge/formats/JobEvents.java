package dev.qbridge.formats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.util.Set;
import java.util.UUID;

/**
 * The neutral envelope on the wire: CloudEvents 1.0 in JSON structured mode, written and read by the CloudEvents
 * SDK's Jackson format.
 */
public final class JobEvents {
    /** The source of an event made from a plain body: no job system wrote it. */
    public static final URI PLAIN_SOURCE = URI.create("/qbridge/plain");

    private static final Set<String> PLAIN_FIELDS = Set.of("type", "args", "kwargs", "id");

    private JobEvents() {
    }

    /** The structured-mode JSON of an event. */
    public static byte[] serialize(CloudEvent event) {
        try {
            return Json.MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new UnreadableJobException("event " + event.getId() + " cannot be written as CloudEvents JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * An event from a body: CloudEvents JSON (structured mode), or a plain JSON object with {@code type} (the task),
     * {@code args} and optionally {@code kwargs} and {@code id}, for producers that do not speak CloudEvents.
     *
     * @throws UnreadableJobException saying why the body is neither
     */
    public static CloudEvent parse(byte[] body) {
        ObjectNode object = Json.object(body, "the body");
        if (object.has("specversion")) {
            return cloudEvent(object);
        }
        return plain(object);
    }

    private static CloudEvent cloudEvent(ObjectNode object) {
        try {
            return Json.MAPPER.treeToValue(object, CloudEvent.class);
        } catch (JsonProcessingException e) {
            throw new UnreadableJobException("the body has \"specversion\" but is not a CloudEvent: "
                    + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new UnreadableJobException("the body has \"specversion\" but is not a CloudEvent: " + e.getMessage(), e);
        }
    }

    private static CloudEvent plain(ObjectNode object) {
        for (var names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!PLAIN_FIELDS.contains(name)) {
                // Dropping a field would rewrite the job behind the producer's back.
                throw new UnreadableJobException("the body is neither a CloudEvent (no \"specversion\") nor a plain job:"
                        + " field \"" + name + "\" is not one of type, args, kwargs, id");
            }
        }
        JsonNode type = object.get("type");
        JsonNode args = object.get("args");
        JsonNode kwargs = object.get("kwargs");
        JsonNode id = object.get("id");
        if (type == null || !type.isTextual() || type.textValue().isBlank()) {
            throw new UnreadableJobException("the body is neither a CloudEvent (no \"specversion\") nor a plain job:"
                    + " it needs \"type\", the task's name, as a non-empty string");
        }
        if (args == null || !args.isArray()) {
            throw new UnreadableJobException("the plain job of type " + type.textValue() + " needs \"args\", an array");
        }
        if (kwargs != null && !kwargs.isObject()) {
            throw new UnreadableJobException("the plain job of type " + type.textValue()
                    + " has \"kwargs\" that is not an object");
        }
        if (id != null && !(id.isTextual() && !id.textValue().isBlank())) {
            throw new UnreadableJobException("the plain job of type " + type.textValue()
                    + " has an \"id\" that is not a non-empty string");
        }
        return CloudEventBuilder.v1()
                .withId(id == null ? UUID.randomUUID().toString() : id.textValue())
                .withSource(PLAIN_SOURCE)
                .withType(type.textValue())
                .withData("application/json", JobData.of((ArrayNode) args, (ObjectNode) kwargs).toCloudEventData())
                .build();
    }
}
