package io.vecraft.storage.testing;

import io.vecraft.api.Filter;
import io.vecraft.api.Metric;
import io.vecraft.storage.internal.InvertedIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An in-memory reference model of a shard's MVCC semantics and filter semantics, for property tests. */
public final class ModelShard {

    /** One version in the model. */
    public static final class Version {
        public final String id;
        public final long created;
        public long deleted = Long.MAX_VALUE;
        public final float[] vector;
        public final Map<String, Object> metadata;
        public final String document;

        Version(String id, long created, float[] vector, Map<String, Object> metadata, String document) {
            this.id = id;
            this.created = created;
            this.vector = vector;
            this.metadata = metadata;
            this.document = document;
        }

        public boolean visible(long t) {
            return created <= t && t < deleted;
        }
    }

    public final Map<String, List<Version>> versions = new HashMap<>();
    private final Metric metric;

    public ModelShard(Metric metric) {
        this.metric = metric;
    }

    public void upsert(String id, float[] v, Map<String, Object> md, String doc, long hlc) {
        List<Version> list = versions.computeIfAbsent(id, k -> new ArrayList<>());
        if (!list.isEmpty() && list.get(list.size() - 1).deleted == Long.MAX_VALUE) {
            list.get(list.size() - 1).deleted = hlc;
        }
        list.add(new Version(id, hlc, v.clone(), md, doc));
    }

    public boolean delete(String id, long hlc) {
        List<Version> list = versions.get(id);
        if (list == null || list.isEmpty() || list.get(list.size() - 1).deleted != Long.MAX_VALUE) {
            return false;
        }
        list.get(list.size() - 1).deleted = hlc;
        return true;
    }

    public Version get(String id, long t) {
        for (Version v : versions.getOrDefault(id, List.of())) {
            if (v.visible(t)) {
                return v;
            }
        }
        return null;
    }

    public List<Version> visible(long t, Filter filter) {
        List<Version> out = new ArrayList<>();
        for (List<Version> list : versions.values()) {
            for (Version v : list) {
                if (v.visible(t) && (filter == null || matches(filter, v.metadata, v.document))) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** @return the reported distance between a query and a stored vector under the metric */
    public double distance(float[] q, float[] v) {
        switch (metric) {
            case L2: {
                double s = 0;
                for (int i = 0; i < q.length; i++) {
                    double d = q[i] - v[i];
                    s += d * d;
                }
                return Math.sqrt(s);
            }
            case COSINE: {
                double dot = 0;
                double nq = 0;
                double nv = 0;
                for (int i = 0; i < q.length; i++) {
                    dot += q[i] * v[i];
                    nq += q[i] * q[i];
                    nv += v[i] * v[i];
                }
                return 1 - dot / Math.sqrt(nq * nv);
            }
            default: {
                double dot = 0;
                for (int i = 0; i < q.length; i++) {
                    dot += q[i] * v[i];
                }
                return -dot;
            }
        }
    }

    /** Reference implementation of {@link Filter} semantics. */
    public static boolean matches(Filter f, Map<String, Object> md, String doc) {
        if (f instanceof Filter.Eq eq) {
            return anyValue(md.get(eq.field()), x -> same(x, eq.value()));
        }
        if (f instanceof Filter.In in) {
            return anyValue(md.get(in.field()), x -> in.values().stream().anyMatch(v -> same(x, v)));
        }
        if (f instanceof Filter.Range r) {
            return anyValue(md.get(r.field()), x -> x instanceof Number n && inRange(n, r));
        }
        if (f instanceof Filter.And a) {
            return a.filters().stream().allMatch(x -> matches(x, md, doc));
        }
        if (f instanceof Filter.Or o) {
            return o.filters().stream().anyMatch(x -> matches(x, md, doc));
        }
        if (f instanceof Filter.Not n) {
            return !matches(n.filter(), md, doc);
        }
        if (f instanceof Filter.DocumentContains d) {
            return doc != null && doc.contains(d.text());
        }
        throw new IllegalArgumentException(String.valueOf(f));
    }

    private static boolean anyValue(Object v, java.util.function.Predicate<Object> p) {
        if (v == null) {
            return false;
        }
        if (v instanceof List<?> l) {
            return l.stream().anyMatch(p);
        }
        return p.test(v);
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return InvertedIndex.compareNumbers(x, y) == 0;
        }
        return a.equals(b);
    }

    private static boolean inRange(Number n, Filter.Range r) {
        if (r.lower() != null) {
            int c = InvertedIndex.compareNumbers(n, r.lower());
            if (c < 0 || (c == 0 && !r.lowerInclusive())) {
                return false;
            }
        }
        if (r.upper() != null) {
            int c = InvertedIndex.compareNumbers(n, r.upper());
            return c < 0 || (c == 0 && r.upperInclusive());
        }
        return true;
    }
}
