/**
 * The payloads of the core's journal entries ("WAL deltas"): what a storage node replays.
 *
 * <p>The journal frames each payload with its own header and CRC32C (see vecraft-journal's
 * FORMAT.md); this package defines the bytes inside. All integers are little-endian. Strings are
 * UTF-8 with a length prefix: {@code str16} = u16 length + bytes, {@code str32} = i32 length + bytes.
 *
 * <h2>WRITE (type 1) and TRANSACTION (type 2)</h2>
 * <pre>
 * u8    payloadVersion   = 1
 * u16   groupCount
 * groupCount x group:
 *   i64   collectionUid  HLC of the collection's CREATE entry
 *   u16   shard          shard index within the collection
 *   i32   groupBytes     length of the rest of the group (lets other shards skip it)
 *   i32   opCount
 *   opCount x op:
 *     u8    kind         1 = upsert, 2 = delete
 *     str16 id
 *     upsert only:
 *       i32   dimension
 *       f32 x dimension  the vector as written by the client
 *       u16   metadataCount
 *       metadataCount x (str16 key, value)
 *         value = u8 tag + body: 1 string (str32), 2 long (i64), 3 double (f64), 4 boolean (u8),
 *                 5 list (u16 n + n tagged scalar values)
 *       u8    hasDocument (0/1); if 1: str32 document
 * </pre>
 * A WRITE entry holds one group and goes to the data partition of its (collection, shard); a
 * TRANSACTION entry holds any number of groups and goes to the transaction partition. Every
 * shard applies its group at the entry's HLC, so snapshot reads see all of an entry or none.
 *
 * <h2>CREATE_COLLECTION (type 3)</h2>
 * <pre>
 * u8    payloadVersion = 1
 * str16 name
 * i32   dimension
 * u8    metric         ordinal of io.vecraft.api.Metric: 0 L2, 1 COSINE, 2 DOT
 * u8    indexKind      1 = HNSW (then i32 m, i32 efConstruction, i32 ef), 2 = EXACT
 * u16   shards
 * u16   startCount
 * startCount x (u16 partitionId, i64 sequence)   head of each partition at creation
 * </pre>
 * The collection's uid is the HLC of this entry.
 *
 * <h2>DROP_COLLECTION (type 4)</h2>
 * <pre>
 * u8    payloadVersion = 1
 * i64   collectionUid
 * str16 name
 * </pre>
 */
package io.vecraft.cluster.spi.wal;
