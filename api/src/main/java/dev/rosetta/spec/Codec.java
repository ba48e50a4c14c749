package dev.rosetta.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The JSON form of one field's value type. {@link #decode} returns null for a node of the wrong
 * type, and the reader reports {@code <field> must be <expected>, got <what was there>}.
 */
public interface Codec<V> {

  /** The value, or null when {@code node} (present and not JSON null) has the wrong form. */
  V decode(JsonNode node);

  JsonNode encode(V value);

  /** What a valid value looks like, after "must be": {@code an integer}. */
  String expected();

  /**
   * Where inside a wrongly formed {@code node} the problem is, as a path suffix ({@code [1]} for
   * the second element of an array), or null when the node as a whole is wrong.
   */
  default String badPart(JsonNode node) {
    return null;
  }

  /** What each element of an array value must be, for {@link #badPart} messages. */
  default String elementExpected() {
    return "an integer";
  }

  /** The value as messages quote it: {@code -5}, {@code [3, 3]}. */
  default String show(V value) {
    return String.valueOf(value);
  }

  JsonNodeFactory NODES = JsonNodeFactory.instance;

  Codec<Integer> INT =
      simple("an integer", n -> n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : null, NODES::numberNode);

  Codec<Long> LONG =
      simple("an integer", n -> n.isIntegralNumber() && n.canConvertToLong() ? n.longValue() : null, NODES::numberNode);

  Codec<Double> NUMBER = simple("a number", n -> n.isNumber() ? n.doubleValue() : null, NODES::numberNode);

  Codec<Boolean> BOOL = simple("true or false", n -> n.isBoolean() ? n.booleanValue() : null, NODES::booleanNode);

  Codec<String> STRING = simple("a string", n -> n.isTextual() ? n.asText() : null, NODES::textNode);

  /** An int meaning both axes, or a {@code [height, width]} pair; written as the pair. */
  Codec<Layer.Hw> HW =
      new Codec<>() {
        @Override
        public Layer.Hw decode(JsonNode n) {
          if (n.isIntegralNumber() && n.canConvertToInt()) {
            return Layer.Hw.of(n.intValue());
          }
          if (n.isArray() && n.size() == 2 && isInt(n.get(0)) && isInt(n.get(1))) {
            return new Layer.Hw(n.get(0).intValue(), n.get(1).intValue());
          }
          return null;
        }

        @Override
        public JsonNode encode(Layer.Hw v) {
          return NODES.arrayNode().add(v.h()).add(v.w());
        }

        @Override
        public String expected() {
          return "an integer or [height, width]";
        }
      };

  /** {@code "same"}, {@code "valid"} (no padding), an int or a {@code [h, w]} pair. */
  Codec<Layer.Padding> PADDING =
      new Codec<>() {
        @Override
        public Layer.Padding decode(JsonNode n) {
          if (n.isTextual()) {
            return switch (n.asText()) {
              case "same" -> Layer.Padding.sameAsInput();
              case "valid" -> Layer.Padding.explicit(0, 0);
              default -> null;
            };
          }
          Layer.Hw hw = HW.decode(n);
          return hw == null ? null : Layer.Padding.explicit(hw.h(), hw.w());
        }

        @Override
        public JsonNode encode(Layer.Padding p) {
          return p.same() ? NODES.textNode("same") : HW.encode(new Layer.Hw(p.h(), p.w()));
        }

        @Override
        public String expected() {
          return "\"same\", \"valid\", an integer or [height, width]";
        }
      };

  /** A non-empty array of integers. */
  Codec<List<Integer>> INT_LIST =
      new Codec<>() {
        @Override
        public List<Integer> decode(JsonNode n) {
          if (!n.isArray()) {
            return null;
          }
          List<Integer> out = new ArrayList<>();
          for (JsonNode d : n) {
            if (!isInt(d)) {
              return null;
            }
            out.add(d.intValue());
          }
          return List.copyOf(out);
        }

        @Override
        public JsonNode encode(List<Integer> v) {
          ArrayNode a = NODES.arrayNode();
          v.forEach(a::add);
          return a;
        }

        @Override
        public String expected() {
          return "an array of integers";
        }

        @Override
        public String badPart(JsonNode n) {
          if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
              if (!isInt(n.get(i))) {
                return "[" + i + "]";
              }
            }
          }
          return null;
        }
      };

  /** An array of strings (column names, missing-value markers); may be empty. */
  Codec<List<String>> STRING_LIST =
      new Codec<>() {
        @Override
        public List<String> decode(JsonNode n) {
          if (!n.isArray()) {
            return null;
          }
          List<String> out = new ArrayList<>();
          for (JsonNode d : n) {
            if (!d.isTextual()) {
              return null;
            }
            out.add(d.asText());
          }
          return List.copyOf(out);
        }

        @Override
        public JsonNode encode(List<String> v) {
          ArrayNode a = NODES.arrayNode();
          v.forEach(a::add);
          return a;
        }

        @Override
        public String expected() {
          return "an array of strings";
        }

        @Override
        public String elementExpected() {
          return "a string";
        }

        @Override
        public String badPart(JsonNode n) {
          if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
              if (!n.get(i).isTextual()) {
                return "[" + i + "]";
              }
            }
          }
          return null;
        }

        @Override
        public String show(List<String> v) {
          return v.stream().map(x -> "\"" + x + "\"").collect(Collectors.joining(", ", "[", "]"));
        }
      };

  /** A number or a string: the fill value of a {@code constant} imputation. */
  Codec<PreprocessStep.Scalar> SCALAR =
      new Codec<>() {
        @Override
        public PreprocessStep.Scalar decode(JsonNode n) {
          if (n.isNumber()) {
            return PreprocessStep.Scalar.of(n.doubleValue());
          }
          return n.isTextual() ? PreprocessStep.Scalar.of(n.asText()) : null;
        }

        @Override
        public JsonNode encode(PreprocessStep.Scalar v) {
          return v.isNumber() ? NODES.numberNode(v.number()) : NODES.textNode(v.text());
        }

        @Override
        public String expected() {
          return "a number or a string";
        }

        @Override
        public String show(PreprocessStep.Scalar v) {
          return v.toString();
        }
      };

  /** One of the JSON names of an enum whose constants say their own name. */
  static <E extends Enum<E> & Named> Codec<E> oneOf(Class<E> type) {
    E[] values = type.getEnumConstants();
    return new Codec<>() {
      @Override
      public E decode(JsonNode n) {
        if (!n.isTextual()) {
          return null;
        }
        return Arrays.stream(values).filter(v -> v.jsonName().equals(n.asText())).findFirst().orElse(null);
      }

      @Override
      public JsonNode encode(E v) {
        return NODES.textNode(v.jsonName());
      }

      @Override
      public String expected() {
        return "one of " + Arrays.stream(values).map(v -> "\"" + v.jsonName() + "\"").collect(Collectors.joining(", "));
      }

      @Override
      public String show(E v) {
        return "\"" + v.jsonName() + "\"";
      }
    };
  }

  /**
   * An enum whose constants appear in JSON by their lower-case names ({@code TANH} is {@code
   * "tanh"}).
   */
  interface Named {
    String name();

    default String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static boolean isInt(JsonNode n) {
    return n.isIntegralNumber() && n.canConvertToInt();
  }

  private static <V> Codec<V> simple(String expected, Function<JsonNode, V> decode, Function<V, JsonNode> encode) {
    return new Codec<>() {
      @Override
      public V decode(JsonNode n) {
        return decode.apply(n);
      }

      @Override
      public JsonNode encode(V value) {
        return encode.apply(value);
      }

      @Override
      public String expected() {
        return expected;
      }
    };
  }
}
