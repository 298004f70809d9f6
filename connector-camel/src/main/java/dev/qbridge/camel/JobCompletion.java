package dev.qbridge.camel;

import dev.qbridge.core.queue.Delivery;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Settles one job when its exchange is done, as Camel's SQS consumer deletes a message on completion: success
 * records an ack, failure a nack (or a dead letter when the failure is marked non-retriable, or a hold when it says
 * the destination is unavailable). The records are flushed by the consumer once the whole batch is done, so
 * steady-state acks cost one round trip per batch. A batch exchange ({@code batching=true}) carries one per job, so
 * its jobs are settled alike.
 */
final class JobCompletion extends SynchronizationAdapter {

    private final Delivery delivery;
    private final JobBatch batch;

    JobCompletion(Delivery delivery, JobBatch batch) {
        this.delivery = delivery;
        this.batch = batch;
    }

    @Override
    public void onComplete(Exchange exchange) {
        batch.succeeded(delivery);
    }

    @Override
    public void onFailure(Exchange exchange) {
        batch.failed(delivery, exchange, exchange.getException());
    }

    @Override
    public String toString() {
        return "JobCompletion[" + delivery + "]";
    }
}
