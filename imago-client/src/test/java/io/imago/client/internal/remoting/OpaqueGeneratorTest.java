package io.imago.client.internal.remoting;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

@Isolated
class OpaqueGeneratorTest {

    @Test
    void countsUpFromWhereItIsAndWrapsToMinValueBeforeMaxValueMinus10() {
        OpaqueGenerator.resetTo(OpaqueGenerator.WRAP_AT - 2);
        assertThat(OpaqueGenerator.next()).isEqualTo(Integer.MAX_VALUE - 12);
        assertThat(OpaqueGenerator.next()).isEqualTo(Integer.MAX_VALUE - 11);
        assertThat(OpaqueGenerator.next()).isEqualTo(Integer.MIN_VALUE);
        assertThat(OpaqueGenerator.next()).isEqualTo(Integer.MIN_VALUE + 1);
    }
}
