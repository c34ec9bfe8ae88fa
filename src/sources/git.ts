import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";

/**
 * Runs git with argument arrays, never through a shell. Every call:
 *  - disables prompts (a missing credential must fail, not hang a build);
 *  - trusts the repository directory even when another uid owns it (a pipe container runs as a
 *    different user than the clone's owner; we only read from it, see FACTS.md);
 *  - has a timeout.
 */
export interface GitResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface GitOptions {
  readonly cwd: string;
  readonly timeoutMs?: number;
  readonly input?: string;
}

export type GitLog = (message: string) => void;

const BASE_ARGS = ["-c", "safe.directory=*", "-c", "core.quotepath=off", "-c", "protocol.file.allow=always"];

export function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: "0",
    GCM_INTERACTIVE: "never",
    GIT_ASKPASS: "",
    SSH_ASKPASS: "",
    LC_ALL: "C",
    // Never let an inherited GIT_DIR/GIT_WORK_TREE point us at another repository.
    GIT_DIR: undefined,
    GIT_WORK_TREE: undefined,
    GIT_INDEX_FILE: undefined,
  };
}

export class Git {
  constructor(private readonly log: GitLog = () => {}) {}

  async run(args: readonly string[], options: GitOptions): Promise<GitResult> {
    const started = Date.now();
    const child = spawn("git", [...BASE_ARGS, ...args], { cwd: options.cwd, env: gitEnv(), stdio: "pipe" });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    // git may exit before reading its stdin (e.g. not a repository): that is not our error.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
    try {
      const [code, signal] = (await Promise.race([
        once(child, "close"),
        once(child, "error").then(([e]) => {
          throw e;
        }),
      ])) as [number | null, NodeJS.Signals | null];
      const stderr = Buffer.concat(err).toString("utf8");
      this.log(`git ${args.join(" ")} → ${code ?? signal} in ${Date.now() - started} ms`);
      return {
        code: code ?? (signal === "SIGKILL" ? 124 : 128),
        stdout: Buffer.concat(out),
        stderr: signal === "SIGKILL" ? `timed out after ${options.timeoutMs ?? 120_000} ms\n${stderr}` : stderr,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs and returns stdout as text, throwing with git's own message on a non-zero exit. */
  async text(args: readonly string[], options: GitOptions): Promise<string> {
    const r = await this.run(args, options);
    if (r.code !== 0) throw new GitCommandError(args, r);
    return r.stdout.toString("utf8");
  }

  startBatch(cwd: string): BlobReader {
    return new BlobReader(spawn("git", [...BASE_ARGS, "cat-file", "--batch"], { cwd, env: gitEnv(), stdio: "pipe" }));
  }
}

export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: GitResult,
  ) {
    super(`git ${args.join(" ")} failed (${result.code}): ${result.stderr.trim().split("\n").slice(-3).join(" ")}`);
  }
}

/**
 * One long-lived `git cat-file --batch`: requests are written in order and answered in order,
 * so a FIFO of pending reads is all the bookkeeping needed.
 */
export class BlobReader {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  private failed: Error | undefined;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.drain();
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const p of this.pending.splice(0)) p.reject(e);
    };
    child.on("error", fail);
    child.on("close", () => fail(new Error("git cat-file --batch exited")));
    child.stdin.on("error", () => {});
  }

  read(oid: string): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    if (!/^[0-9a-f]{40,64}$/.test(oid)) return Promise.reject(new Error(`not an object id: ${oid}`));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(`${oid}\n`);
    });
  }

  private drain(): void {
    for (;;) {
      const head = this.pending[0];
      if (!head) return;
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const header = this.buffer.subarray(0, nl).toString("utf8");
      if (header.endsWith(" missing")) {
        this.buffer = this.buffer.subarray(nl + 1);
        this.pending.shift();
        head.reject(new Error(`object ${header.split(" ")[0]} is missing`));
        continue;
      }
      const size = Number(header.split(" ")[2]);
      if (!Number.isFinite(size)) {
        this.pending.shift();
        head.reject(new Error(`unexpected cat-file header: ${header}`));
        return;
      }
      if (this.buffer.length < nl + 1 + size + 1) return;
      const body = Buffer.from(this.buffer.subarray(nl + 1, nl + 1 + size));
      this.buffer = this.buffer.subarray(nl + 1 + size + 1);
      this.pending.shift();
      head.resolve(body);
    }
  }

  close(): void {
    this.child.stdin.end();
  }
}
