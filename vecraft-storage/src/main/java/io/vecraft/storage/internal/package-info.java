/**
 * Shard internals: payload log and its codec, version table, metadata inverted index and filter
 * planning, Chronicle Map id index, checkpoint files, mapped chunks and reader epochs. Not an API:
 * public only so that the shard and index packages can share it.
 */
package io.vecraft.storage.internal;
