package io.imago.client.internal.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ConsumerZnodeDescriptorTest {
    private final ConsumerZnodeDescriptor znodes = new ConsumerZnodeDescriptor("/meta", "grp");

    @Test
    void pathsAreMetaQs() {
        assertThat(znodes.idPath("grp_c1")).isEqualTo("/meta/consumers/grp/ids/grp_c1");
        assertThat(znodes.ownerPath("t1", "0-3")).isEqualTo("/meta/consumers/grp/owners/t1/0-3");
        assertThat(znodes.topicSubscribePath("t1")).isEqualTo("/meta/brokers/topics-sub/t1");
        assertThat(new ConsumerZnodeDescriptor("/meta/", "grp").idsPath()).isEqualTo("/meta/consumers/grp/ids");
        assertThat(znodes.consumerId("c1")).isEqualTo("grp_c1");
    }

    @Test
    void registrationsOfMastersAndSlavesNameTheirBroker() {
        assertThat(ConsumerZnodeDescriptor.brokerIdOfRegistration("0-m")).isEqualTo(0);
        assertThat(ConsumerZnodeDescriptor.brokerIdOfRegistration("12-s3")).isEqualTo(12);
        assertThat(ConsumerZnodeDescriptor.brokerIdOfRegistration("12-s")).isEqualTo(-1);
        assertThat(ConsumerZnodeDescriptor.brokerIdOfRegistration("x-m")).isEqualTo(-1);
        assertThat(ConsumerZnodeDescriptor.brokerIdOfRegistration("3-x")).isEqualTo(-1);
        assertThat(ConsumerZnodeDescriptor.brokerIdOfRegistration("3")).isEqualTo(-1);
    }

    @Test
    void onlyMetaQsRegistrationJsonIsAccepted() {
        assertThat(GroupStateReader.numParts("{\"numParts\":4,\"broker\":\"0-m\"}")).hasValue(4);
        assertThat(GroupStateReader.numParts("{\"broker\":\"0-m\",\"numParts\":2}")).hasValue(2);
        assertThat(GroupStateReader.numParts("{\"numParts\":1,\"broker\":\"0-m\",\"x\":1}")).isEmpty();
        assertThat(GroupStateReader.numParts("2")).isEmpty();
        assertThat(GroupStateReader.numParts("{\"broker\":\"0-m\"}")).isEmpty();
        assertThat(GroupStateReader.numParts("not json")).isEmpty();
    }
}
