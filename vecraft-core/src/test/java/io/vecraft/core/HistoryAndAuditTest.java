package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecraft.api.AuditLog;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.JournalRecord;
import io.vecraft.api.Receipt;
import io.vecraft.api.Record;
import io.vecraft.api.RecordVersion;
import io.vecraft.api.Vecraft;
import io.vecraft.api.WriteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryAndAuditTest {
    @TempDir
    Path dir;

    @Test
    void historyListsEveryVersionWithRequestIds() {
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", 2).withShards(2));
            List<Receipt> receipts = new ArrayList<>();
            receipts.add(c.upsert(Record.of("a", new float[] {1, 0}).withMetadata(Map.of("v", 1)),
                    WriteOptions.defaults().withRequestId("first")));
            receipts.add(c.upsert(Record.of("a", new float[] {2, 0}).withMetadata(Map.of("v", 2)),
                    WriteOptions.defaults().withRequestId("second")));
            receipts.add(c.delete(List.of("a"), WriteOptions.defaults().withRequestId("third")));
            receipts.add(c.upsert(Record.of("a", new float[] {3, 0}).withMetadata(Map.of("v", 3)),
                    WriteOptions.defaults().withRequestId("fourth")));

            List<RecordVersion> h = c.history("a");
            assertEquals(4, h.size(), h.toString());
            assertEquals(List.of("first", "second", "third", "fourth"), h.stream().map(RecordVersion::requestId).toList());
            assertEquals(List.of(RecordVersion.Operation.UPSERT, RecordVersion.Operation.UPSERT,
                    RecordVersion.Operation.DELETE, RecordVersion.Operation.UPSERT),
                    h.stream().map(RecordVersion::operation).toList());
            for (int i = 0; i < 4; i++) {
                assertEquals(receipts.get(i).hlc(), h.get(i).hlc());
                assertEquals(receipts.get(i).sequence(), h.get(i).sequence());
                assertEquals(receipts.get(i).partition(), h.get(i).partition());
            }
            assertEquals(h.get(1).hlc(), h.get(0).supersededHlc());
            assertEquals(h.get(2).hlc(), h.get(1).supersededHlc());
            assertTrue(h.get(3).isCurrent());
            assertEquals(2L, h.get(1).record().orElseThrow().metadata().get("v"));
            assertTrue(h.get(2).record().isEmpty());
            assertTrue(c.history("never").isEmpty());
        }
    }

    @Test
    void auditStreamYieldsTypedOperationsInJournalOrder() {
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).open()) {
            long start = db.now();
            Collection c = db.createCollection(CollectionSpec.of("c", 2).withShards(2));
            c.upsert(Record.of("a", new float[] {1, 0}), WriteOptions.defaults().withRequestId("w1"));
            c.upsert(List.of(Record.of("b", new float[] {1, 0}), Record.of("c", new float[] {1, 0}),
                    Record.of("d", new float[] {1, 0})), WriteOptions.defaults().withRequestId("w2"));
            c.delete("a");
            db.dropCollection("c");

            AuditLog log = db.journal();
            assertEquals(List.of("system", "tx", "data-0", "data-1"), log.partitions());
            List<JournalRecord> all = new ArrayList<>();
            try (AuditLog.Cursor cur = log.readFromHlc(start)) {
                cur.forEachRemaining(all::add);
            }
            assertEquals(5, all.size(), all.toString());
            assertInstanceOf(JournalRecord.CreateCollection.class, all.get(0).operations().get(0));
            assertEquals("w1", all.get(1).requestId());
            assertEquals(new JournalRecord.Delete("c", "a"), all.get(3).operations().get(0));
            assertEquals(new JournalRecord.DropCollection("c"), all.get(4).operations().get(0));
            JournalRecord multi = all.get(2);
            assertEquals("w2", multi.requestId());
            assertEquals(3, multi.operations().size());
            for (int i = 1; i < all.size(); i++) {
                assertTrue(all.get(i - 1).hlc() < all.get(i).hlc(), "ordered by HLC");
            }
            try (AuditLog.Cursor cur = log.read("system", 1)) {
                int n = 0;
                while (cur.hasNext()) {
                    cur.next();
                    n++;
                }
                assertEquals(2, n, "create and drop in the system partition");
            }
        }
    }
}
