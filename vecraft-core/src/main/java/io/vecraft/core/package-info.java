/**
 * The embedded Vecraft database: catalog, router, write path, shard appliers, query processor,
 * consistency and transactions. Applications use it through {@code io.vecraft.api.Vecraft.open};
 * the only public type here is the {@link io.vecraft.core.VecraftEngine} service provider.
 */
package io.vecraft.core;
