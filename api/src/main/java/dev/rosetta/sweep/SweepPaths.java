package dev.rosetta.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.spec.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON paths a sweep sets values at, in the form the spec's messages use: {@code $}, then
 * {@code .field} and {@code [index]} steps ({@code $.layers[0].units}). A path is applied to the
 * spec's canonical form, where every field is written out, so it must name a field or element
 * that exists there.
 */
final class SweepPaths {
  private SweepPaths() {}

  private static final Pattern STEP = Pattern.compile("\\.([A-Za-z_][A-Za-z0-9_]*)|\\[(\\d+)]");

  static final Rule<String> RULE = Rule.of(p -> steps(p) != null, "must be a JSON path such as $.layers[0].units");

  /** The steps of {@code path}: field names and array indexes (as Integer), or null when malformed. */
  static List<Object> steps(String path) {
    if (!path.startsWith("$") || path.length() < 2) {
      return null;
    }
    List<Object> out = new ArrayList<>();
    Matcher m = STEP.matcher(path);
    int at = 1;
    while (at < path.length()) {
      if (!m.find(at) || m.start() != at) {
        return null;
      }
      out.add(m.group(1) != null ? m.group(1) : (Object) Integer.valueOf(m.group(2)));
      at = m.end();
    }
    return out;
  }

  /**
   * Puts {@code value} at {@code path} in {@code root}.
   *
   * @return why it cannot, or null when done
   */
  static String set(JsonNode root, String path, JsonNode value) {
    List<Object> steps = steps(path);
    JsonNode at = root;
    StringBuilder where = new StringBuilder("$");
    for (int i = 0; i < steps.size(); i++) {
      Object s = steps.get(i);
      boolean last = i == steps.size() - 1;
      if (s instanceof Integer k) {
        if (!(at instanceof ArrayNode a) || k >= a.size()) {
          return where + (at.isArray() ? " has " + at.size() + " elements, no [" + k + "]" : " is not an array");
        }
        if (last) {
          a.set(k, value);
          return null;
        }
        at = a.get(k);
        where.append('[').append(k).append(']');
      } else {
        String f = (String) s;
        if (!(at instanceof ObjectNode o) || !o.has(f)) {
          List<String> fields = new ArrayList<>();
          at.fieldNames().forEachRemaining(fields::add);
          return where + (at.isObject() ? " has no field \"" + f + "\" (it has: " + String.join(", ", fields) + ")" : " is not an object");
        }
        if (last) {
          o.set(f, value);
          return null;
        }
        at = o.get(f);
        where.append('.').append(f);
      }
    }
    return null;
  }
}
