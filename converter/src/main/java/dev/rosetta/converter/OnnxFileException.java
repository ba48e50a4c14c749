package dev.rosetta.converter;

import java.io.IOException;
import java.nio.file.Path;

/** A file that cannot be read as an ONNX model; the message names the file and what is wrong. */
public final class OnnxFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public OnnxFileException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  public OnnxFileException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
