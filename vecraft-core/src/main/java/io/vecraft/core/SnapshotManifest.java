package io.vecraft.core;

import io.vecraft.api.CorruptedDataException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The manifest of a snapshot ({@code SNAPSHOT} at the snapshot's root): a UTF-8 text file, one
 * record per line, fields separated by a tab, ending with a line holding the CRC32C of every
 * preceding byte. The layout is documented field by field in vecraft-core's FORMAT-SNAPSHOT.md.
 * Immutable values; thread-safe.
 *
 * @param createdMillis   wall clock when the snapshot was taken
 * @param hlc             clock reading after every shard checkpointed
 * @param maxEntryBytes   the database's largest journal payload (bounds a valid journal entry)
 * @param rollCycle       the journal's roll cycle (names its cycle files), a {@code JournalRollCycle} name
 * @param partitions      journal partitions in id order
 * @param catalogSequence system-partition sequence the copied catalog has applied (0: no catalog copied)
 * @param shards          copied shard checkpoints
 * @param files           every copied file, paths relative to the snapshot root
 */
record SnapshotManifest(long createdMillis, long hlc, int maxEntryBytes, String rollCycle, List<Partition> partitions,
                        long catalogSequence,
                        List<ShardEntry> shards, List<FileEntry> files) {

    static final String MAGIC = "vecraft-snapshot";
    static final int VERSION = 1;

    /**
     * @param id    partition id
     * @param name  partition name (its directory under {@code journal/})
     * @param first first sequence copied
     * @param head  last sequence the snapshot holds (cycle files may hold more; restore cuts them here)
     */
    record Partition(int id, String name, long first, long head) {
    }

    /**
     * @param directory  shard directory relative to the root, e.g. {@code collections/docs-18c/shard-0}
     * @param checkpoint checkpoint number
     * @param applied    applied sequence per partition id in that checkpoint
     */
    record ShardEntry(String directory, long checkpoint, Map<Integer, Long> applied) {
    }

    /**
     * @param path   relative path
     * @param length bytes
     * @param crc    CRC32C
     */
    record FileEntry(String path, long length, int crc) {
    }

    byte[] encode() {
        StringBuilder sb = new StringBuilder();
        sb.append(MAGIC).append('\t').append(VERSION).append('\n');
        sb.append("created\t").append(createdMillis).append('\n');
        sb.append("hlc\t").append(hlc).append('\n');
        sb.append("max-entry-bytes\t").append(maxEntryBytes).append('\n');
        sb.append("roll-cycle\t").append(rollCycle).append('\n');
        for (Partition p : partitions) {
            sb.append("partition\t").append(p.id).append('\t').append(p.name).append('\t').append(p.first)
                    .append('\t').append(p.head).append('\n');
        }
        sb.append("catalog\t").append(catalogSequence).append('\n');
        for (ShardEntry s : shards) {
            sb.append("shard\t").append(s.directory).append('\t').append(s.checkpoint).append('\t');
            StringBuilder a = new StringBuilder();
            for (Map.Entry<Integer, Long> e : new TreeMap<>(s.applied).entrySet()) {
                if (a.length() > 0) {
                    a.append(',');
                }
                a.append(e.getKey()).append('=').append(e.getValue());
            }
            sb.append(a.length() == 0 ? "-" : a).append('\n');
        }
        for (FileEntry f : files) {
            sb.append("file\t").append(f.path).append('\t').append(f.length).append('\t')
                    .append(String.format("%08x", f.crc)).append('\n');
        }
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body);
        byte[] end = String.format("end\t%08x\n", (int) crc.getValue()).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[body.length + end.length];
        System.arraycopy(body, 0, out, 0, body.length);
        System.arraycopy(end, 0, out, body.length, end.length);
        return out;
    }

    /**
     * @param bytes    manifest bytes
     * @param location file name for messages
     * @return the manifest
     * @throws CorruptedDataException if the CRC or a line is wrong
     */
    static SnapshotManifest decode(byte[] bytes, String location) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int endAt = text.lastIndexOf("end\t");
        if (endAt < 0 || !text.endsWith("\n")) {
            throw new CorruptedDataException(location, bytes.length, "no end line: the manifest is truncated");
        }
        byte[] body = text.substring(0, endAt).getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(body);
        String stored = text.substring(endAt + 4, text.length() - 1).trim();
        if (!String.format("%08x", (int) crc.getValue()).equals(stored)) {
            throw new CorruptedDataException(location, endAt, "CRC32C mismatch: stored " + stored + ", computed "
                    + String.format("%08x", (int) crc.getValue()));
        }
        long created = 0;
        long hlc = 0;
        long catalog = 0;
        int maxEntry = 0;
        String rollCycle = "HOURLY";
        List<Partition> partitions = new ArrayList<>();
        List<ShardEntry> shards = new ArrayList<>();
        List<FileEntry> files = new ArrayList<>();
        String[] lines = text.substring(0, endAt).split("\n");
        long offset = 0;
        for (int i = 0; i < lines.length; i++) {
            String[] f = lines[i].split("\t", -1);
            try {
                if (i == 0) {
                    if (!f[0].equals(MAGIC) || Integer.parseInt(f[1]) != VERSION) {
                        throw new CorruptedDataException(location, 0, "not a version " + VERSION + " snapshot manifest: "
                                + lines[0]);
                    }
                    continue;
                }
                switch (f[0]) {
                    case "created" -> created = Long.parseLong(f[1]);
                    case "hlc" -> hlc = Long.parseLong(f[1]);
                    case "catalog" -> catalog = Long.parseLong(f[1]);
                    case "max-entry-bytes" -> maxEntry = Integer.parseInt(f[1]);
                    case "roll-cycle" -> rollCycle = f[1];
                    case "partition" -> partitions.add(new Partition(Integer.parseInt(f[1]), f[2],
                            Long.parseLong(f[3]), Long.parseLong(f[4])));
                    case "shard" -> {
                        Map<Integer, Long> applied = new LinkedHashMap<>();
                        if (!f[3].equals("-")) {
                            for (String kv : f[3].split(",")) {
                                String[] p = kv.split("=");
                                applied.put(Integer.parseInt(p[0]), Long.parseLong(p[1]));
                            }
                        }
                        shards.add(new ShardEntry(f[1], Long.parseLong(f[2]), applied));
                    }
                    case "file" -> files.add(new FileEntry(f[1], Long.parseLong(f[2]),
                            Integer.parseUnsignedInt(f[3], 16)));
                    default -> throw new CorruptedDataException(location, offset, "unknown line " + lines[i]);
                }
            } catch (RuntimeException e) {
                if (e instanceof CorruptedDataException c) {
                    throw c;
                }
                throw new CorruptedDataException(location, offset, "bad line " + (i + 1) + ": " + lines[i], e);
            }
            offset += lines[i].getBytes(StandardCharsets.UTF_8).length + 1;
        }
        return new SnapshotManifest(created, hlc, maxEntry, rollCycle, partitions, catalog, shards, files);
    }
}
