import type { LoadedEntity } from "../entities.js";
import { diagnostic, type Diagnostic } from "../diagnostics.js";
import { HttpError } from "../http/client.js";
import { locate, pointerParts } from "../yaml/locate.js";
import { CatalogError, type CatalogApi } from "./api.js";

export interface CatalogView {
  readonly diagnostics: Diagnostic[];
  /** Custom data the catalog holds, per entity tag, for `custom("key")`. */
  readonly customByTag: Map<string, ReadonlyMap<string, unknown>>;
}

/**
 * With a key, asks the catalog what it thinks: server-side validation of each descriptor (dry
 * run, merged at its lines), drift between the catalog's git details and the descriptor, and the
 * entity's custom data. A network fault here is a warning: local checks still stand.
 */
export async function catalogChecks(api: CatalogApi, entities: readonly LoadedEntity[]): Promise<CatalogView> {
  const diagnostics: Diagnostic[] = [];
  const customByTag = new Map<string, ReadonlyMap<string, unknown>>();
  for (const e of entities) {
    const d = e.descriptor;
    if (!d) continue;
    try {
      const dry = await api.dryRun(d.yaml.text);
      for (const v of dry.violations) {
        const pos = v.startLine ? { line: v.startLine, column: 1 } : v.pointer ? locate(d.yaml.doc, d.yaml.lineCounter, pointerParts(v.pointer)) : undefined;
        diagnostics.push(
          diagnostic("CATALOG_VALIDATION", "error", `the catalog rejects this descriptor: ${v.title}${v.description ? ` — ${v.description}` : ""}`, {
            hint: "The catalog would refuse this descriptor after merge; fix it as the message says.",
            place: { file: d.file, ...(pos ? { line: pos.line, column: pos.column } : {}) },
          }),
        );
      }
      if (!d.tag) continue;
      const git = await api.getEntityGit(d.tag);
      if (git === undefined) {
        diagnostics.push(diagnostic("CATALOG_DRIFT", "info", `the catalog has no entity "${d.tag}" yet; it will be created when the default branch's descriptor is read`, { place: { file: d.file } }));
      } else if (d.git) {
        const pairs: [string, string | undefined, string | undefined][] = [
          ["provider", git.provider, d.git.provider],
          ["repository", git.repository, d.git.repository],
          ["alias", git.alias, d.git.alias],
          ["basepath", git.basepath?.replace(/^\/+|\/+$/g, "") || undefined, d.git.basepath || undefined],
        ];
        for (const [field, catalog, descriptor] of pairs) {
          if (catalog === undefined && field !== "basepath" && field !== "alias") continue;
          if ((catalog ?? "").toLowerCase() !== (descriptor ?? "").toLowerCase()) {
            const p = locate(d.yaml.doc, d.yaml.lineCounter, ["info", "x-cortex-git", d.git.provider, field === "basepath" ? (d.git.basepathKey ?? "basepath") : field]);
            diagnostics.push(
              diagnostic("CATALOG_DRIFT", "warning", `the catalog has ${field} "${catalog ?? "(none)"}" for "${d.tag}" but the descriptor says "${descriptor ?? "(none)"}"`, {
                hint: "The catalog reads the default branch; it will match once this is merged, or the entity was edited outside GitOps.",
                place: { file: d.file, line: p.line, column: p.column },
              }),
            );
          }
        }
      }
      const custom = await api.getCustomData(d.tag);
      if (custom) customByTag.set(d.tag, custom);
    } catch (err) {
      if (err instanceof CatalogError || err instanceof HttpError) {
        diagnostics.push(
          diagnostic("CATALOG_UNREACHABLE", "warning", `could not check ${d.file} against the catalog: ${err.message}`, {
            hint: err instanceof CatalogError ? err.hint : "Check CORTEX_API_URL and the network; local checks still ran.",
            place: { file: d.file },
          }),
        );
        continue;
      }
      throw err;
    }
  }
  return { diagnostics, customByTag };
}
