package io.imago.it.compat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A message a test hands to the original producer, and what a consumer must see of it: the
 * attribute (or none), the data length and its SHA-256, in the driver's line formats. Immutable.
 */
record Outgoing(String attribute, byte[] data) {
    /** The base64 attribute field of driver lines; {@code -} for none. */
    String attributeField() {
        return attribute == null ? "-" : Base64.getEncoder().encodeToString(attribute.getBytes(StandardCharsets.UTF_8));
    }

    /** The producer's stdin line. */
    String produceLine() {
        return attributeField() + " "
                + (data.length == 0 ? "-" : Base64.getEncoder().encodeToString(data));
    }

    /** What a consumer line reports of this message: attribute, length, SHA-256. */
    String fingerprint() {
        return fingerprint(attributeField(), Integer.toString(data.length), sha256(data));
    }

    static String fingerprint(String attributeField, String length, String sha256) {
        return attributeField + "/" + length + "/" + sha256;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code n} small messages with data of 1..2000 random bytes; every third has no attribute,
     * the others an attribute with non-ASCII characters and spaces.
     */
    static List<Outgoing> smallBatch(String label, int n, long seed) {
        Random random = new Random(seed);
        List<Outgoing> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] data = new byte[1 + random.nextInt(2000)];
            random.nextBytes(data);
            out.add(new Outgoing(i % 3 == 0 ? null : label + " attribut-é-" + i, data));
        }
        return out;
    }

    static Outgoing ofSize(String attribute, int bytes, long seed) {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return new Outgoing(attribute, data);
    }
}
