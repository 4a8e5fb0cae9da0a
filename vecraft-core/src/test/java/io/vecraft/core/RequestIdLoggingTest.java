package io.vecraft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vecraft.api.Collection;
import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Durability;
import io.vecraft.api.Receipt;
import io.vecraft.api.Vecraft;
import io.vecraft.api.WriteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Request tracing: log lines written on behalf of a write carry its request id in the SLF4J MDC key
 * {@code vecraft.requestId}, on the caller's thread (write path) and on the applier thread that applies
 * the entry; the caller's own MDC value is restored afterwards, and the applier does not leak the id into
 * later lines. Captured with a logback {@link ListAppender} (the core module's test logging backend).
 */
class RequestIdLoggingTest {
    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Logger logger;
    private Level previousLevel;

    @BeforeEach
    void capture() {
        logger = (Logger) LoggerFactory.getLogger("io.vecraft.core");
        previousLevel = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
        logger.setLevel(previousLevel);
        MDC.clear();
    }

    private List<ILoggingEvent> events() {
        synchronized (appender) {
            return new ArrayList<>(appender.list);
        }
    }

    @Test
    void writeAndApplyLogLinesCarryTheRequestIdAndTheCallersValueIsRestored() {
        try (Vecraft db = Vecraft.builder(dir).withDurability(Durability.ASYNC).withMaxEntryBytes(1 << 20).open()) {
            Collection c = db.createCollection(CollectionSpec.of("c", KillWorkload.DIMENSION).withShards(1));
            MDC.put(RequestContext.MDC_KEY, "outer-request");
            Receipt r = c.upsert(KillWorkload.record("a", 0, "r1"), WriteOptions.defaults().withRequestId("req-42"));
            assertEquals("req-42", r.requestId());
            assertEquals("outer-request", MDC.get(RequestContext.MDC_KEY), "the caller's MDC value is restored");
            MDC.remove(RequestContext.MDC_KEY);

            Receipt generated = c.upsert(KillWorkload.record("a", 0, "r2"));
            assertNull(MDC.get(RequestContext.MDC_KEY), "nothing left behind when the caller had no value");
            db.checkpoint();

            List<ILoggingEvent> all = events();
            ILoggingEvent write = find(all, e -> e.getLoggerName().endsWith("AbstractVecraft")
                    && e.getFormattedMessage().contains("req-42"));
            assertEquals("req-42", write.getMDCPropertyMap().get(RequestContext.MDC_KEY), write.toString());
            ILoggingEvent applied = find(all, e -> e.getThreadName().startsWith("vecraft-applier-")
                    && e.getFormattedMessage().contains("sequence " + r.sequence())
                    && e.getFormattedMessage().contains("applied"));
            assertEquals("req-42", applied.getMDCPropertyMap().get(RequestContext.MDC_KEY), applied.toString());
            ILoggingEvent appliedGenerated = find(all, e -> e.getThreadName().startsWith("vecraft-applier-")
                    && e.getFormattedMessage().contains("sequence " + generated.sequence())
                    && e.getFormattedMessage().contains("applied"));
            assertEquals(generated.requestId(), appliedGenerated.getMDCPropertyMap().get(RequestContext.MDC_KEY),
                    "a generated request id is traced too");
            ILoggingEvent checkpoint = find(all, e -> e.getThreadName().startsWith("vecraft-applier-")
                    && e.getFormattedMessage().startsWith("checkpoint of shard"));
            assertNull(checkpoint.getMDCPropertyMap().get(RequestContext.MDC_KEY),
                    "the applier clears the id after the entry: " + checkpoint);
        }
    }

    private static ILoggingEvent find(List<ILoggingEvent> events, java.util.function.Predicate<ILoggingEvent> p) {
        List<ILoggingEvent> hits = events.stream().filter(p).toList();
        assertTrue(!hits.isEmpty(), "no matching log line among " + events.size() + " captured: "
                + events.stream().map(ILoggingEvent::getFormattedMessage).toList());
        return hits.get(0);
    }
}
