/**
 * Internals of the journal: the entry codec ({@link io.vecraft.journal.internal.EntryFormat}),
 * the Chronicle-independent cycle file scanner used by recovery, and fsync helpers. Not API:
 * may change without notice.
 */
package io.vecraft.journal.internal;
