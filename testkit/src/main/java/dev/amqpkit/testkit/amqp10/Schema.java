package dev.amqpkit.testkit.amqp10;

import dev.amqpkit.testkit.amqp10.Amqp10Value.Array;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Described;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Encoded;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Raw;
import dev.amqpkit.testkit.amqp10.Amqp10Value.Sym;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UByte;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UInt;
import dev.amqpkit.testkit.amqp10.Amqp10Value.ULong;
import dev.amqpkit.testkit.amqp10.Amqp10Value.UShort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The described types of the AMQP 1.0 specification (transport, messaging, security and
 * transactions), by code and symbol, with the names and types of their fields: what lets frames be
 * described by name and fields be set by name.
 *
 * <p>Thread-safe: immutable tables.
 */
final class Schema {
  /** A field of a composite type: its name, its type as the specification names it, multiple. */
  record Field(String name, String type, boolean multiple) {}

  /**
   * A described type: a composite list with fields, or a restricted type (a message section such as
   * {@code data}) with {@code fields} null.
   */
  record Composite(long code, String name, String source, List<Field> fields) {
    boolean isList() {
      return fields != null;
    }

    String symbol() {
      return "amqp:" + name + ":" + source;
    }

    String fieldName(int index) {
      return fields != null && index < fields.size() ? fields.get(index).name() : "#" + index;
    }

    int index(String field) {
      if (fields != null) {
        for (int i = 0; i < fields.size(); i++) {
          if (fields.get(i).name().equals(field)) return i;
        }
      }
      List<String> names = new ArrayList<>();
      if (fields != null) fields.forEach(f -> names.add(f.name()));
      throw new IllegalArgumentException(name + " has no field \"" + field + "\"; it has " + names);
    }

    Object convert(int index, Object value) {
      Field field = fields.get(index);
      return Schema.convert(field.type(), field.multiple(), value);
    }
  }

  private static final Map<Long, Composite> BY_CODE = new HashMap<>();
  private static final Map<String, Composite> BY_SYMBOL = new HashMap<>();

  static {
    // transport.bare.xml
    list(
        0x10,
        "open",
        "container-id:string",
        "hostname:string",
        "max-frame-size:uint",
        "channel-max:ushort",
        "idle-time-out:milliseconds",
        "outgoing-locales:ietf-language-tag*",
        "incoming-locales:ietf-language-tag*",
        "offered-capabilities:symbol*",
        "desired-capabilities:symbol*",
        "properties:fields");
    list(
        0x11,
        "begin",
        "remote-channel:ushort",
        "next-outgoing-id:transfer-number",
        "incoming-window:uint",
        "outgoing-window:uint",
        "handle-max:handle",
        "offered-capabilities:symbol*",
        "desired-capabilities:symbol*",
        "properties:fields");
    list(
        0x12,
        "attach",
        "name:string",
        "handle:handle",
        "role:role",
        "snd-settle-mode:sender-settle-mode",
        "rcv-settle-mode:receiver-settle-mode",
        "source:*",
        "target:*",
        "unsettled:map",
        "incomplete-unsettled:boolean",
        "initial-delivery-count:sequence-no",
        "max-message-size:ulong",
        "offered-capabilities:symbol*",
        "desired-capabilities:symbol*",
        "properties:fields");
    list(
        0x13,
        "flow",
        "next-incoming-id:transfer-number",
        "incoming-window:uint",
        "next-outgoing-id:transfer-number",
        "outgoing-window:uint",
        "handle:handle",
        "delivery-count:sequence-no",
        "link-credit:uint",
        "available:uint",
        "drain:boolean",
        "echo:boolean",
        "properties:fields");
    list(
        0x14,
        "transfer",
        "handle:handle",
        "delivery-id:delivery-number",
        "delivery-tag:delivery-tag",
        "message-format:message-format",
        "settled:boolean",
        "more:boolean",
        "rcv-settle-mode:receiver-settle-mode",
        "state:*",
        "resume:boolean",
        "aborted:boolean",
        "batchable:boolean");
    list(
        0x15,
        "disposition",
        "role:role",
        "first:delivery-number",
        "last:delivery-number",
        "settled:boolean",
        "state:*",
        "batchable:boolean");
    list(0x16, "detach", "handle:handle", "closed:boolean", "error:error");
    list(0x17, "end", "error:error");
    list(0x18, "close", "error:error");
    list(0x1d, "error", "condition:symbol", "description:string", "info:fields");
    // messaging.bare.xml
    list(
        0x70,
        "header",
        "durable:boolean",
        "priority:ubyte",
        "ttl:milliseconds",
        "first-acquirer:boolean",
        "delivery-count:uint");
    restricted(0x71, "delivery-annotations", "map");
    restricted(0x72, "message-annotations", "map");
    list(
        0x73,
        "properties",
        "message-id:*",
        "user-id:binary",
        "to:*",
        "subject:string",
        "reply-to:*",
        "correlation-id:*",
        "content-type:symbol",
        "content-encoding:symbol",
        "absolute-expiry-time:timestamp",
        "creation-time:timestamp",
        "group-id:string",
        "group-sequence:sequence-no",
        "reply-to-group-id:string");
    restricted(0x74, "application-properties", "map");
    restricted(0x75, "data", "binary");
    restricted(0x76, "amqp-sequence", "list");
    restricted(0x77, "amqp-value", "*");
    restricted(0x78, "footer", "map");
    list(0x23, "received", "section-number:uint", "section-offset:ulong");
    list(0x24, "accepted");
    list(0x25, "rejected", "error:error");
    list(0x26, "released");
    list(
        0x27,
        "modified",
        "delivery-failed:boolean",
        "undeliverable-here:boolean",
        "message-annotations:fields");
    list(
        0x28,
        "source",
        "address:*",
        "durable:terminus-durability",
        "expiry-policy:terminus-expiry-policy",
        "timeout:seconds",
        "dynamic:boolean",
        "dynamic-node-properties:node-properties",
        "distribution-mode:symbol",
        "filter:filter-set",
        "default-outcome:*",
        "outcomes:symbol*",
        "capabilities:symbol*");
    list(
        0x29,
        "target",
        "address:*",
        "durable:terminus-durability",
        "expiry-policy:terminus-expiry-policy",
        "timeout:seconds",
        "dynamic:boolean",
        "dynamic-node-properties:node-properties",
        "capabilities:symbol*");
    list(0x2b, "delete-on-close");
    list(0x2c, "delete-on-no-links");
    list(0x2d, "delete-on-no-messages");
    list(0x2e, "delete-on-no-links-or-messages");
    // transactions.bare.xml
    list(0x30, "coordinator", "capabilities:symbol*");
    list(0x31, "declare", "global-id:*");
    list(0x32, "discharge", "txn-id:*", "fail:boolean");
    list(0x33, "declared", "txn-id:*");
    list(0x34, "transactional-state", "txn-id:*", "outcome:*");
    // security.bare.xml
    list(0x40, "sasl-mechanisms", "sasl-server-mechanisms:symbol*");
    list(0x41, "sasl-init", "mechanism:symbol", "initial-response:binary", "hostname:string");
    list(0x42, "sasl-challenge", "challenge:binary");
    list(0x43, "sasl-response", "response:binary");
    list(0x44, "sasl-outcome", "code:sasl-code", "additional-data:binary");
  }

  private Schema() {}

  private static void list(long code, String name, String... fields) {
    List<Field> parsed = new ArrayList<>();
    for (String f : fields) {
      int colon = f.indexOf(':');
      boolean multiple = f.endsWith("*") && !f.endsWith(":*");
      String type = f.substring(colon + 1, multiple ? f.length() - 1 : f.length());
      parsed.add(new Field(f.substring(0, colon), type, multiple));
    }
    add(new Composite(code, name, "list", List.copyOf(parsed)));
  }

  private static void restricted(long code, String name, String source) {
    add(new Composite(code, name, source, null));
  }

  private static void add(Composite composite) {
    BY_CODE.put(composite.code(), composite);
    BY_SYMBOL.put(composite.symbol(), composite);
  }

  /** The type a descriptor names, by {@code ulong} code or symbol; null when unknown. */
  static Composite composite(Object descriptor) {
    if (descriptor instanceof ULong code) return BY_CODE.get(code.value());
    if (descriptor instanceof Sym symbol) return BY_SYMBOL.get(symbol.name());
    return null;
  }

  /** The type with this code; null when unknown. */
  static Composite byCode(long code) {
    return BY_CODE.get(code);
  }

  /** The composite list type a descriptor names. */
  static Composite require(Object descriptor) {
    Composite composite = composite(descriptor);
    if (composite == null || !composite.isList()) {
      throw new IllegalArgumentException(
          "the descriptor " + Amqp10Value.format(descriptor) + " names no composite list type");
    }
    return composite;
  }

  /** The name of a descriptor code: {@code open}, or {@code 0x0000000000000099}. */
  static String name(long code) {
    Composite composite = BY_CODE.get(code);
    return composite != null ? composite.name() : String.format("0x%016x", code);
  }

  /**
   * Converts a Java value to the AMQP type of a field where the conversion is obvious; anything
   * else, AMQP values already typed and deliberately wrong ones included, passes as it is.
   */
  static Object convert(String type, boolean multiple, Object value) {
    if (value == null
        || value instanceof Encoded
        || value instanceof Raw
        || value instanceof Described) {
      return value;
    }
    if (multiple && !(value instanceof Array)) {
      Collection<?> items =
          value instanceof Object[] a ? List.of(a) : value instanceof Collection<?> c ? c : null;
      if (items != null) {
        List<Object> converted = new ArrayList<>();
        for (Object item : items) converted.add(convert(type, false, item));
        String base = base(type);
        return base.equals("symbol") && converted.isEmpty()
            ? Array.of(0xa3, converted)
            : Array.of(converted.toArray());
      }
    }
    switch (base(type)) {
      case "uint":
        if (value instanceof Duration d) {
          return new UInt(type.equals("seconds") ? d.toSeconds() : d.toMillis());
        }
        return integral(value) ? new UInt(((Number) value).longValue()) : value;
      case "ushort":
        return integral(value) ? new UShort(((Number) value).intValue()) : value;
      case "ubyte":
        return integral(value) ? new UByte(((Number) value).intValue()) : value;
      case "ulong":
        return integral(value) ? new ULong(((Number) value).longValue()) : value;
      case "boolean":
        return value instanceof Performatives.Role role ? role.value() : value;
      case "symbol":
        return value instanceof String s ? new Sym(s) : value;
      case "fields":
        if (value instanceof Map<?, ?> map) {
          Map<Object, Object> converted = new LinkedHashMap<>();
          map.forEach((k, v) -> converted.put(k instanceof String s ? new Sym(s) : k, v));
          return Collections.unmodifiableMap(converted);
        }
        return value;
      default:
        return value;
    }
  }

  private static boolean integral(Object value) {
    return value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte;
  }

  private static String base(String type) {
    return switch (type) {
      case "uint",
          "milliseconds",
          "seconds",
          "handle",
          "sequence-no",
          "transfer-number",
          "delivery-number",
          "message-format",
          "terminus-durability" ->
          "uint";
      case "ushort" -> "ushort";
      case "ubyte", "sender-settle-mode", "receiver-settle-mode", "sasl-code" -> "ubyte";
      case "ulong" -> "ulong";
      case "boolean", "role" -> "boolean";
      case "symbol", "ietf-language-tag", "terminus-expiry-policy" -> "symbol";
      case "fields", "node-properties", "filter-set" -> "fields";
      default -> type;
    };
  }
}
