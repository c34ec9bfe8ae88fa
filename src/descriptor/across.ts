import type { Diagnostic } from "../diagnostics.js";
import { toDiagnostic } from "./finding.js";
import type { Descriptor } from "./model.js";

/**
 * Checks across the descriptors of one repository (a monorepo): a tag used twice, and
 * basepaths that overlap so two entities would claim the same files.
 */
export function acrossDescriptors(descriptors: readonly Descriptor[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byTag = new Map<string, Descriptor>();
  for (const d of descriptors) {
    if (!d.tag) continue;
    const first = byTag.get(d.tag);
    if (!first) {
      byTag.set(d.tag, d);
      continue;
    }
    out.push(
      toDiagnostic(d.yaml, {
        code: "DUPLICATE_TAG",
        severity: "error",
        message: `tag "${d.tag}" is also used by ${first.file}`,
        hint: "Each entity needs its own tag; the catalog keeps only one of them.",
        path: ["info", "x-cortex-tag"],
      }),
    );
  }
  const withBase = descriptors.filter((d) => d.git?.basepath !== undefined);
  withBase.forEach((b, j) => {
    for (const a of withBase.slice(0, j)) {
      const pa = a.git?.basepath ?? "";
      const pb = b.git?.basepath ?? "";
      if (!(pa === pb || pa === "" || pb === "" || pa.startsWith(`${pb}/`) || pb.startsWith(`${pa}/`))) continue;
      out.push(
        toDiagnostic(b.yaml, {
          code: "BASEPATH_OVERLAP",
          severity: "warning",
          message: `basepath "${pb || "."}" overlaps basepath "${pa || "."}" of ${a.file}`,
          hint: "Give each entity its own directory; overlapping basepaths make both entities claim the same files.",
          path: ["info", "x-cortex-git", b.git?.provider ?? "bitbucket", b.git?.basepathKey ?? "basepath"],
        }),
      );
    }
  });
  return out;
}
