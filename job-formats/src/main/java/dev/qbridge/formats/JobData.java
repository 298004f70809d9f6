package dev.qbridge.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.jackson.JsonCloudEventData;

/**
 * The data of a job's event: {@code {"args": [...], "kwargs": {...}}}, the arguments in the two shapes job systems
 * know (Sidekiq has only positional ones: its kwargs are always empty).
 */
record JobData(ArrayNode args, ObjectNode kwargs) {

    static JobData of(ArrayNode args, ObjectNode kwargs) {
        return new JobData(args, kwargs == null ? Json.newObject() : kwargs);
    }

    CloudEventData toCloudEventData() {
        ObjectNode data = Json.newObject();
        data.set("args", args);
        data.set("kwargs", kwargs);
        return JsonCloudEventData.wrap(data);
    }

    /** The arguments of an event from any system, or why it holds none a job could run with. */
    static JobData of(CloudEvent event) {
        CloudEventData data = event.getData();
        String where = "event " + event.getId() + " (type " + event.getType() + ")";
        if (data == null) {
            throw new UnreadableJobException(where + " has no data; a job's data is {\"args\": [...], \"kwargs\": {...}}");
        }
        String contentType = event.getDataContentType();
        if (contentType != null && !contentType.startsWith("application/json") && !contentType.endsWith("+json")) {
            throw new UnreadableJobException(where + " has data of type " + contentType
                    + "; a job's data is JSON {\"args\": [...], \"kwargs\": {...}}");
        }
        JsonNode node = data instanceof JsonCloudEventData json ? json.getNode()
                : Json.tree(data.toBytes(), "the data of " + where);
        if (!node.isObject()) {
            throw new UnreadableJobException("the data of " + where + " is a JSON "
                    + node.getNodeType().toString().toLowerCase() + "; a job's data is {\"args\": [...], \"kwargs\": {...}}");
        }
        JsonNode args = node.get("args");
        JsonNode kwargs = node.get("kwargs");
        if (args == null || !args.isArray()) {
            throw new UnreadableJobException("the data of " + where + " has no \"args\" array");
        }
        if (kwargs != null && !kwargs.isNull() && !kwargs.isObject()) {
            throw new UnreadableJobException("the data of " + where + " has \"kwargs\" that is not an object");
        }
        for (var names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("args") && !name.equals("kwargs")) {
                throw new UnreadableJobException("the data of " + where + " has a field \"" + name
                        + "\"; a job's data holds only \"args\" and \"kwargs\" (a system's other fields travel in its"
                        + " extension attribute)");
            }
        }
        return of(((ArrayNode) args).deepCopy(), kwargs == null || kwargs.isNull() ? null : ((ObjectNode) kwargs).deepCopy());
    }
}
