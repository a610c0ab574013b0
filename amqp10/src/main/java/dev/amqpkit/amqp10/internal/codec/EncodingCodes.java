package dev.amqpkit.amqp10.internal.codec;

/**
 * The format codes of the AMQP 1.0 type system (types.xml, section "encodings"), the width of the
 * fixed-width ones, and their names for messages.
 */
public final class EncodingCodes {
  private EncodingCodes() {}

  public static final int DESCRIBED = 0x00;

  public static final int NULL = 0x40;
  public static final int TRUE = 0x41;
  public static final int FALSE = 0x42;
  public static final int UINT0 = 0x43;
  public static final int ULONG0 = 0x44;
  public static final int LIST0 = 0x45;

  public static final int UBYTE = 0x50;
  public static final int BYTE = 0x51;
  public static final int SMALLUINT = 0x52;
  public static final int SMALLULONG = 0x53;
  public static final int SMALLINT = 0x54;
  public static final int SMALLLONG = 0x55;
  public static final int BOOLEAN = 0x56;

  public static final int USHORT = 0x60;
  public static final int SHORT = 0x61;

  public static final int UINT = 0x70;
  public static final int INT = 0x71;
  public static final int FLOAT = 0x72;
  public static final int CHAR = 0x73;
  public static final int DECIMAL32 = 0x74;

  public static final int ULONG = 0x80;
  public static final int LONG = 0x81;
  public static final int DOUBLE = 0x82;
  public static final int TIMESTAMP = 0x83;
  public static final int DECIMAL64 = 0x84;

  public static final int DECIMAL128 = 0x94;
  public static final int UUID = 0x98;

  public static final int VBIN8 = 0xa0;
  public static final int STR8 = 0xa1;
  public static final int SYM8 = 0xa3;
  public static final int VBIN32 = 0xb0;
  public static final int STR32 = 0xb1;
  public static final int SYM32 = 0xb3;

  public static final int LIST8 = 0xc0;
  public static final int MAP8 = 0xc1;
  public static final int LIST32 = 0xd0;
  public static final int MAP32 = 0xd1;

  public static final int ARRAY8 = 0xe0;
  public static final int ARRAY32 = 0xf0;

  private static final String[] NAMES = new String[256];

  static {
    name(NULL, "null");
    name(TRUE, "true");
    name(FALSE, "false");
    name(UINT0, "uint0");
    name(ULONG0, "ulong0");
    name(LIST0, "list0");
    name(UBYTE, "ubyte");
    name(BYTE, "byte");
    name(SMALLUINT, "smalluint");
    name(SMALLULONG, "smallulong");
    name(SMALLINT, "smallint");
    name(SMALLLONG, "smalllong");
    name(BOOLEAN, "boolean");
    name(USHORT, "ushort");
    name(SHORT, "short");
    name(UINT, "uint");
    name(INT, "int");
    name(FLOAT, "float");
    name(CHAR, "char");
    name(DECIMAL32, "decimal32");
    name(ULONG, "ulong");
    name(LONG, "long");
    name(DOUBLE, "double");
    name(TIMESTAMP, "timestamp");
    name(DECIMAL64, "decimal64");
    name(DECIMAL128, "decimal128");
    name(UUID, "uuid");
    name(VBIN8, "vbin8");
    name(STR8, "str8");
    name(SYM8, "sym8");
    name(VBIN32, "vbin32");
    name(STR32, "str32");
    name(SYM32, "sym32");
    name(LIST8, "list8");
    name(MAP8, "map8");
    name(LIST32, "list32");
    name(MAP32, "map32");
    name(ARRAY8, "array8");
    name(ARRAY32, "array32");
  }

  private static void name(int code, String name) {
    NAMES[code] = name;
  }

  /** Whether {@code code} is the format code of a primitive encoding. */
  public static boolean isPrimitive(int code) {
    return code >= 0 && code < 256 && NAMES[code] != null;
  }

  /** The encoding's name from the specification, or {@code 0xNN} for an unknown code. */
  public static String name(int code) {
    String name = code >= 0 && code < 256 ? NAMES[code] : null;
    return name != null ? name : String.format("0x%02x", code);
  }

  /**
   * The fewest bytes one value in encoding {@code code} takes after its constructor: the width of a
   * fixed-width encoding (0 for null, true, false, uint0, ulong0 and list0), and the size and count
   * fields of the others.
   */
  static int minimumWidth(int code) {
    return switch (code) {
      case NULL, TRUE, FALSE, UINT0, ULONG0, LIST0 -> 0;
      case UBYTE, BYTE, SMALLUINT, SMALLULONG, SMALLINT, SMALLLONG, BOOLEAN, VBIN8, STR8, SYM8 -> 1;
      case USHORT, SHORT, LIST8, MAP8 -> 2;
      case ARRAY8 -> 3; // size, count and the element constructor
      case UINT, INT, FLOAT, CHAR, DECIMAL32, VBIN32, STR32, SYM32 -> 4;
      case ULONG, LONG, DOUBLE, TIMESTAMP, DECIMAL64, LIST32, MAP32 -> 8;
      case ARRAY32 -> 9;
      case DECIMAL128, UUID -> 16;
      default -> throw new IllegalArgumentException("not a primitive format code: " + code);
    };
  }
}
