import picomatch from "picomatch";
import type { FileTree } from "./tree.js";

/**
 * Repository-relative glob matching over a tree listing. `dot: true` because `.cortex/…` is
 * where catalog files live; literal patterns are looked up directly, without a scan.
 */
export function matchFiles(tree: FileTree, pattern: string): string[] {
  const clean = pattern.replace(/^\.\//, "").replace(/^\/+/, "");
  if (!picomatch.scan(clean).isGlob) {
    const e = tree.entry(clean);
    return e && e.type === "blob" ? [clean] : [];
  }
  const isMatch = picomatch(clean, { dot: true });
  return tree.paths().filter((p) => tree.entry(p)?.type === "blob" && isMatch(p));
}
