package io.imago.protocol.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BrokerUrlTest {

    @Test
    void parsesHostAndPortWithAndWithoutBracketsAndQuery() {
        assertThat(BrokerUrl.parse("meta://127.0.0.1:8123")).isEqualTo(new BrokerUrl("127.0.0.1", 8123));
        assertThat(BrokerUrl.parse("meta://[::1]:8123?slaveId=1")).isEqualTo(new BrokerUrl("::1", 8123));
        assertThat(new BrokerUrl("::1", 8123)).hasToString("meta://[::1]:8123");
    }

    @Test
    void formatsTheHostAsGivenAsTheOriginalBrokerPublishesIt() {
        assertThat(BrokerUrl.format("127.0.0.1", 8123)).isEqualTo("meta://127.0.0.1:8123");
        assertThat(BrokerUrl.format("::1", 8123)).isEqualTo("meta://::1:8123");
        assertThat(BrokerUrl.parse(BrokerUrl.format("::1", 8123))).isEqualTo(new BrokerUrl("::1", 8123));
    }

    @Test
    void refusesOtherSchemesAndMissingPorts() {
        assertThatThrownBy(() -> BrokerUrl.parse("http://h:1")).hasMessageContaining("expected meta://host:port");
        assertThatThrownBy(() -> BrokerUrl.parse("meta://h")).hasMessageContaining("expected meta://host:port");
    }
}
