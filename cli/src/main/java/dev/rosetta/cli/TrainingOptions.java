package dev.rosetta.cli;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Training;
import picocli.CommandLine.Option;

/**
 * {@code --batch-size}, {@code --seed} and {@code --no-shuffle}: overrides of the spec's training
 * settings, shared by every command that trains (train, parity, bench). The seed decides both
 * the initial weights and the batch order.
 */
final class TrainingOptions {
  @Option(names = "--batch-size", description = "Override training.batch_size.")
  Integer batchSize;

  @Option(names = "--seed", description = "Override training.seed (initial weights, batch order, dropout masks).")
  Long seed;

  @Option(names = "--no-shuffle", description = "Visit samples in file order.")
  boolean noShuffle;

  /** The spec with these overrides and, when not null, {@code epochs}; bad values are usage errors. */
  CheckedSpec apply(CheckedSpec spec, Integer epochs) {
    Training t = spec.training();
    Training o =
        t.withLoop(
            epochs != null ? epochs : t.epochs(),
            batchSize != null ? batchSize : t.batchSize(),
            seed != null ? seed : t.seed(),
            !noShuffle && t.shuffle());
    if (o.epochs() <= 0) {
      throw new Rosetta.UserInputException("--epochs must be > 0 (got " + o.epochs() + ")");
    }
    if (o.batchSize() <= 0) {
      throw new Rosetta.UserInputException("--batch-size must be > 0 (got " + o.batchSize() + ")");
    }
    return spec.withTraining(o);
  }
}
