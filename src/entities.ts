import { confirmDescriptor, type ConfirmContext } from "./descriptor/confirm.js";
import { findDescriptors } from "./descriptor/find.js";
import type { Descriptor } from "./descriptor/model.js";
import { validateDescriptor } from "./descriptor/validate.js";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import type { FileTree } from "./sources/tree.js";
import { loadYaml, sizeProblem } from "./yaml/load.js";
import { locate } from "./yaml/locate.js";

export interface LoadedEntity {
  readonly file: string;
  readonly descriptor: Descriptor | undefined;
  readonly valid: boolean;
}

/** Reads a YAML file from a tree within the size limit, without reading an oversized blob. */
export async function readYamlFile(tree: FileTree, file: string) {
  const entry = tree.entry(file);
  if (!entry || entry.type !== "blob") return { loaded: undefined, diagnostics: [diagnostic("DESCRIPTOR_NOT_FOUND", "error", `${file} is not a file`)] };
  const limit = sizeProblem(file, entry.size);
  if (limit) return { loaded: undefined, diagnostics: [limit] };
  if (entry.mode === "120000") {
    return { loaded: undefined, diagnostics: [diagnostic("NOT_A_DESCRIPTOR", "error", `${file} is a symlink; the catalog reads the file itself`, { place: { file } })] };
  }
  return loadYaml(file, await tree.read(entry));
}

/**
 * Finds, parses, validates and confirms every descriptor in this commit (what will be merged),
 * then checks across them (duplicate tags, overlapping basepaths) and against the default
 * branch's copy (what the catalog reads today).
 */
export async function loadEntities(
  head: FileTree,
  defaultTree: FileTree,
  patterns: readonly string[] | undefined,
  ctx: ConfirmContext,
): Promise<{ entities: LoadedEntity[]; diagnostics: Diagnostic[] }> {
  const found = findDescriptors(head, patterns);
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  const entities: LoadedEntity[] = [];
  for (const file of found.files) {
    const own: Diagnostic[] = [];
    const y = await readYamlFile(head, file);
    own.push(...y.diagnostics);
    let descriptor: Descriptor | undefined;
    if (y.loaded) {
      const v = validateDescriptor(y.loaded);
      own.push(...v.diagnostics);
      descriptor = v.descriptor;
      if (descriptor) own.push(...confirmDescriptor(descriptor, ctx));
    }
    const before = defaultTree.entry(file);
    const now = head.entry(file);
    if (!before) {
      own.push(diagnostic("DESCRIPTOR_CHANGED", "info", `${file} is not on ${defaultTree.label} yet: the catalog will read it once this is merged`, { place: { file } }));
    } else if (now && before.oid !== now.oid) {
      own.push(diagnostic("DESCRIPTOR_CHANGED", "info", `${file} differs from ${defaultTree.label}: the catalog reads the ${defaultTree.label} version until this is merged`, { place: { file } }));
    }
    diagnostics.push(...own);
    entities.push({ file, descriptor, valid: !own.some((d) => d.severity === "error") });
  }

  const byTag = new Map<string, LoadedEntity>();
  for (const e of entities) {
    const tag = e.descriptor?.tag;
    if (!tag || !e.descriptor) continue;
    const first = byTag.get(tag);
    if (first) {
      const p = locate(e.descriptor.yaml.doc, e.descriptor.yaml.lineCounter, ["info", "x-cortex-tag"]);
      diagnostics.push(
        diagnostic("DUPLICATE_TAG", "error", `tag "${tag}" is also used by ${first.file}`, {
          hint: "Each entity needs its own tag; the catalog keeps only one of them.",
          place: { file: e.file, line: p.line, column: p.column },
        }),
      );
    } else byTag.set(tag, e);
  }
  const withBase = entities.filter((e) => e.descriptor?.git?.basepath !== undefined);
  for (let i = 0; i < withBase.length; i++) {
    for (let j = i + 1; j < withBase.length; j++) {
      const a = withBase[i]!;
      const b = withBase[j]!;
      const pa = a.descriptor!.git!.basepath!;
      const pb = b.descriptor!.git!.basepath!;
      if (pa === pb || pa.startsWith(`${pb}/`) || pb.startsWith(`${pa}/`) || pa === "" || pb === "") {
        diagnostics.push(
          diagnostic("BASEPATH_OVERLAP", "warning", `basepath "${pb || "."}" of ${b.file} overlaps basepath "${pa || "."}" of ${a.file}`, {
            hint: "Overlapping basepaths make both entities claim the same files.",
            place: { file: b.file },
          }),
        );
      }
    }
  }
  return { entities, diagnostics };
}
