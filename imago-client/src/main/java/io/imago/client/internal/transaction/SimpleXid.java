package io.imago.client.internal.transaction;

import java.util.Arrays;
import java.util.HexFormat;
import javax.transaction.xa.Xid;

/** An {@link Xid} rebuilt from a key a broker listed in a {@code RECOVER} reply. Immutable. */
public final class SimpleXid implements Xid {
    private final int formatId;
    private final byte[] globalTransactionId;
    private final byte[] branchQualifier;

    public SimpleXid(int formatId, byte[] globalTransactionId, byte[] branchQualifier) {
        this.formatId = formatId;
        this.globalTransactionId = globalTransactionId.clone();
        this.branchQualifier = branchQualifier.clone();
    }

    @Override
    public int getFormatId() {
        return formatId;
    }

    @Override
    public byte[] getGlobalTransactionId() {
        return globalTransactionId.clone();
    }

    @Override
    public byte[] getBranchQualifier() {
        return branchQualifier.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Xid x
                && formatId == x.getFormatId()
                && Arrays.equals(globalTransactionId, x.getGlobalTransactionId())
                && Arrays.equals(branchQualifier, x.getBranchQualifier());
    }

    @Override
    public int hashCode() {
        return 31 * (31 * formatId + Arrays.hashCode(globalTransactionId)) + Arrays.hashCode(branchQualifier);
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return "Xid[" + formatId + ":" + hex.formatHex(globalTransactionId) + ":" + hex.formatHex(branchQualifier)
                + "]";
    }
}
