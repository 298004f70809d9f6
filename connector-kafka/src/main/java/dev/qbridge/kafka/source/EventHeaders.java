package dev.qbridge.kafka.source;

import dev.qbridge.formats.JobExtensions;
import dev.qbridge.formats.WrittenEvent;
import java.util.Map;
import org.apache.kafka.connect.header.ConnectHeaders;

/**
 * A job system's event on a record: the value is the event in JSON structured mode, so the record says so with
 * {@code content-type: application/cloudevents+json} (a CloudEvents Kafka deserializer then reads the value), and
 * its attributes are also {@code ce_*} headers, as the CloudEvents Kafka binding names them, with the text the value
 * holds (a time in RFC 3339), so that a consumer can route on the type or id without parsing the value. Left out:
 * {@code datacontenttype}, which describes the data inside the value, not the record, and the system's own
 * remaining fields (the {@code sidekiq} or {@code celery} extension, a JSON object), which stay in the value only: a
 * copy of them in a header doubled the bytes of a record for nothing a router reads, and each header costs the
 * worker a conversion.
 */
final class EventHeaders {

    static final String CONTENT_TYPE = "content-type";
    static final String STRUCTURED = "application/cloudevents+json";
    private static final String DATA_CONTENT_TYPE = "datacontenttype";
    /** The headers of the attributes every job's event may have, named once rather than per record. */
    private static final Map<String, String> NAMES = Map.ofEntries(
            header("specversion"), header("id"), header("source"), header("type"), header("time"),
            header(JobExtensions.JOB_SYSTEM), header(JobExtensions.QUEUE), header(JobExtensions.RETRY),
            header(JobExtensions.ATTEMPTS), header(JobExtensions.SCHEDULED), header(JobExtensions.DIED),
            header(JobExtensions.EXPIRES), header(JobExtensions.PRIORITY));

    private EventHeaders() {
    }

    static void add(WrittenEvent event, ConnectHeaders headers) {
        headers.addString(CONTENT_TYPE, STRUCTURED);
        for (int i = 0; i < event.attributeCount(); i++) {
            String name = event.attributeName(i);
            if (name.equals(DATA_CONTENT_TYPE) || name.equals(JobExtensions.SIDEKIQ) || name.equals(JobExtensions.CELERY)) {
                continue;
            }
            String header = NAMES.get(name);
            headers.addString(header != null ? header : "ce_" + name, event.attributeText(i));
        }
    }

    private static Map.Entry<String, String> header(String attribute) {
        return Map.entry(attribute, "ce_" + attribute);
    }
}
