import type { LoadedYaml } from "../yaml/load.js";

export type GitProvider = "github" | "gitlab" | "bitbucket" | "azure";

export interface DescriptorGit {
  readonly provider: GitProvider;
  readonly repository: string | undefined;
  readonly project: string | undefined;
  /** Normalised: no leading "./", no trailing "/", "" for the repository root. */
  readonly basepath: string | undefined;
  /** The raw value as written, for messages. */
  readonly basepathRaw: string | undefined;
  /** Which key held it (`basepath` or the deprecated `basePath`), for locating it. */
  readonly basepathKey: "basepath" | "basePath" | undefined;
  readonly alias: string | undefined;
}

export interface Owner {
  readonly type: string;
  readonly name?: string;
  readonly email?: string;
  readonly channel?: string;
  readonly provider?: string;
}

/** What the rest of the pipe needs from a descriptor, read once after validation. */
export interface Descriptor {
  readonly file: string;
  readonly yaml: LoadedYaml;
  readonly tag: string | undefined;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly type: string;
  readonly owners: readonly Owner[];
  readonly groups: readonly string[];
  readonly customMetadata: Readonly<Record<string, unknown>>;
  readonly git: DescriptorGit | undefined;
  /** Every provider key found under x-cortex-git (normally one). */
  readonly gitProviders: readonly string[];
  readonly info: Readonly<Record<string, unknown>>;
}
