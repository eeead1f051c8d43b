package io.imago.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.protocol.RecordDescriptor;
import io.imago.protocol.command.ResponseCommand;
import io.imago.protocol.command.ResultCommand;
import io.imago.protocol.command.ValueCommand;
import io.imago.protocol.message.MessageSetIterator;
import io.imago.protocol.message.StoredMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Raw-socket helpers for the transaction tests: requests as the MetaQ 1.4.6.2 client writes them. */
final class TxWire {
    private TxWire() {}

    /** A reply's status and body, read and released. */
    record Reply(int code, String text, int opaque) {}

    static Reply result(WireClient c) throws IOException {
        ResponseCommand r = c.read();
        assertThat(r).isInstanceOf(ResultCommand.class);
        ResultCommand result = (ResultCommand) r;
        try {
            return new Reply(result.code(), result.text(), result.opaque());
        } finally {
            result.release();
        }
    }

    /** {@code transaction <key> <session> <type> [timeout] [qualifier] <opaque>} and its reply. */
    static Reply tx(WireClient c, String key, String type, String extra, int opaque) throws IOException {
        c.send("transaction " + key + " sess-1 " + type + (extra.isEmpty() ? "" : " " + extra) + " " + opaque + "\r\n");
        Reply reply = result(c);
        assertThat(reply.opaque()).isEqualTo(opaque);
        return reply;
    }

    static Reply tx(WireClient c, String key, String type, int opaque) throws IOException {
        return tx(c, key, type, "", opaque);
    }

    /** The 8-token transactional put of the 1.4.4+ client, with the body's real checksum. */
    static Reply put(WireClient c, String topic, int partition, String body, String key, int opaque)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        int checksum = RecordDescriptor.checksum(ByteBuffer.wrap(bytes));
        c.send("put " + topic + " " + partition + " " + bytes.length + " 0 " + checksum + " " + key + " " + opaque
                + "\r\n");
        c.send(bytes);
        Reply reply = result(c);
        assertThat(reply.opaque()).isEqualTo(opaque);
        return reply;
    }

    static Reply admin(WireClient c, String args, int opaque) throws IOException {
        c.send("txadmin " + args + " " + opaque + "\r\n");
        return result(c);
    }

    /** The messages (id, body) a plain get returns from {@code offset}; empty on 404. */
    static List<StoredMessage> get(WireClient c, String topic, int partition, long offset) throws IOException {
        c.send("get " + topic + " g " + partition + " " + offset + " 65536 77\r\n");
        ResponseCommand r = c.read();
        List<StoredMessage> messages = new ArrayList<>();
        if (r instanceof ValueCommand value) {
            try {
                MessageSetIterator it = new MessageSetIterator(value.body(), offset);
                while (it.hasNext()) {
                    messages.add(it.next());
                }
            } finally {
                value.release();
            }
        } else {
            ResultCommand result = (ResultCommand) r;
            try {
                assertThat(result.code()).as(result.text()).isEqualTo(404);
            } finally {
                result.release();
            }
        }
        return messages;
    }

    static String body(StoredMessage m) {
        return new String(m.payload().data(), StandardCharsets.UTF_8);
    }
}
