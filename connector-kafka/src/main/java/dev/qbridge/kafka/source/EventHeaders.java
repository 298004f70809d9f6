package dev.qbridge.kafka.source;

import dev.qbridge.formats.JobExtensions;
import io.cloudevents.CloudEvent;
import java.time.format.DateTimeFormatter;
import org.apache.kafka.connect.header.ConnectHeaders;

/**
 * A job system's event on a record: the value is the event in JSON structured mode, so the record says so with
 * {@code content-type: application/cloudevents+json} (a CloudEvents Kafka deserializer then reads the value), and
 * its attributes are also {@code ce_*} headers, as the CloudEvents Kafka binding names them, so that a consumer can
 * route on the type or id without parsing the value. The system's own remaining fields (the {@code sidekiq},
 * {@code celery} or {@code rq} extension, a JSON object: {@link JobExtensions#NATIVE_FIELDS}) stay in the value
 * only: a copy of them in a header doubled the bytes of a record for nothing a router reads, and each header costs
 * the worker a conversion.
 */
final class EventHeaders {

    static final String CONTENT_TYPE = "content-type";
    static final String STRUCTURED = "application/cloudevents+json";

    private EventHeaders() {
    }

    static void add(CloudEvent event, ConnectHeaders headers) {
        headers.addString(CONTENT_TYPE, STRUCTURED);
        headers.addString("ce_specversion", event.getSpecVersion().toString());
        headers.addString("ce_id", event.getId());
        headers.addString("ce_source", event.getSource().toString());
        headers.addString("ce_type", event.getType());
        if (event.getTime() != null) {
            headers.addString("ce_time", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(event.getTime()));
        }
        for (String name : event.getExtensionNames()) {
            if (JobExtensions.NATIVE_FIELDS.contains(name)) {
                continue;
            }
            Object value = event.getExtension(name);
            if (value != null) {
                headers.addString("ce_" + name, value.toString());
            }
        }
    }
}
