/**
 * Exceptions are for the unexpected and for the few conditions that stop a run before a
 * trustworthy report can exist. Each carries the exit status it maps to, decided in main.
 */
export class PipeError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad variable, flag or usage: exit 2. Carries every problem found, not just the first. */
export class ConfigError extends PipeError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"), "See --help or the README's Variables table.");
  }
}

/** The working directory is not a git repository (or git is missing): exit 2. */
export class RepositoryError extends PipeError {}

/** Git or a service failed in a way that leaves no trustworthy result: exit 3. */
export class EnvironmentError extends PipeError {
  constructor(
    readonly code: "DEFAULT_BRANCH_UNRESOLVED" | "GIT" | "CATALOG_UNREACHABLE",
    message: string,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, hint, options);
  }
}
