/**
 * Vecraft's public API: {@link io.vecraft.api.Vecraft} (open a database), {@link io.vecraft.api.Collection}
 * (upsert, get, delete, search, history), {@link io.vecraft.api.SearchRequest} and
 * {@link io.vecraft.api.Filter}, {@link io.vecraft.api.Consistency} levels, transactions,
 * receipts, and the exception hierarchy rooted at {@link io.vecraft.api.VecraftException}.
 * Depends on the JDK alone.
 */
package io.vecraft.api;
