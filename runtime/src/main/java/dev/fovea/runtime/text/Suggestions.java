package dev.fovea.runtime.text;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean": the closest of some names by edit distance, when it is close enough to help. */
public final class Suggestions {
    private Suggestions() {}

    public static Optional<String> closest(String wrong, Collection<String> names) {
        String w = wrong.toLowerCase(Locale.ROOT);
        return names.stream()
                .min(Comparator.comparingInt((String n) -> distance(w, n.toLowerCase(Locale.ROOT))).thenComparing(n -> n))
                .filter(n -> distance(w, n.toLowerCase(Locale.ROOT)) <= Math.max(2, wrong.length() / 3));
    }

    /** Levenshtein distance. */
    public static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                row[j] = Math.min(Math.min(row[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] t = previous;
            previous = row;
            row = t;
        }
        return previous[b.length()];
    }
}
