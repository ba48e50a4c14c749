package dev.rosetta.converter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The reference's own erf, since ONNX Runtime's Erf and GELU are checked against it. */
class JavaReferenceModelTest {
  @Test
  void erfMatchesTabulatedValuesOnBothBranches() {
    // erf to double precision at points on the series branch (|x| < 3) and the continued fraction's.
    assertEquals(0.0, JavaReferenceModel.erf(0), 0);
    assertEquals(0.5204998778130465, JavaReferenceModel.erf(0.5), 1e-15);
    assertEquals(-0.8427007929497149, JavaReferenceModel.erf(-1), 1e-15);
    assertEquals(0.9953222650189527, JavaReferenceModel.erf(2), 1e-15);
    assertEquals(0.9999779095030014, JavaReferenceModel.erf(3), 1e-15);
    assertEquals(0.9999999845827421, JavaReferenceModel.erf(4), 1e-15);
    assertEquals(-1.0, JavaReferenceModel.erf(-9), 1e-15);
  }
}
