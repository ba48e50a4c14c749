package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.NodeProto;

/**
 * One form an exporter writes a layer in, recognised from its first node: a Gemm, a Conv
 * followed by a per-channel scale and shift, the five-node exact GELU. {@link #apply} either
 * declines (false: not this form; the walk tries the next pattern for the op) or takes the
 * nodes of the form, adds the layer(s) to the builder, sets the values of the tensors they
 * produce and returns true. A form it recognises but cannot import is refused with a message.
 */
@FunctionalInterface
interface NodePattern {
  boolean apply(ImportGraph g, NodeProto root);
}
