/**
 * One shard's durable data and indexes: the {@link io.vecraft.storage.Shard} seam core codes
 * against, its configuration ({@link io.vecraft.storage.ShardConfig}) and its MVCC
 * implementation ({@link io.vecraft.storage.MvccShard}). On-disk formats: {@code FORMAT.md}
 * beside this module's {@code pom.xml}.
 */
package io.vecraft.storage;
