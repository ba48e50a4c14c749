package dev.rosetta.data;

/** A training set and a test set. */
public record DataSplit(Dataset train, Dataset test) {}
