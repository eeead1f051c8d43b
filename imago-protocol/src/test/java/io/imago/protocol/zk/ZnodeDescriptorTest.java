package io.imago.protocol.zk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The paths and names of spec section 4, as the capture of the original's tree shows them. */
class ZnodeDescriptorTest {
    private final ZnodeDescriptor znodes = new ZnodeDescriptor(ZnodeDescriptor.DEFAULT_ROOT);

    @Test
    void brokerPathsAreMetaQs() {
        assertThat(znodes.brokerIdsPath()).isEqualTo("/meta/brokers/ids");
        assertThat(znodes.brokerIdPath(3)).isEqualTo("/meta/brokers/ids/3");
        assertThat(znodes.masterPath(3)).isEqualTo("/meta/brokers/ids/3/master");
        assertThat(znodes.configChecksumPath(3)).isEqualTo("/meta/brokers/ids/3/master_config_checksum");
        assertThat(znodes.legacyTopicPath("t1", "3-m")).isEqualTo("/meta/brokers/topics/t1/3-m");
        assertThat(znodes.publishedTopicsPath()).isEqualTo("/meta/brokers/topics-pub");
        assertThat(znodes.publishedTopicPath("t1", "3-m")).isEqualTo("/meta/brokers/topics-pub/t1/3-m");
        assertThat(znodes.subscribedTopicsPath()).isEqualTo("/meta/brokers/topics-sub");
        assertThat(znodes.subscribedTopicPath("t1", "3-s1")).isEqualTo("/meta/brokers/topics-sub/t1/3-s1");
    }

    @Test
    void consumerPathsAreMetaQs() {
        assertThat(znodes.groupsPath()).isEqualTo("/meta/consumers");
        assertThat(znodes.consumerIdPath("grp", "grp_c1")).isEqualTo("/meta/consumers/grp/ids/grp_c1");
        assertThat(znodes.ownersPath("grp")).isEqualTo("/meta/consumers/grp/owners");
        assertThat(znodes.ownerPath("grp", "t1", "0-3")).isEqualTo("/meta/consumers/grp/owners/t1/0-3");
        assertThat(znodes.offsetsPath("grp")).isEqualTo("/meta/consumers/grp/offsets");
        assertThat(znodes.offsetPath("grp", "t1", "0-3")).isEqualTo("/meta/consumers/grp/offsets/t1/0-3");
    }

    @Test
    void theRootIsNormalisedOnce() {
        assertThat(new ZnodeDescriptor("/").masterPath(3)).isEqualTo("/brokers/ids/3/master");
        assertThat(new ZnodeDescriptor("/meta/").root()).isEqualTo("/meta");
        assertThat(new ZnodeDescriptor("/imago/a").brokerIdsPath()).isEqualTo("/imago/a/brokers/ids");
        assertThat(new ZnodeDescriptor(" meta// ").root()).isEqualTo("/meta");
        assertThat(new ZnodeDescriptor(null).root()).isEqualTo("/meta");
        assertThat(new ZnodeDescriptor("").root()).isEqualTo("/meta");
    }

    @Test
    void registrationsOfMastersAndSlavesNameTheirBroker() {
        assertThat(ZnodeDescriptor.masterRegistration(12)).isEqualTo("12-m");
        assertThat(ZnodeDescriptor.brokerId("0-m")).isEqualTo(OptionalInt.of(0));
        assertThat(ZnodeDescriptor.brokerId("12-s3")).isEqualTo(OptionalInt.of(12));
        assertThat(ZnodeDescriptor.brokerId("12-s")).isEmpty();
        assertThat(ZnodeDescriptor.brokerId("x-m")).isEmpty();
        assertThat(ZnodeDescriptor.brokerId("3-x")).isEmpty();
        assertThat(ZnodeDescriptor.brokerId("3")).isEmpty();
        assertThat(ZnodeDescriptor.masterBrokerId("12-m")).isEqualTo(OptionalInt.of(12));
        assertThat(ZnodeDescriptor.masterBrokerId("12-s1")).isEmpty();
        assertThat(ZnodeDescriptor.masterBrokerId("x-m")).isEmpty();
    }

    @Test
    void namesAndSmallData() {
        assertThat(ZnodeDescriptor.partitionName(0, 10)).isEqualTo("0-10");
        assertThat(ZnodeDescriptor.consumerId("grp", "c1")).isEqualTo("grp_c1");
        assertThat(ZnodeDescriptor.legacyTopicData(12)).isEqualTo("12");
        assertThat(ZnodeDescriptor.topicList(List.of("t1", "t2"))).isEqualTo("t1,t2");
        assertThat(ZnodeDescriptor.topics("t1,t2")).containsExactly("t1", "t2");
        assertThat(ZnodeDescriptor.topics("t1, t2")).containsExactly("t1", " t2");
    }
}
