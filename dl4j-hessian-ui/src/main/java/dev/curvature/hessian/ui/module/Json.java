package dev.curvature.hessian.ui.module;

import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.core.SerializableString;
import org.nd4j.shade.jackson.core.io.CharacterEscapes;
import org.nd4j.shade.jackson.core.io.SerializedString;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.ObjectWriter;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * JSON of the tab's routes, written by DL4J's shaded Jackson. Numbers are Jackson's, i.e. {@link Double#toString},
 * the shortest decimal that reads back to the same double (so the page shows exactly the stored values); NaN and
 * infinities become {@code null} ({@link #number}). Strings are escaped by Jackson and, beyond JSON's rules, also
 * {@code <}, {@code >}, {@code &} and the JavaScript line separators U+2028 and U+2029 ({@link ScriptSafe}), so a
 * layer or label named like markup stays inert even if a response were ever embedded in HTML or a script.
 */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter WRITER = MAPPER.writer().with(new ScriptSafe());

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** Puts {@code v}, or {@code null} when it is NaN or infinite. */
    static ObjectNode number(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
        return o;
    }

    /** Adds {@code v}, or {@code null} when it is NaN or infinite. */
    static ArrayNode number(ArrayNode a, double v) {
        if (Double.isFinite(v)) {
            a.add(v);
        } else {
            a.addNull();
        }
        return a;
    }

    /** The script-safe text of {@code node}. */
    static String write(JsonNode node) {
        try {
            return WRITER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers cannot fail to serialize", e);
        }
    }

    /** {@code {"error": message}}. */
    static String error(String message) {
        return write(object().put("error", message));
    }

    /** Jackson's standard escapes plus {@code \u003c \u003e \u0026 \u2028 \u2029}. */
    static final class ScriptSafe extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii;

        ScriptSafe() {
            ascii = standardAsciiEscapesForJSON();
            ascii['<'] = ESCAPE_CUSTOM;
            ascii['>'] = ESCAPE_CUSTOM;
            ascii['&'] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return switch (ch) {
                case '<', '>', '&', 0x2028, 0x2029 -> new SerializedString(String.format("\\u%04x", ch));
                default -> null;
            };
        }
    }
}
