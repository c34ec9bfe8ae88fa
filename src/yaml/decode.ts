/**
 * Bytes → text with the encodings real repositories contain: UTF-8 (with or without BOM) and
 * UTF-16 with a BOM (Windows editors write it). Anything else that contains NUL bytes is binary.
 */
export type Decoded =
  | { readonly kind: "text"; readonly text: string; readonly encoding: "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be"; readonly invalid: boolean }
  | { readonly kind: "binary" };

export function decodeText(bytes: Buffer): Decoded {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return utf8(bytes.subarray(3), "utf-8-bom");
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { kind: "text", text: new TextDecoder("utf-16le").decode(bytes.subarray(2)), encoding: "utf-16le", invalid: false };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { kind: "text", text: new TextDecoder("utf-16be").decode(bytes.subarray(2)), encoding: "utf-16be", invalid: false };
  }
  // git's own heuristic: a NUL in the first 8000 bytes means binary.
  if (bytes.subarray(0, 8000).includes(0)) return { kind: "binary" };
  return utf8(bytes, "utf-8");
}

function utf8(bytes: Buffer, encoding: "utf-8" | "utf-8-bom"): Decoded {
  const text = new TextDecoder("utf-8").decode(bytes);
  return { kind: "text", text, encoding, invalid: text.includes("\uFFFD") && !bytes.includes(Buffer.from("\uFFFD")) };
}
