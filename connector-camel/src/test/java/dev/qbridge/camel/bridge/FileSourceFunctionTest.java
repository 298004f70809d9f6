package dev.qbridge.camel.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The redisq-to-file template's source: one exchange per job for perJob, one per batch for jsonLines. */
class FileSourceFunctionTest {

    private final FileSourceFunction function = new FileSourceFunction();

    @Test
    void perJobKeepsTheSourceAsGiven() {
        assertThat(function.apply("perJob:redisq:orders?batchSize=50")).isEqualTo("redisq:orders?batchSize=50");
    }

    @Test
    void jsonLinesAddsBatchingToASourceWithOrWithoutAQuery() {
        assertThat(function.apply("jsonLines:redisq:orders")).isEqualTo("redisq:orders?batching=true");
        assertThat(function.apply("jsonLines:redisq:orders?redisUri=redis://h:6379&batchSize=500"))
                .isEqualTo("redisq:orders?redisUri=redis://h:6379&batchSize=500&batching=true");
        assertThat(function.apply("jsonLines:redisq:orders?batching=true")).isEqualTo("redisq:orders?batching=true");
    }

    @Test
    void aSourceWhoseBatchingContradictsTheFormatIsRefusedWithAdvice() {
        assertThatThrownBy(() -> function.apply("jsonLines:redisq:orders?batching=false&password=secret"))
                .hasMessageContaining("remove batching").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> function.apply("perJob:redisq:orders?batching=true"))
                .hasMessageContaining("remove batching=true from the source, or set fileFormat=jsonLines");
    }

    @Test
    void anUnknownFormatNamesTheChoices() {
        assertThatThrownBy(() -> function.apply("csv:redisq:orders"))
                .hasMessageContaining("fileFormat must be perJob (a file per job) or jsonLines");
    }
}
