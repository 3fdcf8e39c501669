package dev.curvature.examples.lm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;

/**
 * A tokenised corpus: the token stream as ids of its distinct tokens, numbered in order of first occurrence, with the
 * count of each distinct token.
 *
 * <p>Tokens: a maximal run of letters or digits ({@link Character#isLetterOrDigit}) lower-cased with
 * {@link Locale#ROOT} is a word; every other non-whitespace character is a token of its own (punctuation, brackets,
 * markup characters). So {@code "Don't!"} gives {@code don ' t !}.
 */
public final class Tokens {
    private final List<String> distinct;
    private final int[] stream;
    private final long[] counts;

    private Tokens(List<String> distinct, int[] stream, long[] counts) {
        this.distinct = distinct;
        this.stream = stream;
        this.counts = counts;
    }

    /** Tokenises {@code text}. */
    public static Tokens of(String text) {
        try {
            return read(new java.io.StringReader(text), Long.MAX_VALUE, p -> { });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a UTF-8 file, gunzipping it when its name ends in {@code .gz} or {@code .dz} (dictzip is gzip-compatible).
     * Stops after {@code maxChars} characters. {@code progress} is called with the characters read so far about every
     * 4 M characters.
     */
    public static Tokens read(Path file, long maxChars, LongConsumer progress) throws IOException {
        InputStream in = Files.newInputStream(file);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz") || name.endsWith(".dz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        try (Reader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            return read(r, maxChars, progress);
        }
    }

    static Tokens read(Reader reader, long maxChars, LongConsumer progress) throws IOException {
        Map<String, Integer> ids = new HashMap<>();
        List<String> distinct = new ArrayList<>();
        int[] stream = new int[1 << 16];
        int n = 0;
        long[] counts = new long[1 << 10];
        StringBuilder word = new StringBuilder();
        char[] buf = new char[1 << 16];
        long chars = 0;
        long nextReport = 1L << 22;
        int read;
        while (true) {
            read = chars >= maxChars ? -1 : reader.read(buf, 0, (int) Math.min(buf.length, maxChars - chars));
            // one extra pass with a space at the end of input closes the last word
            int len = read < 0 ? 1 : read;
            if (read < 0) {
                buf[0] = ' ';
            }
            for (int i = 0; i < len; i++) {
                char ch = buf[i];
                String token = null;
                String punctuation = null;
                if (Character.isLetterOrDigit(ch)) {
                    word.append(ch);
                    continue;
                }
                if (word.length() > 0) {
                    token = word.toString().toLowerCase(Locale.ROOT);
                    word.setLength(0);
                }
                if (!Character.isWhitespace(ch) && !Character.isSurrogate(ch)) {
                    punctuation = String.valueOf(ch);
                }
                for (String t : new String[] {token, punctuation}) {
                    if (t == null) {
                        continue;
                    }
                    Integer id = ids.get(t);
                    if (id == null) {
                        id = distinct.size();
                        ids.put(t, id);
                        distinct.add(t);
                        if (id >= counts.length) {
                            counts = Arrays.copyOf(counts, counts.length * 2);
                        }
                    }
                    counts[id]++;
                    if (n == stream.length) {
                        stream = Arrays.copyOf(stream, stream.length * 2);
                    }
                    stream[n++] = id;
                }
            }
            if (read < 0) {
                break;
            }
            chars += read;
            if (chars >= nextReport) {
                progress.accept(chars);
                nextReport += 1L << 22;
            }
        }
        return new Tokens(List.copyOf(distinct), Arrays.copyOf(stream, n), Arrays.copyOf(counts, distinct.size()));
    }

    /** Number of tokens in the stream. */
    public int size() {
        return stream.length;
    }

    /** Number of distinct tokens. */
    public int distinctCount() {
        return distinct.size();
    }

    /** The distinct token with id {@code id} (ids in order of first occurrence). */
    public String distinct(int id) {
        return distinct.get(id);
    }

    /** Occurrences of distinct token {@code id}. */
    public long count(int id) {
        return counts[id];
    }

    /** The stream of distinct-token ids; not copied, do not modify. */
    int[] stream() {
        return stream;
    }
}
