package dev.rosetta.data;

/**
 * A training set and a test set (may be null), and the vocabulary their token ids come from
 * when they were read from text (else null).
 */
public record DataSplit(Dataset train, Dataset test, Vocabulary vocabulary) {
  public DataSplit(Dataset train, Dataset test) {
    this(train, test, null);
  }
}
