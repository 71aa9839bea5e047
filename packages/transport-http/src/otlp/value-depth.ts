/**
 * How deep arrays and objects may nest in one value (a body or an attribute value). Deeper, the
 * record is dropped as `encoding_failed`: no backend should be asked to parse it (protobuf
 * parsers stop at 100 or 10,000 message levels, and each level here is three), and writing it
 * stays far from a stack overflow, whatever the caller's stack.
 */
export const MAX_VALUE_DEPTH = 512;

/**
 * Checks that `value`, an array or object met `depth` levels down, may be written: not deeper
 * than {@link MAX_VALUE_DEPTH}, and not one of its own ancestors (`path[0]` to
 * `path[depth - 1]`, which this then extends). Throws what fails its record otherwise. A linear
 * scan: values are shallow, and a deep one costs at most 512^2 / 2 comparisons.
 */
export function enter(path: unknown[], value: object, depth: number): void {
  if (depth >= MAX_VALUE_DEPTH) {
    throw new RangeError(`a value nests arrays or objects deeper than ${MAX_VALUE_DEPTH} levels`);
  }
  for (let i = 0; i < depth; i++) {
    if (path[i] === value) throw new TypeError('a value contains itself (a circular reference)');
  }
  path[depth] = value;
}
