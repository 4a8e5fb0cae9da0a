package io.vecraft.storage.internal;

import io.vecraft.api.Filter;
import org.roaringbitmap.RoaringBitmap;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A metadata/document filter compiled against the inverted index for one search.
 *
 * <p>Every index-answerable node (eq, in, range, and/or/not of those) becomes an exact bitmap of
 * matching ordinals. A node containing a document test ({@code documentContains}) cannot be
 * answered from the index: it keeps, where possible, a superset bitmap (an {@code and} with an
 * indexed operand narrows to that operand) and is evaluated per candidate by reading the
 * document from the payload log. {@link #estimate()} is the size of the root's bitmap (exact or
 * superset), or the ordinal high-water mark when there is none; the shard compares it with the
 * exact-search threshold.
 *
 * <p>Semantics follow {@link Filter}: a list value matches if any element matches; a missing
 * field never matches a comparison; {@code not} matches what its operand does not (including
 * records without the field); a missing document contains nothing.
 *
 * <p>Not thread-safe: one plan per search, used by the searching thread.
 */
public final class FilterPlan {

    private final Node root;
    private final int highWater;

    private FilterPlan(Node root, int highWater) {
        this.root = root;
        this.highWater = highWater;
    }

    /**
     * @param filter    the filter
     * @param index     the inverted index
     * @param highWater ordinals range over {@code [0, highWater)}
     * @param documents reads the document of an ordinal (null when it has none)
     * @return the plan
     */
    public static FilterPlan compile(Filter filter, InvertedIndex index, int highWater, IntFunction<String> documents) {
        DocCache cache = new DocCache(documents);
        return new FilterPlan(compile(filter, index, highWater, cache), highWater);
    }

    /** @return matches counted from the index (exact or an upper bound), or the high-water mark */
    public long estimate() {
        return root.bitmap == null ? highWater : root.bitmap.getCardinality();
    }

    /** @return the root bitmap (exact matches or a superset), or null when every ordinal is a candidate */
    public RoaringBitmap candidates() {
        return root.bitmap;
    }

    /** @return true if {@link #candidates()} is exactly the matching set */
    public boolean exact() {
        return root.exact;
    }

    /**
     * @param ordinal a version
     * @return whether its metadata/document match
     */
    public boolean matches(int ordinal) {
        return root.matches(ordinal);
    }

    private static final class DocCache {
        final IntFunction<String> documents;
        int ordinal = -1;
        String doc;

        DocCache(IntFunction<String> documents) {
            this.documents = documents;
        }

        String get(int o) {
            if (o != ordinal) {
                doc = documents.apply(o);
                ordinal = o;
            }
            return doc;
        }
    }

    private abstract static class Node {
        RoaringBitmap bitmap; // exact when exact, else superset or null
        boolean exact;

        boolean matches(int o) {
            return bitmap.contains(o);
        }
    }

    private static final class Leaf extends Node {
        Leaf(RoaringBitmap b) {
            bitmap = b;
            exact = true;
        }
    }

    private static final class Doc extends Node {
        final String text;
        final DocCache cache;

        Doc(String text, DocCache cache) {
            this.text = text;
            this.cache = cache;
        }

        @Override
        boolean matches(int o) {
            String d = cache.get(o);
            return d != null && d.contains(text);
        }
    }

    private static final class And extends Node {
        final List<Node> kids;

        And(List<Node> kids) {
            this.kids = kids;
        }

        @Override
        boolean matches(int o) {
            if (exact) {
                return bitmap.contains(o);
            }
            if (bitmap != null && !bitmap.contains(o)) {
                return false;
            }
            for (Node k : kids) {
                if (!k.matches(o)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final class Or extends Node {
        final List<Node> kids;

        Or(List<Node> kids) {
            this.kids = kids;
        }

        @Override
        boolean matches(int o) {
            if (exact) {
                return bitmap.contains(o);
            }
            if (bitmap != null && !bitmap.contains(o)) {
                return false;
            }
            for (Node k : kids) {
                if (k.matches(o)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final class Not extends Node {
        final Node kid;

        Not(Node kid) {
            this.kid = kid;
        }

        @Override
        boolean matches(int o) {
            return exact ? bitmap.contains(o) : !kid.matches(o);
        }
    }

    private static Node compile(Filter f, InvertedIndex index, int highWater, DocCache cache) {
        if (f instanceof Filter.Eq eq) {
            RoaringBitmap b = new RoaringBitmap();
            index.eq(eq.field(), eq.value(), b);
            return new Leaf(b);
        }
        if (f instanceof Filter.In in) {
            RoaringBitmap b = new RoaringBitmap();
            for (Object v : in.values()) {
                index.eq(in.field(), v, b);
            }
            return new Leaf(b);
        }
        if (f instanceof Filter.Range r) {
            RoaringBitmap b = new RoaringBitmap();
            index.range(r.field(), r.lower(), r.lowerInclusive(), r.upper(), r.upperInclusive(), b);
            return new Leaf(b);
        }
        if (f instanceof Filter.DocumentContains d) {
            return new Doc(d.text(), cache);
        }
        if (f instanceof Filter.Not n) {
            Node kid = compile(n.filter(), index, highWater, cache);
            Not node = new Not(kid);
            if (kid.exact) {
                node.bitmap = RoaringBitmap.flip(kid.bitmap, 0L, (long) highWater);
                node.exact = true;
            }
            return node;
        }
        if (f instanceof Filter.And a) {
            List<Node> kids = new ArrayList<>();
            for (Filter x : a.filters()) {
                kids.add(compile(x, index, highWater, cache));
            }
            And node = new And(kids);
            boolean allExact = true;
            RoaringBitmap acc = null;
            for (Node k : kids) {
                allExact &= k.exact;
                if (k.bitmap != null) {
                    acc = acc == null ? k.bitmap.clone() : RoaringBitmap.and(acc, k.bitmap);
                }
            }
            node.bitmap = acc;
            node.exact = allExact;
            return node;
        }
        if (f instanceof Filter.Or o) {
            List<Node> kids = new ArrayList<>();
            for (Filter x : o.filters()) {
                kids.add(compile(x, index, highWater, cache));
            }
            Or node = new Or(kids);
            boolean allExact = true;
            boolean allBounded = true;
            RoaringBitmap acc = new RoaringBitmap();
            for (Node k : kids) {
                allExact &= k.exact;
                if (k.bitmap == null) {
                    allBounded = false;
                } else {
                    acc.or(k.bitmap);
                }
            }
            node.bitmap = allBounded ? acc : null;
            node.exact = allExact;
            return node;
        }
        throw new IllegalArgumentException("unknown filter node " + f);
    }
}
