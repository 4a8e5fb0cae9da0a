/**
 * Service provider interfaces: {@link io.vecraft.api.spi.VecraftProvider}, the engine behind
 * {@link io.vecraft.api.Vecraft#open} and {@link io.vecraft.api.Vecraft#verify} (vecraft-core provides it), and
 * {@link io.vecraft.api.spi.ForceObserver}, the hook every force to disk goes through (power-loss simulation
 * and fault injection in tests). Applications implement neither.
 */
package io.vecraft.api.spi;
