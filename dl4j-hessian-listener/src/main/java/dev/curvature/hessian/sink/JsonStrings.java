package dev.curvature.hessian.sink;

import java.util.Locale;

/** JSON string literals, shared by the JSON-lines sink and the UI module's JSON routes. */
public final class JsonStrings {
    private JsonStrings() {
    }

    /**
     * Appends {@code s} as a quoted JSON string: quotes, backslashes and control characters escaped. With
     * {@code scriptSafe}, also {@code < > &} and U+2028/U+2029 as {@code \\uXXXX}, so the text can be embedded in HTML
     * or a script without ending it.
     */
    public static StringBuilder quote(StringBuilder sb, String s, boolean scriptSafe) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || scriptSafe && (c == '<' || c == '>' || c == '&' || c == '\u2028'
                            || c == '\u2029')) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
