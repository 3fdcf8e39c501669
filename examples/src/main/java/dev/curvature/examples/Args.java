package dev.curvature.examples;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Minimal {@code --name value} / {@code --flag} parsing that rejects unknown options. */
public final class Args {
    private final Map<String, String> values = new HashMap<>();

    public Args(String[] args, Set<String> options, Set<String> flags) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'; see --help");
            }
            String name = a.substring(2);
            if (flags.contains(name)) {
                values.put(name, "true");
            } else if (options.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown option --" + name + "; see --help");
            }
        }
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int getInt(String name, int fallback, int min) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        int x;
        try {
            x = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
        }
        if (x < min) {
            throw new IllegalArgumentException("--" + name + " must be >= " + min + ", got " + x);
        }
        return x;
    }

    public double getDouble(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
        }
    }
}
