package dev.qbridge.formats;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.testkit.Celery;
import dev.qbridge.testkit.RedisServerExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Jobs the systems' own software writes but no codec can read say why, so their dead letter explains itself. */
class UnreadableJobsIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @Test
    void picklePayloadSentByCelerysClientIsRefusedWithItsContentType() {
        Celery.requireInstalled();
        List<String> ids = Celery.enqueue(redis.uri(),
                "[{\"task\": \"tasks.add\", \"args\": [1, 2], \"serializer\": \"pickle\"}]");
        byte[] message = redis.client().lrange("celery".getBytes(UTF_8), 0, 0).get(0);

        assertThatThrownBy(() -> new CeleryCodec().toEvent(message, "celery"))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessageContaining("Celery message in queue celery (task tasks.add, id " + ids.get(0) + ")")
                .hasMessageContaining("content-type 'application/x-python-serialize'")
                .hasMessageContaining("task_serializer='json'");
    }

    @Test
    void guideStylePayloadInASidekiqQueueIsRefusedAsNotAJob() {
        redis.client().lpush("queue:default", "{\"id\": 1, \"order\": \"x\"}", "plain text");
        List<byte[]> jobs = redis.client().lrange("queue:default".getBytes(UTF_8), 0, -1);

        assertThatThrownBy(() -> new SidekiqCodec().toEvent(jobs.get(0), "default"))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessage("the Sidekiq job in ready of queue default is not JSON: Unrecognized token 'plain': was"
                        + " expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false') at byte 0");
        assertThatThrownBy(() -> new SidekiqCodec().toEvent(jobs.get(1), "default"))
                .isInstanceOf(UnreadableJobException.class)
                .hasMessage("the Sidekiq job in ready of queue default has no \"jid\" string (class ?)");
    }
}
