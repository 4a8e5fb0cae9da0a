package io.vecraft.core;

import io.vecraft.api.AuditLog;
import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.JournalRecord;
import io.vecraft.api.Record;
import io.vecraft.cluster.spi.wal.CreateCollectionEntry;
import io.vecraft.cluster.spi.wal.DropCollectionEntry;
import io.vecraft.cluster.spi.wal.OpGroup;
import io.vecraft.cluster.spi.wal.WalCodec;
import io.vecraft.cluster.spi.wal.WalOp;
import io.vecraft.cluster.spi.wal.WalTypes;
import io.vecraft.api.NotFoundException;
import io.vecraft.journal.JournalEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * The journal as a typed audit stream. Cursors read the entries visible when they are created
 * (a bounded, consistent range), skip ticks, and decode payloads into {@link JournalRecord}s;
 * collection uids are shown as the collection's name (dropped collections included).
 *
 * <p>Thread-safe; each cursor is confined to the thread that uses it (Chronicle tailers are).
 */
final class JournalAuditLog implements AuditLog {
    private final JournalGateway journal;
    private final Map<Long, String> namesByUid;

    JournalAuditLog(JournalGateway journal, Map<Long, String> namesByUid) {
        this.journal = journal;
        this.namesByUid = namesByUid;
    }

    @Override
    public List<String> partitions() {
        return journal.partitionNames();
    }

    @Override
    public Cursor read(String partition, long fromSequence) {
        if (fromSequence < 1) {
            throw new InvalidArgumentException("fromSequence", "must be at least 1, was " + fromSequence);
        }
        int id = journal.partitionNames().indexOf(partition);
        if (id < 0) {
            throw new NotFoundException("journal partition", String.valueOf(partition));
        }
        return new PartitionCursor(journal.source(id), fromSequence, -1);
    }

    @Override
    public Cursor readFromHlc(long fromHlc) {
        if (fromHlc < 0) {
            throw new InvalidArgumentException("fromHlc", "must be at least 0, was " + fromHlc);
        }
        List<PartitionCursor> cursors = new ArrayList<>();
        for (int id = 0; id < journal.partitionNames().size(); id++) {
            cursors.add(new PartitionCursor(journal.source(id), -1, fromHlc));
        }
        return new MergedCursor(cursors);
    }

    private JournalRecord decode(EntrySource p, JournalEntry e) {
        List<JournalRecord.Operation> ops = new ArrayList<>();
        switch (e.type()) {
            case WalTypes.WRITE, WalTypes.TRANSACTION -> {
                for (OpGroup g : WalCodec.decodeGroups(e.payload(), p.name(), e.sequence())) {
                    String name = namesByUid.getOrDefault(g.collectionUid(), "#" + Long.toHexString(g.collectionUid()));
                    for (WalOp op : g.ops()) {
                        if (op instanceof WalOp.Upsert u) {
                            ops.add(new JournalRecord.Upsert(name,
                                    Record.of(u.id(), u.vector(), u.metadata(), u.document())));
                        } else {
                            ops.add(new JournalRecord.Delete(name, op.id()));
                        }
                    }
                }
            }
            case WalTypes.CREATE_COLLECTION -> {
                CreateCollectionEntry c = WalCodec.decodeCreate(e.payload(), p.name(), e.sequence());
                ops.add(new JournalRecord.CreateCollection(c.spec()));
            }
            case WalTypes.DROP_COLLECTION -> {
                DropCollectionEntry d = WalCodec.decodeDrop(e.payload(), p.name(), e.sequence());
                ops.add(new JournalRecord.DropCollection(d.name()));
            }
            default -> throw new io.vecraft.api.CorruptedDataException(p.name(), e.sequence(),
                    "unknown entry type " + e.type());
        }
        return new JournalRecord(p.name(), e.sequence(), e.hlc(), e.requestId(), e.transactionId(), ops);
    }

    /**
     * Cursor over one partition up to the sequence visible at creation, from a sequence or from
     * the first entry at or after an HLC.
     */
    private final class PartitionCursor implements Cursor {
        private final EntrySource partition;
        private final EntrySource.Cursor tailer;
        private final long limit;
        private final long fromHlc;
        private JournalEntry next;
        private boolean closed;
        private boolean exhausted;

        PartitionCursor(EntrySource partition, long fromSequence, long fromHlc) {
            this.partition = partition;
            this.limit = partition.headSequence();
            this.fromHlc = fromHlc;
            this.tailer = fromSequence > 0 ? partition.cursor(fromSequence) : partition.cursorAtHlc(fromHlc);
        }

        JournalEntry peek() {
            while (next == null && !closed && !exhausted) {
                JournalEntry e = tailer.next();
                if (e == null || e.sequence() > limit) {
                    exhausted = true;
                    return null;
                }
                if (!e.isTick() && e.hlc() >= fromHlc) {
                    next = e;
                }
            }
            return next;
        }

        @Override
        public boolean hasNext() {
            return peek() != null;
        }

        @Override
        public JournalRecord next() {
            JournalEntry e = peek();
            if (e == null) {
                throw new NoSuchElementException();
            }
            next = null;
            return decode(partition, e);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                tailer.close();
            }
        }
    }

    /** Merges partition cursors in the total order (HLC, partition id, sequence). */
    private static final class MergedCursor implements Cursor {
        private final List<PartitionCursor> cursors;
        private final PriorityQueue<PartitionCursor> heap = new PriorityQueue<>((a, b) -> {
            JournalEntry x = a.peek();
            JournalEntry y = b.peek();
            if (x.hlc() != y.hlc()) {
                return Long.compare(x.hlc(), y.hlc());
            }
            if (x.partitionId() != y.partitionId()) {
                return Integer.compare(x.partitionId(), y.partitionId());
            }
            return Long.compare(x.sequence(), y.sequence());
        });

        MergedCursor(List<PartitionCursor> cursors) {
            this.cursors = cursors;
            for (PartitionCursor c : cursors) {
                if (c.peek() != null) {
                    heap.add(c);
                }
            }
        }

        @Override
        public boolean hasNext() {
            return !heap.isEmpty();
        }

        @Override
        public JournalRecord next() {
            PartitionCursor c = heap.poll();
            if (c == null) {
                throw new NoSuchElementException();
            }
            JournalRecord r = c.next();
            if (c.peek() != null) {
                heap.add(c);
            }
            return r;
        }

        @Override
        public void close() {
            for (PartitionCursor c : cursors) {
                c.close();
            }
        }
    }
}
