package dev.curvature.hessian.ui.module;

import org.junit.jupiter.api.Test;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The routes' JSON writer: script-safe strings, exact doubles, null for non-finite numbers. */
class JsonTest {
    @Test
    void stringsAreScriptSafeAndReadBackUnchanged() {
        String nasty = "</script><img src=x onerror=alert(1)>&amp; \u2028\u2029 \"q\" \\ \n\t\u0001 ä β";
        String json = Json.write(Json.object().put("s", nasty));
        // written out by hand: JSON's own escapes plus the five script-unsafe characters as \\u escapes
        assertEquals("{\"s\":\"\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e\\u0026amp; \\u2028\\u2029"
                + " \\\"q\\\" \\\\ \\n\\t\\u0001 ä β\"}", json);
        for (String raw : new String[] {"<", ">", "&", "\u2028", "\u2029"}) {
            assertFalse(json.contains(raw), raw);
        }
        assertEquals(nasty, read(json).get("s").asText());
    }

    @Test
    void numbersAreShortestExactDecimalsAndNonFiniteIsNull() {
        var o = Json.object();
        Json.number(o, "a", 0.1 + 0.2);
        Json.number(o, "b", Double.NaN);
        Json.number(o, "c", Double.NEGATIVE_INFINITY);
        Json.number(o, "d", -0.0);
        Json.number(o, "e", Double.MIN_VALUE);
        Json.number(Json.array(), Double.NaN);
        o.put("n", 12345678901L);
        String json = Json.write(o);
        assertEquals("{\"a\":0.30000000000000004,\"b\":null,\"c\":null,\"d\":-0.0,\"e\":4.9E-324,\"n\":12345678901}",
                json);
        assertEquals(0.1 + 0.2, read(json).get("a").asDouble(), 0.0);
        assertEquals("[1.5,null]", Json.write(Json.number(Json.number(Json.array(), 1.5), Double.POSITIVE_INFINITY)));
    }

    @Test
    void errorIsAnObjectWithTheMessage() {
        assertEquals("{\"error\":\"unknown session '\\u003cb\\u003e'\"}", Json.error("unknown session '<b>'"));
    }

    private static JsonNode read(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
