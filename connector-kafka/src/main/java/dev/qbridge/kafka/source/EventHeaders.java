package dev.qbridge.kafka.source;

import dev.qbridge.formats.JobExtensions;
import dev.qbridge.formats.WrittenEvent;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;

/**
 * A job system's event on a record: the value is the event in JSON structured mode, so the record says so with
 * {@code content-type: application/cloudevents+json} (a CloudEvents Kafka deserializer then reads the value), and
 * its attributes are also {@code ce_*} headers, as the CloudEvents Kafka binding names them, with the text the value
 * holds (a time in RFC 3339), so that a consumer can route on the type or id without parsing the value. Left out:
 * {@code datacontenttype}, which describes the data inside the value, not the record, and the system's own
 * remaining fields (the {@code sidekiq}, {@code celery}, {@code rq} or {@code bullmq} extension, a JSON object:
 * {@link JobExtensions#NATIVE_FIELDS}), which stay in the value only: a
 * copy of them in a header doubled the bytes of a record for nothing a router reads, and each header costs the
 * worker a conversion.
 *
 * <p>One per task. The headers whose text repeats from job to job (the spec version, source, system, queue, retry
 * policy, attempts) are made once and shared by the records, as Kafka's headers are immutable: made per record, the
 * headers were a kilobyte of garbage per job that the collector copies while the records are in flight.
 */
final class EventHeaders {

    static final String CONTENT_TYPE = "content-type";
    static final String STRUCTURED = "application/cloudevents+json";
    private static final Header STRUCTURED_CONTENT = header(CONTENT_TYPE, STRUCTURED);
    /** The attributes whose last header is kept, by their place here; the others are new per record. */
    private static final String[] REPEATING = {"specversion", "source", JobExtensions.JOB_SYSTEM, JobExtensions.QUEUE,
        JobExtensions.RETRY, JobExtensions.ATTEMPTS, JobExtensions.PRIORITY};

    private final Header[] last = new Header[REPEATING.length];

    void add(WrittenEvent event, ConnectHeaders headers) {
        headers.add(STRUCTURED_CONTENT);
        for (int i = 0; i < event.attributeCount(); i++) {
            String name = event.attributeName(i);
            if (name.equals("datacontenttype") || JobExtensions.NATIVE_FIELDS.contains(name)) {
                continue;
            }
            String text = event.attributeText(i);
            switch (name) {
                case "id" -> headers.addString("ce_id", text);
                case "type" -> headers.addString("ce_type", text);
                case "time" -> headers.addString("ce_time", text);
                default -> headers.add(repeating(name, text));
            }
        }
    }

    /** The header of an attribute, the one made for the previous record when its text is the same. */
    private Header repeating(String name, String text) {
        for (int slot = 0; slot < REPEATING.length; slot++) {
            if (REPEATING[slot].equals(name)) {
                Header kept = last[slot];
                if (kept == null || !kept.value().equals(text)) {
                    kept = header("ce_" + name, text);
                    last[slot] = kept;
                }
                return kept;
            }
        }
        return header("ce_" + name, text); // a time (scheduled, died, expires): new per job
    }

    private static Header header(String name, String text) {
        return new ConnectHeaders().addString(name, text).lastWithName(name);
    }
}
