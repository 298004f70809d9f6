package dev.qbridge.formats;

import io.cloudevents.CloudEvent;

/** Celery's jobs as its own client writes them, and back. */
public final class CeleryCodec implements JobCodec {

    @Override
    public JobFormat format() {
        return JobFormat.CELERY;
    }

    @Override
    public CloudEvent toEvent(byte[] job, String queue) {
        throw new UnsupportedOperationException("being written (issue 13)");
    }

    @Override
    public NativeJob toNative(CloudEvent event, String queue) {
        throw new UnsupportedOperationException("being written (issue 13)");
    }
}
