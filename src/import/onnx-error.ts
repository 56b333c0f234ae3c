/** An ONNX file spinarch cannot read or map: the file, the node if there is one, and why. */
export class OnnxError extends Error {
  override name = 'OnnxError';
  constructor(
    readonly file: string,
    /** Why, naming the node (`node 'conv3' (op Conv, group=8): ...`) where there is one. */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}
