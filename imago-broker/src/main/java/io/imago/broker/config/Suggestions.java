package io.imago.broker.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the valid name closest to a misspelt one, by Levenshtein edit distance, for "did you mean"
 * hints. A candidate is offered only when it is reasonably close (at most a third of the longer name's
 * length plus one edit, and never more than 4), so a hint never points at an unrelated key. Ties go to
 * the candidate listed first. Stateless and thread-safe.
 */
final class Suggestions {
    private static final int MAX_DISTANCE = 4;

    private Suggestions() {}

    static Optional<String> closest(String wrong, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = levenshtein(wrong.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        int limit = Math.min(MAX_DISTANCE, Math.max(wrong.length(), best.length()) / 3 + 1);
        return bestDistance <= limit ? Optional.of(best) : Optional.empty();
    }

    /** The classic two-row dynamic programme: insertions, deletions and substitutions cost 1. */
    static int levenshtein(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
