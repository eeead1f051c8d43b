package io.imago.client.internal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.cluster.Partition;
import io.imago.exception.MetaClientException;
import io.imago.protocol.command.ResultCommand;
import org.junit.jupiter.api.Test;

class PutReplyTest {
    private static final Partition CHOSEN = new Partition(3, -1);

    @Test
    void successCarriesIdPartitionOfTheReplyAndOffset() throws Exception {
        PutReply.Sent sent = PutReply.read(ResultCommand.of(200, "123456789 2 4096", 1), CHOSEN);
        assertThat(sent.messageId()).isEqualTo(123456789L);
        assertThat(sent.result().isSuccess()).isTrue();
        assertThat(sent.result().getPartition()).isEqualTo(new Partition(3, 2));
        assertThat(sent.result().getOffset()).isEqualTo(4096);
    }

    @Test
    void forbiddenBecomesTheText403AndOtherCodesKeepTheBody() throws Exception {
        assertThat(PutReply.read(ResultCommand.of(403, "partition closed", 1), CHOSEN)
                        .result()
                        .getErrorMessage())
                .isEqualTo("403");
        PutReply.Sent failed = PutReply.read(ResultCommand.of(500, "wrong partition 7", 1), CHOSEN);
        assertThat(failed.result().isSuccess()).isFalse();
        assertThat(failed.result().getErrorMessage()).isEqualTo("wrong partition 7");
    }

    @Test
    void aMalformedSuccessBodyIsAClientError() {
        assertThatThrownBy(() -> PutReply.read(ResultCommand.of(200, "garbage", 1), CHOSEN))
                .isInstanceOf(MetaClientException.class)
                .hasMessageContaining("Malformed put reply 'garbage'");
    }
}
