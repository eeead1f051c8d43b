package io.imago.client.internal.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.client.StatsResult;
import org.junit.jupiter.api.Test;

class StatsReplyTest {

    @Test
    void splitsEachLineAtItsFirstSpaceInTheBrokersOrder() {
        StatsResult r = StatsReply.parse(
                "", "STATS\r\npid 42\r\nversion 1.4.6.2\r\ntopics t1 partitions 4\r\nlonely\r\n" + "END\r\n");
        assertThat(r.getAllValues())
                .containsExactly(
                        java.util.Map.entry("pid", "42"),
                        java.util.Map.entry("version", "1.4.6.2"),
                        java.util.Map.entry("topics", "t1 partitions 4"),
                        java.util.Map.entry("lonely", StatsResult.NO_VALUE));
        assertThat(r.getValue("missing")).isNull();
    }

    @Test
    void aBodyThatIsNotStatsFramedIsKeptWholeUnderTheItem() {
        StatsResult r = StatsReply.parse("config", "[system]\nbrokerId=0\n");
        assertThat(r.getAllValues()).containsOnly(java.util.Map.entry("config", "[system]\nbrokerId=0\n"));
    }
}
