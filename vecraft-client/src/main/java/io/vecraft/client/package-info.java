/**
 * A remote Vecraft database over the server's HTTP/JSON API: {@link io.vecraft.client.VecraftClient}
 * implements {@link io.vecraft.api.Vecraft}, its collections {@link io.vecraft.api.Collection}.
 */
package io.vecraft.client;
