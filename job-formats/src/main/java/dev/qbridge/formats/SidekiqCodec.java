package dev.qbridge.formats;

import io.cloudevents.CloudEvent;

/** Sidekiq's jobs as its own client writes them, and back. */
public final class SidekiqCodec implements JobCodec {

    @Override
    public JobFormat format() {
        return JobFormat.SIDEKIQ;
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
