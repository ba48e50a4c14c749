package dev.rosetta;

/** The Rosetta release, stamped into checkpoints and ONNX files. */
public final class RosettaVersion {
  public static final String VERSION = "0.1.0";

  private RosettaVersion() {}
}
