import type { Owner } from "../descriptor/model.js";
import type { FileTree } from "../sources/tree.js";
import type { JqRunner } from "./jq.js";
import type { RegexRunner } from "./regex.js";

/** What the entity looks like to rules: read from its descriptor. */
export interface EntityFacts {
  readonly tag: string | undefined;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly type: string;
  readonly owners: readonly Owner[];
  readonly groups: readonly string[];
  readonly customMetadata: Readonly<Record<string, unknown>>;
  /** The descriptor links a git repository (so `git != null`). */
  readonly hasGit: boolean;
}

/** Everything one evaluation of one rule on one tree needs. */
export interface EvalEnv {
  readonly tree: FileTree;
  readonly basepath: string;
  readonly defaultBranchName: string;
  readonly entity: EntityFacts;
  /** Custom data the catalog holds for this entity (fetched with an API key), by key. */
  readonly catalogCustom: ReadonlyMap<string, unknown> | undefined;
  readonly regex: RegexRunner;
  readonly jq: JqRunner;
  /** Facts gathered while evaluating ("README.md does not exist on main"), to explain a failure. */
  readonly notes: string[];
}
