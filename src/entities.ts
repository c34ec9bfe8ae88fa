import { acrossDescriptors } from "./descriptor/across.js";
import { confirmDescriptor, type ConfirmContext } from "./descriptor/confirm.js";
import { findDescriptors } from "./descriptor/find.js";
import type { Descriptor } from "./descriptor/model.js";
import { validateDescriptor } from "./descriptor/validate.js";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import type { FileTree } from "./sources/tree.js";
import { loadYaml, sizeProblem } from "./yaml/load.js";

export interface LoadedEntity {
  readonly file: string;
  readonly descriptor: Descriptor | undefined;
  readonly valid: boolean;
  /**
   * The same file on the default branch, which is what the catalog reads today: "same" when it is
   * identical, its descriptor when it differs, or why there is none (absent, unreadable).
   */
  readonly onDefault: "same" | Descriptor | { readonly absent: string };
}

/** Reads a YAML file from a tree within the size limit, without reading an oversized blob. */
export async function readYamlFile(tree: FileTree, file: string) {
  const entry = tree.entry(file);
  if (!entry || entry.type !== "blob") {
    return {
      loaded: undefined,
      diagnostics: [diagnostic("DESCRIPTOR_NOT_FOUND", "error", `${file} is not a file in this commit`, { hint: "Point the pattern at a committed file.", place: { file } })],
    };
  }
  const limit = sizeProblem(file, entry.size);
  if (limit) return { loaded: undefined, diagnostics: [limit] };
  if (entry.mode === "120000") {
    return {
      loaded: undefined,
      diagnostics: [
        diagnostic("NOT_A_DESCRIPTOR", "error", `${file} is a symlink; the catalog reads the file itself, not what it points to`, {
          hint: "Replace the symlink with the file, or point the pattern at the target.",
          place: { file, line: 1, column: 1 },
        }),
      ],
    };
  }
  return loadYaml(file, await tree.read(entry));
}

/**
 * The catalog reads the default branch's descriptor until this is merged: say what it reads
 * today, whether that version is valid, and whether merging changes the entity's tag (which makes
 * the catalog create a new entity rather than update this one).
 */
async function compareWithDefault(defaultTree: FileTree, file: string, now: Descriptor | undefined): Promise<{ diagnostics: Diagnostic[]; old: Descriptor | { absent: string } }> {
  const branch = defaultTree.label;
  const y = await readYamlFile(defaultTree, file);
  const v = y.loaded ? validateDescriptor(y.loaded) : undefined;
  const errors = [...y.diagnostics, ...(v?.diagnostics ?? [])].filter((d) => d.severity === "error");
  const old = v?.descriptor;
  const state = errors.length
    ? `, which is invalid there (${errors.length} error${errors.length === 1 ? "" : "s"}, first: ${errors[0]?.code} ${errors[0]?.message}); merging this fixes what the catalog sees`
    : old?.tag
      ? ` (tag "${old.tag}")`
      : "";
  const out = [diagnostic("DESCRIPTOR_CHANGED", "info", `${file} differs from ${branch}: the catalog reads the ${branch} version until this is merged${state}`, { place: { file } })];
  if (old?.tag && now?.tag && old.tag !== now.tag) {
    out.push(
      diagnostic("DESCRIPTOR_CHANGED", "warning", `merging changes the entity's tag from "${old.tag}" on ${branch} to "${now.tag}": the catalog will create a new entity "${now.tag}" instead of updating "${old.tag}"`, {
        hint: "Keep the tag unless you mean to replace the entity; its history, scorecards and custom data stay with the old tag.",
        place: { file },
      }),
    );
  }
  return { diagnostics: out, old: old ?? { absent: `${file} on ${branch} cannot be read as a descriptor (${errors[0]?.code ?? "invalid"}), so the catalog has no entity from it` } };
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
    let onDefault: LoadedEntity["onDefault"] = "same";
    if (!before) {
      own.push(diagnostic("DESCRIPTOR_CHANGED", "info", `${file} is not on ${defaultTree.label} yet: the catalog will read it once this is merged`, { place: { file } }));
      onDefault = { absent: `${file} is not on ${defaultTree.label} yet, so the catalog has no such entity to score there` };
    } else if (now && before.oid !== now.oid) {
      const compared = await compareWithDefault(defaultTree, file, descriptor);
      own.push(...compared.diagnostics);
      onDefault = compared.old;
    }
    diagnostics.push(...own);
    entities.push({ file, descriptor, valid: !own.some((d) => d.severity === "error"), onDefault });
  }

  diagnostics.push(...acrossDescriptors(entities.flatMap((e) => (e.descriptor ? [e.descriptor] : []))));
  return { entities, diagnostics };
}
