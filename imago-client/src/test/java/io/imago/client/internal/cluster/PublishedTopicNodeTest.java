package io.imago.client.internal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PublishedTopicNodeTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsNumPartsWhateverTheFieldOrder() throws Exception {
        assertThat(PublishedTopicNode.numParts(utf8("{\"numParts\":4,\"broker\":\"0-m\"}"))).isEqualTo(4);
        assertThat(PublishedTopicNode.numParts(utf8("{\"broker\":\"0-m\",\"numParts\":2}"))).isEqualTo(2);
    }

    @Test
    void refusesDataWithoutAnIntegralNumParts() {
        assertThatThrownBy(() -> PublishedTopicNode.numParts(utf8("2"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> PublishedTopicNode.numParts(utf8("{\"numParts\":\"2\"}"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> PublishedTopicNode.numParts(utf8("{\"numParts\":1.5}"))).isInstanceOf(IOException.class);
    }

    @Test
    void onlyMasterChildrenNameABroker() {
        assertThat(PublishedTopicNode.masterBrokerId("12-m")).isEqualTo(OptionalInt.of(12));
        assertThat(PublishedTopicNode.masterBrokerId("12-s1")).isEmpty();
        assertThat(PublishedTopicNode.masterBrokerId("x-m")).isEmpty();
        assertThat(PublishedTopicNode.topicPath("/meta", "t")).isEqualTo("/meta/brokers/topics-pub/t");
        assertThat(PublishedTopicNode.masterPath("/meta", 3)).isEqualTo("/meta/brokers/ids/3/master");
    }
}
