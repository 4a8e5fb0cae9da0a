package io.vecraft.cluster.spi.wire;

import io.vecraft.api.InvalidArgumentException;
import io.vecraft.api.VecraftClosedException;
import io.vecraft.cluster.spi.EntryMessage;
import io.vecraft.cluster.spi.JournalService;
import io.vecraft.cluster.spi.transport.MessageHandler;
import io.vecraft.cluster.spi.transport.StreamSink;
import java.nio.BufferUnderflowException;
import java.time.Duration;
import java.util.List;

/**
 * Serves a {@link JournalService} on a transport address: decodes {@link WireFormat} requests,
 * calls the service, encodes the answer (or the error). Streams of committed entries are served
 * by polling the service with {@link JournalService#read} and sending through the back-pressured
 * sink.
 *
 * <p>Thread-safe if the service is.
 */
public final class JournalServiceServer implements MessageHandler {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final JournalService service;

    /** @param service the local service to expose */
    public JournalServiceServer(JournalService service) {
        this.service = service;
    }

    @Override
    public byte[] handle(byte[] request) {
        try {
            WireFormat.Envelope e = WireFormat.open(request);
            WireReader r = e.reader();
            WireWriter out = WireFormat.ok();
            switch (e.kind()) {
                case WireFormat.J_PARTITIONS -> {
                    List<String> names = service.partitions();
                    out.putInt(names.size());
                    for (String n : names) {
                        out.putShortString(n);
                    }
                }
                case WireFormat.J_APPEND -> WireFormat.putAppendAck(out, service.append(r.getShortString(),
                        r.getUnsignedByte(), r.getShortString(), r.getLong(), r.getBytes()));
                case WireFormat.J_READ -> WireFormat.putReadBatch(out, service.read(r.getShortString(), r.getLong(),
                        r.getInt(), Duration.ofMillis(Math.max(0, r.getLong()))));
                case WireFormat.J_WATERMARK -> WireFormat.putWatermark(out, service.watermark(r.getShortString()));
                case WireFormat.J_FIRST -> out.putLong(service.firstSequence(r.getShortString()));
                default -> throw new InvalidArgumentException("wire.kind", "journal service does not serve kind " + e.kind());
            }
            return out.toByteArray();
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return WireFormat.error(WireFormat.malformed("journal request", e));
        } catch (RuntimeException e) {
            return WireFormat.error(e);
        }
    }

    @Override
    public void stream(byte[] request, StreamSink sink) {
        WireFormat.Envelope e = WireFormat.open(request);
        if (e.kind() != WireFormat.J_STREAM) {
            throw new InvalidArgumentException("wire.kind", "journal service streams only kind " + WireFormat.J_STREAM);
        }
        String partition = e.reader().getShortString();
        long next = e.reader().getLong();
        while (!sink.isClosed()) {
            List<EntryMessage> batch;
            try {
                batch = service.read(partition, next, 256, POLL).entries();
            } catch (VecraftClosedException closed) {
                return;
            }
            for (EntryMessage m : batch) {
                WireWriter w = WireFormat.ok();
                WireFormat.putEntry(w, m);
                if (!sink.send(w.toByteArray(), SEND_TIMEOUT)) {
                    return;
                }
                next = m.sequence() + 1;
            }
        }
    }
}
