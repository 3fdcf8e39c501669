package dev.curvature.examples.lm;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokenisation and vocabulary on a text written here: exact counts, {@code <unk>} mapping, tie-breaking. */
class LmTokensTest {
    private static final String TEXT = "The cat sat.\nThe dog sat, the CAT ran!";

    @Test
    void wordsAreLowerCasedAndEveryPunctuationMarkIsAToken() {
        Tokens t = Tokens.of(TEXT);
        assertEquals(12, t.size());
        assertEquals(8, t.distinctCount());
        String[] distinct = new String[t.distinctCount()];
        for (int i = 0; i < distinct.length; i++) {
            distinct[i] = t.distinct(i);
        }
        assertArrayEquals(new String[] {"the", "cat", "sat", ".", "dog", ",", "ran", "!"}, distinct);
        assertArrayEquals(new long[] {3, 2, 2, 1, 1, 1, 1, 1},
                Arrays.stream(new int[] {0, 1, 2, 3, 4, 5, 6, 7}).mapToLong(t::count).toArray());
        Tokens apostrophe = Tokens.of("Don't  42x\t(Übel)");
        assertEquals(7, apostrophe.size());
        assertEquals("don", apostrophe.distinct(0));
        assertEquals("'", apostrophe.distinct(1));
        assertEquals("42x", apostrophe.distinct(3));
        assertEquals("(", apostrophe.distinct(4));
        assertEquals("übel", apostrophe.distinct(5));
    }

    @Test
    void vocabularyKeepsTheMostFrequentTokensAndBreaksTiesByFirstOccurrence() {
        Tokens t = Tokens.of(TEXT);
        Vocabulary v = Vocabulary.build(t, 4);
        // "cat" and "sat" both occur twice: "cat" occurs first, so it gets the smaller id
        assertEquals(Vocabulary.UNK, v.word(0));
        assertEquals("the", v.word(1));
        assertEquals("cat", v.word(2));
        assertEquals("sat", v.word(3));
        assertEquals(0, v.id("dog"));
        // the cat sat . the dog sat , the cat ran !
        assertArrayEquals(new int[] {1, 2, 3, 0, 1, 0, 3, 0, 1, 2, 0, 0}, v.encode());
        assertEquals(7.0 / 12, v.coverage(), 1e-12);
        // among the five tokens seen once, "." is first
        Vocabulary five = Vocabulary.build(t, 5);
        assertEquals(".", five.word(4));
        assertEquals(8.0 / 12, five.coverage(), 1e-12);
        // C = 8: seven tokens and <unk>; "!", the last token seen once, is the one left out
        Vocabulary eight = Vocabulary.build(t, 8);
        assertEquals("ran", eight.word(7));
        assertEquals(0, eight.id("!"));
    }

    @Test
    void moreClassesThanDistinctTokensIsRefused() {
        Tokens t = Tokens.of(TEXT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Vocabulary.build(t, 9));
        assertTrue(e.getMessage().contains("distinct tokens"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.build(t, 1));
    }
}
