/**
 * The ONNX lowering of the Rosetta IR, and the tools around an exported file.
 *
 * <ul>
 *   <li>{@link dev.rosetta.converter.OnnxExport#export(dev.rosetta.spec.ModelSpec,
 *       dev.rosetta.weights.WeightSet, java.util.Map, int, java.nio.file.Path)}: spec + weights +
 *       provenance to an .onnx file, atomically; {@link dev.rosetta.converter.OnnxLowering} builds
 *       the {@code ModelProto} in memory.
 *   <li>{@link dev.rosetta.converter.OnnxInspector#inspect(java.nio.file.Path)}: an {@link
 *       dev.rosetta.converter.OnnxSummary} (opset, IR, inputs and outputs, operators, parameter
 *       count, metadata) as text or one-line JSON, or an {@link
 *       dev.rosetta.converter.OnnxFileException} saying what is wrong with the file.
 *   <li>{@link dev.rosetta.converter.OnnxRuntimeModel#load(java.nio.file.Path,
 *       dev.rosetta.spec.ModelSpec)}: the file in ONNX Runtime through DJL, as an {@code
 *       InferenceModel}.
 *   <li>{@link dev.rosetta.converter.OnnxVerifier#verify(java.nio.file.Path,
 *       dev.rosetta.spec.ModelSpec, dev.rosetta.backend.InferenceModel)}: ONNX Runtime against the
 *       backend that trained the weights, batch sizes 1 and 37, bound 1e-5 times the largest
 *       output when that exceeds 1.
 *   <li>{@link dev.rosetta.converter.OnnxImport#read(java.nio.file.Path)}: an ONNX file from
 *       PyTorch, Keras (tf2onnx) or Rosetta as an {@link dev.rosetta.converter.ImportedModel}
 *       (a checked spec, canonical weights, the node-to-layer table), or an {@link
 *       dev.rosetta.converter.OnnxImportException} naming the node that cannot be a layer.
 *   <li>{@link dev.rosetta.converter.OnnxText#dump(ai.onnx.proto.OnnxMl.ModelProto)}: the stable
 *       text form golden files hold; {@link dev.rosetta.converter.OnnxBenchmark}: timing.
 * </ul>
 *
 * <p>Only the protobuf classes of tribuo-util-onnx ({@code ai.onnx.proto.OnnxMl}) are used: its
 * operator helpers stop at opset 13, and this package writes opset 13 to 22 itself.
 */
package dev.rosetta.converter;
