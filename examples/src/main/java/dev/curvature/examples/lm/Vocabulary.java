package dev.curvature.examples.lm;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * A vocabulary of {@code C} classes: id 0 is {@value #UNK}, ids {@code 1..C-1} are the {@code C-1} most frequent
 * tokens by decreasing count. Ties are broken by first occurrence in the corpus (the earlier token gets the smaller
 * id), so the vocabulary is a deterministic function of the text.
 */
public final class Vocabulary {
    public static final String UNK = "<unk>";
    private final Tokens tokens;
    private final int classes;
    /** Class id of each distinct token. */
    private final int[] classOf;
    private final String[] words;

    private Vocabulary(Tokens tokens, int classes, int[] classOf, String[] words) {
        this.tokens = tokens;
        this.classes = classes;
        this.classOf = classOf;
        this.words = words;
    }

    /**
     * The vocabulary of {@code classes} classes of {@code tokens}.
     *
     * @throws IllegalArgumentException if {@code classes < 2} or it exceeds the number of distinct tokens
     */
    public static Vocabulary build(Tokens tokens, int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("the vocabulary needs at least 2 classes, got " + classes);
        }
        if (classes > tokens.distinctCount()) {
            throw new IllegalArgumentException("--classes " + classes + " is larger than the number of distinct tokens "
                    + "in the corpus (" + tokens.distinctCount() + "); use a smaller C or a larger --corpus");
        }
        // distinct ids are first-occurrence order, so a stable sort by count keeps ties in first-occurrence order
        Integer[] order = IntStream.range(0, tokens.distinctCount()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingLong((Integer i) -> -tokens.count(i)));
        int[] classOf = new int[tokens.distinctCount()];
        String[] words = new String[classes];
        words[0] = UNK;
        for (int rank = 0; rank < classes - 1; rank++) {
            classOf[order[rank]] = rank + 1;
            words[rank + 1] = tokens.distinct(order[rank]);
        }
        return new Vocabulary(tokens, classes, classOf, words);
    }

    public int classes() {
        return classes;
    }

    /** The token of class {@code id} ({@value #UNK} for 0). */
    public String word(int id) {
        return words[id];
    }

    /** The class id of a token ({@code 0} if it is not in the vocabulary). */
    public int id(String token) {
        for (int i = 1; i < words.length; i++) {
            if (words[i].equals(token)) {
                return i;
            }
        }
        return 0;
    }

    /** The corpus as class ids. */
    public int[] encode() {
        int[] stream = tokens.stream();
        int[] ids = new int[stream.length];
        for (int i = 0; i < stream.length; i++) {
            ids[i] = classOf[stream[i]];
        }
        return ids;
    }

    /** Fraction of the corpus's tokens that are in the vocabulary (not {@value #UNK}). */
    public double coverage() {
        long covered = 0;
        for (int d = 0; d < classOf.length; d++) {
            if (classOf[d] != 0) {
                covered += tokens.count(d);
            }
        }
        return (double) covered / tokens.size();
    }
}
