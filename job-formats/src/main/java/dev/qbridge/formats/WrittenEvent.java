package dev.qbridge.formats;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.CloudEventUtils;
import io.cloudevents.rw.CloudEventContextWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's event as it leaves: its CloudEvents JSON (structured mode) and its context attributes as the text that JSON
 * holds, in the same order, for a transport that also carries them apart (Kafka's {@code ce_*} headers). A time is
 * RFC 3339 as in the JSON ({@code 2026-12-07T20:27:00Z}), a number or boolean its JSON literal.
 */
public final class WrittenEvent {
    private final String id;
    private final byte[] json;
    /** name, text, name, text, ... in the first {@link #attributeCount} pairs */
    private final String[] attributes;
    private final int attributeCount;

    WrittenEvent(String id, byte[] json, String[] attributes, int attributeCount) {
        this.id = id;
        this.json = json;
        this.attributes = attributes;
        this.attributeCount = attributeCount;
    }

    /** An event built with the SDK, written by the SDK's JSON format ({@link JobEvents#serialize}). */
    static WrittenEvent of(CloudEvent event) {
        List<String> attributes = new ArrayList<>(24);
        attributes.add("specversion");
        attributes.add(event.getSpecVersion().toString());
        // the SDK's own walk over the attributes, the one its JSON writer takes: the same order, the same text
        CloudEventUtils.toContextReader(event).readContext(new CloudEventContextWriter() {
            @Override
            public CloudEventContextWriter withContextAttribute(String name, String text) {
                attributes.add(name);
                attributes.add(text);
                return this;
            }
        });
        return new WrittenEvent(event.getId(), JobEvents.serialize(event), attributes.toArray(new String[0]),
                attributes.size() / 2);
    }

    /** The event's id: the job's own (Sidekiq's {@code jid}, Celery's task id). */
    public String id() {
        return id;
    }

    /** The structured-mode JSON. */
    public byte[] json() {
        return json;
    }

    /** How many context attributes the event has: {@code specversion}, {@code id}, ..., its extensions. */
    public int attributeCount() {
        return attributeCount;
    }

    public String attributeName(int index) {
        return attributes[2 * index];
    }

    public String attributeText(int index) {
        return attributes[2 * index + 1];
    }
}
