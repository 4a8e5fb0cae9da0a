/**
 * Monitoring of an open database: the engine's always-on {@link io.vecraft.core.metrics.OperationStats},
 * the {@link io.vecraft.core.metrics.EngineView} every vecraft-core database implements, and the Micrometer
 * binder {@link io.vecraft.core.metrics.VecraftMetrics} (Micrometer is an optional dependency: only that
 * class needs it).
 */
package io.vecraft.core.metrics;
