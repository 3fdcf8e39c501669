package dev.curvature.hessian.ui.module;

import dev.curvature.hessian.sink.JsonStrings;

/**
 * A minimal JSON writer for the tab's routes. Numbers are written with {@link Double#toString(double)}, the
 * shortest decimal that reads back to the same double (so the page shows exactly the stored values); NaN and
 * infinities become {@code null}. Strings escape quotes, backslashes, control characters and also {@code <},
 * {@code >}, {@code &} and the JavaScript line separators, so a layer named like markup stays inert even if a
 * response were ever embedded in HTML.
 */
final class Json {
    private final StringBuilder sb = new StringBuilder(256);
    private boolean needComma;

    Json beginObject() {
        comma();
        sb.append('{');
        needComma = false;
        return this;
    }

    Json endObject() {
        sb.append('}');
        needComma = true;
        return this;
    }

    Json beginArray() {
        comma();
        sb.append('[');
        needComma = false;
        return this;
    }

    Json endArray() {
        sb.append(']');
        needComma = true;
        return this;
    }

    /** Starts a member: the next value, object or array belongs to it. */
    Json name(String name) {
        comma();
        string(sb, name);
        sb.append(':');
        needComma = false;
        return this;
    }

    Json value(String s) {
        comma();
        if (s == null) {
            sb.append("null");
        } else {
            string(sb, s);
        }
        needComma = true;
        return this;
    }

    Json value(double v) {
        comma();
        sb.append(Double.isFinite(v) ? Double.toString(v) : "null");
        needComma = true;
        return this;
    }

    Json value(long v) {
        comma();
        sb.append(v);
        needComma = true;
        return this;
    }

    Json value(boolean v) {
        comma();
        sb.append(v);
        needComma = true;
        return this;
    }

    Json field(String name, String value) {
        return name(name).value(value);
    }

    Json field(String name, double value) {
        return name(name).value(value);
    }

    Json field(String name, long value) {
        return name(name).value(value);
    }

    Json field(String name, boolean value) {
        return name(name).value(value);
    }

    private void comma() {
        if (needComma) {
            sb.append(',');
        }
    }

    @Override
    public String toString() {
        return sb.toString();
    }

    /** {@code {"error": message}}. */
    static String error(String message) {
        return new Json().beginObject().field("error", message).endObject().toString();
    }

    static void string(StringBuilder sb, String s) {
        JsonStrings.quote(sb, s, true); // also escapes < > & U+2028 U+2029: the page embeds these strings
    }
}
