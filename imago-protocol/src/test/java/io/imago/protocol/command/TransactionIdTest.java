package io.imago.protocol.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class TransactionIdTest {

    @Test
    void localKeyOfTheRealClientParses() {
        TransactionId id = TransactionId.parse("TX:192.0.2.2-1795639329547-1:1");
        assertThat(id).isEqualTo(new TransactionId.Local("192.0.2.2-1795639329547-1", 1));
        assertThat(id.key()).isEqualTo("TX:192.0.2.2-1795639329547-1:1");
    }

    @Test
    void xaKeyParsesWithLowercaseHexAndFormatsBack() {
        TransactionId id = TransactionId.parse("XID:1:0a0b:0c0d:uq-host");
        assertThat(id).isEqualTo(new TransactionId.Xa(1, new byte[] {10, 11}, new byte[] {12, 13}, "uq-host"));
        assertThat(id.key()).isEqualTo("XID:1:0a0b:0c0d:uq-host");
        assertThat(TransactionId.parse("XID:1:0A0B:0C0D:uq-host")).isEqualTo(id);
    }

    @Test
    void xaKeyKeepsEmptyParts() {
        TransactionId.Xa id = (TransactionId.Xa) TransactionId.parse("XID:-1:::");
        assertThat(id.globalTransactionId()).isEmpty();
        assertThat(id.uniqueQualifier()).isEmpty();
        assertThat(id.key()).isEqualTo("XID:-1:::");
    }

    @Test
    void nullKeyIsTheNullTransaction() {
        assertThat(TransactionId.parse("null")).isSameAs(TransactionId.Null.INSTANCE);
        assertThat(TransactionId.Null.INSTANCE.key()).isEqualTo("null");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "NULL",
                "tx:a:1",
                "TX:a",
                "TX:a:",
                "TX:a:b",
                "TX:a:1:2",
                "XID:1:0a:0b",
                "XID:x:0a:0b:q",
                "XID:1:0g:0b:q",
                "XID:1:abc:0b:q",
                "XID:1:0a:0b:q:extra"
            })
    void malformedKeysAreRefused(String key) {
        assertThatThrownBy(() -> TransactionId.parse(key)).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void localKeysRoundTrip(@ForAll @AlphaChars @NumericChars String session, @ForAll int counter) {
        TransactionId id = new TransactionId.Local(session, counter);
        assertThat(TransactionId.parse(id.key())).isEqualTo(id);
    }

    @Property
    void xaKeysRoundTrip(
            @ForAll int formatId, @ForAll byte[] gtid, @ForAll byte[] bqual, @ForAll @AlphaChars String qualifier) {
        TransactionId id = new TransactionId.Xa(formatId, gtid, bqual, qualifier);
        assertThat(TransactionId.parse(id.key())).isEqualTo(id);
    }
}
