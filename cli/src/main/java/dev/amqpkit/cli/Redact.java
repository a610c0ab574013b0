package dev.amqpkit.cli;

import java.util.regex.Pattern;

/** Hides the passwords of URIs in text the command prints. */
final class Redact {
  // scheme://user:password@ -> scheme://user:****@ ; the user part stops at / ? # @ or space.
  private static final Pattern PASSWORD =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^/?#@\\s:]*):[^/?#@\\s]*@");

  private Redact() {}

  static String passwords(String text) {
    return text == null ? null : PASSWORD.matcher(text).replaceAll("$1:****@");
  }
}
