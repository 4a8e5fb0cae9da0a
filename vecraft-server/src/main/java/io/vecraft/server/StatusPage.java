package io.vecraft.server;

import io.vecraft.api.CollectionSpec;
import io.vecraft.api.Hlc;
import io.vecraft.api.Vecraft;
import io.vecraft.core.ShardStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The HTML status page ({@code GET /status}): collections with their record counts, the journal
 * lag of every shard (database clock minus the shard's safe time), the journal partitions and the
 * most recent requests with their request ids. Plain server-rendered HTML, no script.
 *
 * <p>Thread-safe: renders from the database and the operation log on each call.
 */
final class StatusPage {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final Vecraft db;
    private final OperationLog operations;
    private final Instant started = Instant.now();

    StatusPage(Vecraft db, OperationLog operations) {
        this.db = db;
        this.operations = operations;
    }

    String render() {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Vecraft status</title>")
                .append("<style>body{font-family:sans-serif;margin:2em;color:#222}h1{font-size:1.6em}")
                .append("table{border-collapse:collapse;margin-bottom:1.5em}th,td{border:1px solid #bbb;padding:4px 10px;")
                .append("text-align:left}th{background:#e8eef7}td.num{text-align:right}.ok{color:#1a7f37}")
                .append(".lag{color:#b35900}</style></head><body>");
        h.append("<h1>Vecraft status</h1>");
        h.append("<p id=\"summary\">Up since ").append(esc(started.toString())).append(" (")
                .append(Duration.between(started, Instant.now()).toSeconds()).append(" s); database clock ")
                .append(esc(Hlc.format(db.now()))).append("; mode ")
                .append(esc(db.config().cluster().map(c -> "cluster (" + c.provider() + ")").orElse("embedded")))
                .append("; durability ").append(esc(db.config().durability().toString())).append("</p>");

        List<CollectionSpec> specs = db.listCollections();
        h.append("<h2>Collections (").append(specs.size()).append(")</h2><table id=\"collections\"><tr><th>name</th>")
                .append("<th>dimension</th><th>metric</th><th>index</th><th>shards</th><th>records</th></tr>");
        for (CollectionSpec s : specs) {
            String count;
            try {
                count = Long.toString(db.collection(s.name()).count());
            } catch (RuntimeException e) {
                count = "? (" + e.getClass().getSimpleName() + ")";
            }
            h.append("<tr><td>").append(esc(s.name())).append("</td><td class=\"num\">").append(s.dimension())
                    .append("</td><td>").append(s.metric()).append("</td><td>")
                    .append(esc(s.index().getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT)))
                    .append("</td><td class=\"num\">").append(s.shards()).append("</td><td class=\"num\">")
                    .append(esc(count)).append("</td></tr>");
        }
        h.append("</table>");

        h.append("<h2>Journal lag per shard</h2><table id=\"shards\"><tr><th>shard</th><th>safe time</th>")
                .append("<th>lag (ms)</th></tr>");
        for (ShardStatus s : ShardStatus.of(db)) {
            h.append("<tr><td>").append(esc(s.shard())).append("</td><td>").append(esc(Hlc.format(s.safeTimeHlc())))
                    .append("</td><td class=\"num ").append(s.lagMillis() > 1000 ? "lag" : "ok").append("\">")
                    .append(s.lagMillis()).append("</td></tr>");
        }
        h.append("</table>");

        h.append("<h2>Journal partitions</h2><p id=\"partitions\">")
                .append(esc(String.join(", ", db.journal().partitions()))).append("</p>");

        h.append("<h2>Recent operations</h2><table id=\"operations\"><tr><th>time (UTC)</th><th>protocol</th>")
                .append("<th>operation</th><th>status</th><th>request id</th><th>key</th><th>us</th></tr>");
        for (OperationLog.Entry e : operations.recent()) {
            h.append("<tr><td>").append(TIME.format(e.time())).append("</td><td>").append(esc(e.protocol()))
                    .append("</td><td>").append(esc(e.operation())).append("</td><td>").append(esc(e.status()))
                    .append("</td><td><code>").append(esc(e.requestId())).append("</code></td><td>")
                    .append(esc(e.caller())).append("</td><td class=\"num\">").append(e.micros()).append("</td></tr>");
        }
        h.append("</table></body></html>");
        return h.toString();
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
