import { closest } from "../text.js";
import { CATALOG_ONLY_ENTITY, CATALOG_ONLY_GIT, CATALOG_ONLY_GLOBALS } from "./catalog-only.js";
import type { EvalEnv } from "./context.js";
import { caseInsensitiveMatch, globMatches, isGlob, readContents, resolveEntry, resolveRulePath, submoduleWhy } from "./files.js";
import { parseDuration, parseSemver } from "./methods.js";
import { EvalError, fromJson, HandleValue, isUnknown, typeName, Unknown, type Handle, type Value } from "./values.js";

/**
 * The names a rule can start from. Exhaustive by construction: every name is either local
 * (evaluated here), catalog-only (unknown), or unknown to everyone (an error with "did you mean").
 */
const catalogOnly = (path: string): Handle => ({
  handleName: path,
  methods: [],
  isNull: new Unknown(`whether ${path} is set up for this entity is known only to the catalog`),
  get: (name) => new Unknown(`${path}.${name} needs data only the catalog collects`),
  call: (name) => new Unknown(`${path}.${name}() needs data only the catalog collects`),
});

/** Methods of the local namespaces, for "did you mean" and the static name check. */
export const HANDLE_METHODS: Readonly<Record<"git" | "entity" | "ownership", readonly string[]>> = {
  git: ["fileExists", "fileContents", "defaultBranch", ...CATALOG_ONLY_GIT],
  entity: ["tag", "name", "description", "type", "groups", "owners", ...CATALOG_ONLY_ENTITY],
  ownership: ["teams", "emails", "slackChannels", "allOwners"],
};

function arg(args: readonly Value[], i: number, fn: string, type: "string"): string {
  const v = args[i] ?? null;
  if (typeof v !== type) throw new EvalError(`${fn} expects a ${type} as argument ${i + 1}, got ${typeName(v)}`);
  return v as string;
}

function gitHandle(env: EvalEnv): Handle {
  const where = env.tree.label === "this commit" ? "in this commit" : `on ${env.tree.label}`;
  return {
    handleName: "git",
    methods: HANDLE_METHODS.git,
    async call(name, args) {
      switch (name) {
        case "fileExists": {
          const p = arg(args, 0, "git.fileExists()", "string");
          const path = resolveRulePath(env.basepath, p);
          if (isGlob(p)) {
            const hits = globMatches(env.tree, path);
            if (!hits.length) env.notes.push(`nothing matches ${path} ${where}`);
            return hits.length > 0;
          }
          const r = await resolveEntry(env.tree, path);
          if ("entry" in r) return true;
          if ("submodule" in r) return new Unknown(submoduleWhy(r.submodule));
          const near = caseInsensitiveMatch(env.tree, path);
          env.notes.push(`${r.missing.replace(/ does not exist$/, ` does not exist ${where}`)}${near ? ` (did you mean ${near}? paths are case-sensitive)` : ""}`);
          return false;
        }
        case "fileContents": {
          const p = arg(args, 0, "git.fileContents()", "string");
          const path = resolveRulePath(env.basepath, p);
          const c = await readContents(env.tree, path);
          if (c.kind === "text") return c.text;
          if (c.kind === "unreadable") return new Unknown(c.why);
          const near = caseInsensitiveMatch(env.tree, path);
          env.notes.push(`${c.why.replace(/ does not exist$/, ` does not exist ${where}`)}${near ? ` (did you mean ${near}?)` : ""}`);
          return null;
        }
        case "defaultBranch":
          return env.defaultBranchName;
        default:
          if ((CATALOG_ONLY_GIT as readonly string[]).includes(name)) return new Unknown(`git.${name}() needs data only the catalog collects`);
          return undefined;
      }
    },
  };
}

function ownersOf(env: EvalEnv, type: string): Value {
  return env.entity.owners
    .filter((o) => o.type.toUpperCase() === type)
    .map((o) => fromJson({ ...o, type: o.type.toUpperCase() }));
}

function entityHandle(env: EvalEnv): Handle {
  const e = env.entity;
  return {
    handleName: "entity",
    methods: HANDLE_METHODS.entity,
    call(name) {
      switch (name) {
        case "tag":
          return e.tag ?? null;
        case "name":
          return e.name ?? null;
        case "description":
          return e.description ?? null;
        case "type":
          return e.type;
        case "groups":
          return e.groups.map((g) => ({ name: g }));
        case "owners":
          return e.owners.map((o) => fromJson(o));
        default:
          if ((CATALOG_ONLY_ENTITY as readonly string[]).includes(name)) return new Unknown(`entity.${name}() needs data only the catalog collects`);
          return undefined;
      }
    },
  };
}

function ownershipHandle(env: EvalEnv): Handle {
  return {
    handleName: "ownership",
    methods: HANDLE_METHODS.ownership,
    // The descriptor is where a GitOps entity's owners live: no owner there, no ownership.
    isNull: env.entity.owners.length === 0,
    call(name) {
      switch (name) {
        case "teams":
          return ownersOf(env, "GROUP");
        case "emails":
          return ownersOf(env, "EMAIL");
        case "slackChannels":
          return ownersOf(env, "SLACK");
        case "allOwners":
          return env.entity.owners.map((o) => fromJson(o));
        default:
          return undefined;
      }
    },
  };
}

export type GlobalFunction = (env: EvalEnv, args: readonly Value[], named: ReadonlyMap<string, Value>, jq: (v: Value, f: string) => Promise<Value>) => Value | Promise<Value>;

/** Top-level functions evaluated here. */
export const FUNCTIONS: Record<string, GlobalFunction> = {
  custom(env, args) {
    const key = arg(args, 0, "custom()", "string");
    const meta = env.entity.customMetadata;
    if (Object.hasOwn(meta, key)) return fromJson(meta[key]);
    // With the catalog's custom data at hand (an API key), a key in neither place is null, as
    // the catalog says; without it the key may have been sent through the catalog's API.
    if (env.catalogCustom) return env.catalogCustom.has(key) ? fromJson(env.catalogCustom.get(key)) : null;
    return new Unknown(`custom("${key}") is not in x-cortex-custom-metadata; the catalog may hold it from its API (set CORTEX_API_KEY to check)`);
  },
  async jq(_env, args, _named, jq) {
    const input = args[0] ?? null;
    const filter = arg(args, 1, "jq()", "string");
    if (isUnknown(input)) return input;
    return jq(input, filter);
  },
  semver(_env, args) {
    const text = arg(args, 0, "semver()", "string");
    const v = parseSemver(text);
    if (!v) throw new EvalError(`semver("${text}") is not a version like 1.2.3`);
    return v;
  },
  duration(_env, args) {
    const text = arg(args, 0, "duration()", "string");
    const d = parseDuration(text);
    if (!d) throw new EvalError(`duration("${text}") is not an ISO-8601 duration like P7D or PT1H`);
    return d;
  },
  groups(env) {
    return env.entity.groups.map((g) => ({ name: g }));
  },
  hasGroup(env, args) {
    return env.entity.groups.includes(arg(args, 0, "hasGroup()", "string"));
  },
  tag(env) {
    return env.entity.tag ?? null;
  },
  now() {
    return new Date().toISOString();
  },
};

/** Resolves a bare identifier. Returns `undefined` for a name nobody knows. */
export function globalValue(env: EvalEnv, name: string): Value | undefined {
  switch (name) {
    case "git":
      // `git != null` holds when the descriptor links a repository, as in the catalog.
      if (env.entity.hasGit) return new HandleValue(gitHandle(env));
      env.notes.push("git is null: the descriptor has no x-cortex-git block");
      return null;
    case "entity":
      return new HandleValue(entityHandle(env));
    case "ownership":
      return new HandleValue(ownershipHandle(env));
    default:
      if ((CATALOG_ONLY_GLOBALS as readonly string[]).includes(name)) return new HandleValue(catalogOnly(name));
      return undefined;
  }
}

export function isCatalogOnlyFunction(name: string): boolean {
  return (CATALOG_ONLY_GLOBALS as readonly string[]).includes(name);
}

export function unknownName(name: string): EvalError {
  const candidates = ["git", "entity", "ownership", ...Object.keys(FUNCTIONS), ...CATALOG_ONLY_GLOBALS];
  const near = closest(name, candidates);
  return new EvalError(`unknown name "${name}"${near ? ` — did you mean "${near}"?` : ""}`);
}
