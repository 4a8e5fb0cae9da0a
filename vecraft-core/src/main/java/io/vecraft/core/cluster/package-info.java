/**
 * The {@code in-jvm} cluster provider: several journal nodes, storage nodes, a metadata store and
 * a coordinator in one process, over an in-memory transport that still encodes every message
 * with the SPI's wire format; with fault injection (kill, restart, isolate, delay, drop) for
 * tests. It reuses the journal, storage and applier code of the embedded database.
 */
package io.vecraft.core.cluster;
