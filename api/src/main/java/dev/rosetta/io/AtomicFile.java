package dev.rosetta.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file so that readers see either the old content or the whole new content, never a
 * half-written file: write a temporary file beside the target, then move it into place.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /** Body of an atomic write. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code target} through a temporary file beside it, synced to disk and then moved into
   * place, so readers (and a run killed mid-write) see the old file or the new one, never part.
   * The file ends with the permissions a plain write would give it under the user's umask (a
   * temporary from {@link Files#createTempFile} would leave it readable by its owner only).
   */
  public static void write(Path target, Writer body) throws IOException {
    Path tmp = temporaryBeside(target, ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(ch)) {
        body.write(out);
        out.flush();
        ch.force(true);
      }
      moveIntoPlace(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * A new, empty file in {@code target}'s folder, named after it and hidden ({@code
   * .<name>.<random><suffix>}), created with the default permissions (0666 less the umask).
   */
  public static Path temporaryBeside(Path target, String suffix) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + suffix);
      try {
        Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return tmp;
      } catch (FileAlreadyExistsException e) {
        if (attempt > 100) {
          throw e;
        }
      }
    }
  }

  /** Replaces {@code target} by {@code tmp}, atomically where the file system can. */
  public static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  public static void writeString(Path target, String text) throws IOException {
    write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
