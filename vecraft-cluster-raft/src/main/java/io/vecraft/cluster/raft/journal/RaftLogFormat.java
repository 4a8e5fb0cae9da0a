package io.vecraft.cluster.raft.journal;

import io.vecraft.api.CorruptedDataException;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.cluster.spi.wire.WireReader;
import io.vecraft.cluster.spi.wire.WireWriter;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes the Raft journal puts into Ratis: log entry data, proposals, replies and queries. All
 * integers little-endian ({@link WireWriter}); {@code str16} is a UTF-8 string with a u16
 * length, {@code bytes} an i32 length and the bytes. Format version 1; any other version is
 * refused as corrupted data. See {@code package-info.java} for how they are used.
 *
 * <pre>
 * Log entry data (what every member applies)
 *   u8  version            1
 *   u8  kind               1 = STAMPED_BATCH
 *   u16 partition id
 *   i32 n                  entries, at least 1
 *   n x Entry:  i64 sequence, i64 hlc, u8 type (1..255), str16 requestId, i64 transactionId, bytes payload
 *
 * Proposal (message of a write request, leader-local)
 *   u8 version 1, u8 kind 2 = PROPOSAL, i64 proposal id
 *
 * Watermark query (message of a linearizable read request)
 *   u8 version 1, u8 kind 3 = WATERMARK
 *
 * Reply of a write (message of the reply)
 *   u8 version 1, u8 status: 0 = APPLIED -&gt; i32 n, n x (i64 sequence, i64 hlc)
 *                            1 = REJECTED -&gt; str16 reason
 * Reply of a watermark query
 *   u8 version 1, u8 status 0, i64 sequence, i64 hlc
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
final class RaftLogFormat {
    static final int VERSION = 1;
    static final int STAMPED_BATCH = 1;
    static final int PROPOSAL = 2;
    static final int WATERMARK = 3;
    static final int APPLIED = 0;
    static final int REJECTED = 1;

    private RaftLogFormat() {
    }

    /** An entry stamped by the leader: what every member appends to its journal. */
    record Stamped(long sequence, long hlc, int type, String requestId, long transactionId, byte[] payload) {
    }

    /** An entry waiting for its stamp. */
    record Draft(int type, String requestId, long transactionId, byte[] payload) {
    }

    /** Result of a write as the leader's state machine applied it. */
    record Reply(boolean applied, List<long[]> stamps, String reason) {
    }

    static byte[] encodeBatch(int partitionId, List<Stamped> entries) {
        int size = 16;
        for (Stamped e : entries) {
            size += 40 + e.payload().length + e.requestId().length() * 3;
        }
        WireWriter w = new WireWriter(size);
        w.putByte(VERSION);
        w.putByte(STAMPED_BATCH);
        w.putShort(partitionId);
        w.putInt(entries.size());
        for (Stamped e : entries) {
            w.putLong(e.sequence());
            w.putLong(e.hlc());
            w.putByte(e.type());
            w.putShortString(e.requestId());
            w.putLong(e.transactionId());
            w.putBytes(e.payload());
        }
        return w.toByteArray();
    }

    static List<Stamped> decodeBatch(byte[] data, int expectedPartition, String where) {
        try {
            WireReader r = new WireReader(data);
            int version = r.getUnsignedByte();
            int kind = r.getUnsignedByte();
            if (version != VERSION || kind != STAMPED_BATCH) {
                throw new CorruptedDataException(where, 0, "unknown raft log entry version " + version + " kind " + kind);
            }
            int pid = r.getUnsignedShort();
            if (pid != expectedPartition) {
                throw new CorruptedDataException(where, 0, "raft log entry of partition " + pid + " in the group of "
                        + expectedPartition);
            }
            int n = r.getInt();
            if (n < 1 || n > data.length) {
                throw new CorruptedDataException(where, 0, "raft log entry with " + n + " journal entries");
            }
            List<Stamped> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(new Stamped(r.getLong(), r.getLong(), r.getUnsignedByte(), r.getShortString(), r.getLong(),
                        r.getBytes()));
            }
            return out;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptedDataException(where, 0, "truncated raft log entry (" + e + ")");
        }
    }

    static byte[] proposal(long id) {
        WireWriter w = new WireWriter(10);
        w.putByte(VERSION);
        w.putByte(PROPOSAL);
        w.putLong(id);
        return w.toByteArray();
    }

    static byte[] watermarkQuery() {
        WireWriter w = new WireWriter(2);
        w.putByte(VERSION);
        w.putByte(WATERMARK);
        return w.toByteArray();
    }

    /**
     * @param message a proposal or query message
     * @return {kind, proposal id (0 for queries)}
     */
    static long[] openRequest(byte[] message) {
        try {
            WireReader r = new WireReader(message);
            int version = r.getUnsignedByte();
            if (version != VERSION) {
                throw new InvalidArgumentException("raft.message", "unknown version " + version);
            }
            int kind = r.getUnsignedByte();
            return new long[] {kind, kind == PROPOSAL ? r.getLong() : 0};
        } catch (BufferUnderflowException e) {
            throw new InvalidArgumentException("raft.message", "truncated request");
        }
    }

    static byte[] applied(List<Stamped> entries) {
        WireWriter w = new WireWriter(8 + 16 * entries.size());
        w.putByte(VERSION);
        w.putByte(APPLIED);
        w.putInt(entries.size());
        for (Stamped e : entries) {
            w.putLong(e.sequence());
            w.putLong(e.hlc());
        }
        return w.toByteArray();
    }

    static byte[] rejected(String reason) {
        WireWriter w = new WireWriter(64);
        w.putByte(VERSION);
        w.putByte(REJECTED);
        w.putShortString(reason.length() > 1000 ? reason.substring(0, 1000) : reason);
        return w.toByteArray();
    }

    static Reply reply(byte[] message) {
        WireReader r = new WireReader(message);
        int version = r.getUnsignedByte();
        if (version != VERSION) {
            throw new InvalidArgumentException("raft.reply", "unknown version " + version);
        }
        if (r.getUnsignedByte() == REJECTED) {
            return new Reply(false, List.of(), r.getShortString());
        }
        int n = r.getInt();
        List<long[]> stamps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            stamps.add(new long[] {r.getLong(), r.getLong()});
        }
        return new Reply(true, stamps, "");
    }

    static byte[] watermarkReply(long sequence, long hlc) {
        WireWriter w = new WireWriter(18);
        w.putByte(VERSION);
        w.putByte(APPLIED);
        w.putLong(sequence);
        w.putLong(hlc);
        return w.toByteArray();
    }

    static long[] watermark(byte[] message) {
        WireReader r = new WireReader(message);
        r.getUnsignedByte();
        r.getUnsignedByte();
        return new long[] {r.getLong(), r.getLong()};
    }
}
