package io.certkeeper.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretRefTest {
  @TempDir Path dir;

  @Test
  void fileReferenceDropsOneTrailingNewline() throws Exception {
    Path f = dir.resolve("pw");
    Files.writeString(f, "s3cret\n");
    assertArrayEquals("s3cret".toCharArray(), SecretRef.parse("file:" + f).resolve());
  }

  @Test
  void envReference() throws Exception {
    SecretRef r = SecretRef.parse("env:PW", Map.of("PW", "abc"));
    assertArrayEquals("abc".toCharArray(), r.resolve());
  }

  @Test
  void credentialReferenceReadsFromCredentialsDirectory() throws Exception {
    Files.writeString(dir.resolve("ca-pass"), "xyz");
    SecretRef r = SecretRef.parse("credential:ca-pass", Map.of("CREDENTIALS_DIRECTORY", dir.toString()));
    assertArrayEquals("xyz".toCharArray(), r.resolve());
  }

  @Test
  void missingSourcesNameTheReferenceNotTheValue() {
    IOException e = assertThrows(IOException.class, () -> SecretRef.parse("env:NOPE", Map.of()).resolve());
    assertEquals("secret env:NOPE: environment variable NOPE is not set", e.getMessage());
    e = assertThrows(IOException.class, () -> SecretRef.parse("credential:x", Map.of()).resolve());
    assertTrue(e.getMessage().contains("$CREDENTIALS_DIRECTORY is not set"), e.getMessage());
    e = assertThrows(IOException.class, () -> SecretRef.parse("file:" + dir.resolve("none")).resolve());
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
  }

  @Test
  void inlineSecretsAndTraversalAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretRef.parse("hunter2"));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SecretRef.parse("credential:../etc/shadow"));
    assertThrows(IllegalArgumentException.class, () -> SecretRef.parse("env:"));
  }
}
