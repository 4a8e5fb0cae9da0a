package io.vecraft.storage.index;

import io.vecraft.storage.vector.VectorScorer;

/**
 * Bounded max-heap of (ordinal, score) keeping the {@code k} lowest scores, in primitive arrays.
 * Ties are broken by the lower ordinal so results are deterministic. Not thread-safe: one per
 * search.
 */
public final class TopK {

    private final int k;
    private final int[] ords;
    private final float[] scores;
    private int size;

    /** @param k capacity, at least 1 */
    public TopK(int k) {
        this.k = k;
        this.ords = new int[k];
        this.scores = new float[k];
    }

    /** @return number of entries */
    public int size() {
        return size;
    }

    /** @return true if {@code k} entries are held */
    public boolean full() {
        return size == k;
    }

    /** @return the worst (highest) score held; only meaningful when {@link #full()} */
    public float worst() {
        return scores[0];
    }

    private static boolean worse(float sa, int oa, float sb, int ob) {
        return sa > sb || (sa == sb && oa > ob);
    }

    /**
     * Offers an entry.
     *
     * @param ordinal the ordinal
     * @param score   its score (lower is better)
     */
    public void offer(int ordinal, float score) {
        if (size < k) {
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (!worse(score, ordinal, scores[p], ords[p])) {
                    break;
                }
                ords[i] = ords[p];
                scores[i] = scores[p];
                i = p;
            }
            ords[i] = ordinal;
            scores[i] = score;
        } else if (worse(scores[0], ords[0], score, ordinal)) {
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                if (l >= size) {
                    break;
                }
                int r = l + 1;
                int c = (r < size && worse(scores[r], ords[r], scores[l], ords[l])) ? r : l;
                if (!worse(scores[c], ords[c], score, ordinal)) {
                    break;
                }
                ords[i] = ords[c];
                scores[i] = scores[c];
                i = c;
            }
            ords[i] = ordinal;
            scores[i] = score;
        }
    }

    /**
     * Drains the heap into results sorted nearest first, converting scores to distances.
     *
     * @param scorer converts scores to distances
     * @return the results
     */
    public SearchResults toResults(VectorScorer scorer) {
        int n = size;
        int[] o = new int[n];
        float[] d = new float[n];
        for (int i = n - 1; i >= 0; i--) {
            o[i] = ords[0];
            d[i] = scorer.distance(scores[0]);
            // pop the root
            int lastO = ords[--size];
            float lastS = scores[size];
            int j = 0;
            while (true) {
                int l = 2 * j + 1;
                if (l >= size) {
                    break;
                }
                int r = l + 1;
                int c = (r < size && worse(scores[r], ords[r], scores[l], ords[l])) ? r : l;
                if (!worse(scores[c], ords[c], lastS, lastO)) {
                    break;
                }
                ords[j] = ords[c];
                scores[j] = scores[c];
                j = c;
            }
            if (size > 0) {
                ords[j] = lastO;
                scores[j] = lastS;
            }
        }
        return new SearchResults(o, d, n);
    }
}
