import type { Descriptor } from "../descriptor/model.js";
import type { EntityFacts } from "./context.js";

/** What rules see of an entity: its descriptor, read once. */
export function factsFromDescriptor(d: Descriptor): EntityFacts {
  return {
    tag: d.tag,
    name: d.title,
    description: d.description,
    type: d.type,
    owners: d.owners,
    groups: d.groups,
    customMetadata: d.customMetadata,
    hasGit: d.git !== undefined,
  };
}

/**
 * The basepath rules resolve paths against. One that would leave the repository (`../x`, `/x`)
 * is reported by the descriptor checks (BASEPATH_INVALID); rules then read from the root rather
 * than from outside the repository.
 */
export function ruleBasepath(d: Descriptor): string {
  const b = d.git?.basepath ?? "";
  return b.startsWith("/") || b.split("/").includes("..") ? "" : b;
}
