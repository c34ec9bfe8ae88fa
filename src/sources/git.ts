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

  /**
   * The one place a git process lives: spawn, stdin, stderr, timeout (SIGKILL), wait, log.
   * `onStdout` sees each chunk and may stop the process with `kill`.
   */
  private async execute(
    args: readonly string[],
    options: GitOptions,
    onStdout: (chunk: Buffer, kill: () => void) => void,
  ): Promise<{ readonly code: number; readonly stderr: string }> {
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? 120_000;
    const child = spawn("git", [...BASE_ARGS, ...args], { cwd: options.cwd, env: gitEnv(), stdio: "pipe" });
    const err: Buffer[] = [];
    const kill = () => child.kill("SIGKILL");
    child.stdout.on("data", (chunk: Buffer) => onStdout(chunk, kill));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const timer = setTimeout(kill, timeoutMs);
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
      this.log(`git ${args.join(" ")} → ${code ?? signal} in ${Date.now() - started} ms`);
      const stderr = Buffer.concat(err).toString("utf8");
      return {
        code: code ?? (signal === "SIGKILL" ? 124 : 128),
        stderr: signal === "SIGKILL" ? `timed out after ${timeoutMs} ms\n${stderr}` : stderr,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async run(args: readonly string[], options: GitOptions): Promise<GitResult> {
    const out: Buffer[] = [];
    const r = await this.execute(args, options, (chunk) => out.push(chunk));
    return { code: r.code, stdout: Buffer.concat(out), stderr: r.stderr };
  }

  /** Runs and returns stdout as text, throwing with git's own message on a non-zero exit. */
  async text(args: readonly string[], options: GitOptions): Promise<string> {
    const r = await this.run(args, options);
    if (r.code !== 0) throw new GitCommandError(args, r);
    return r.stdout.toString("utf8");
  }

  /**
   * Runs git and hands its stdout to `onText` as text cut at NUL bytes, while git is still
   * writing: a listing of a million entries is parsed as it arrives, on the other core, and never
   * held as one buffer. Throws with git's own message on a non-zero exit.
   */
  async records(args: readonly string[], options: GitOptions, onText: (text: string) => void): Promise<void> {
    let rest: Buffer | undefined;
    let failure: unknown;
    const r = await this.execute(args, options, (chunk, kill) => {
      if (failure) return;
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      const end = buf.lastIndexOf(0);
      if (end < 0) {
        rest = buf;
        return;
      }
      rest = end + 1 < buf.length ? Buffer.from(buf.subarray(end + 1)) : undefined;
      try {
        // Whole records only: a UTF-8 sequence never contains a NUL, so none is cut in two.
        onText(buf.toString("utf8", 0, end + 1));
      } catch (e) {
        failure = e;
        kill();
      }
    });
    if (failure) throw failure;
    if (r.code !== 0 || (rest && rest.length > 0)) {
      const stderr = r.code === 0 ? `output ended inside a record\n${r.stderr}` : r.stderr;
      throw new GitCommandError(args, { code: r.code, stdout: Buffer.alloc(0), stderr });
    }
  }

  startBatch(cwd: string): BlobReader {
    return new BlobReader(
      () => spawn("git", [...BASE_ARGS, "cat-file", "--batch"], { cwd, env: gitEnv(), stdio: "pipe" }),
      () => spawn("git", [...BASE_ARGS, "cat-file", "--batch-check"], { cwd, env: gitEnv(), stdio: "pipe" }),
    );
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
 * Long-lived `git cat-file --batch` (contents) and `--batch-check` (sizes), each started on first
 * use: requests are written in order and answered in order, so a FIFO of pending requests is all
 * the bookkeeping needed.
 */
export class BlobReader {
  private readonly contents: BatchProcess<Buffer>;
  private readonly sizes: BatchProcess<number>;

  constructor(startContents: () => ChildProcessWithoutNullStreams, startSizes: () => ChildProcessWithoutNullStreams) {
    this.contents = new BatchProcess(startContents, true);
    this.sizes = new BatchProcess(startSizes, false);
  }

  read(oid: string): Promise<Buffer> {
    return this.contents.request(oid);
  }

  /** The object's size in bytes, without reading it. */
  size(oid: string): Promise<number> {
    return this.sizes.request(oid);
  }

  close(): void {
    this.contents.close();
    this.sizes.close();
  }
}

/**
 * One `cat-file` process. Output arrives in chunks of any size: the header is parsed once it is
 * complete, then the body is copied once into a buffer of its exact size (concatenating every
 * chunk onto what came before would copy a large blob over and over).
 */
class BatchProcess<T extends Buffer | number> {
  private child: ChildProcessWithoutNullStreams | undefined;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private readonly pending: { resolve: (v: T) => void; reject: (e: Error) => void }[] = [];
  private failed: Error | undefined;
  /** The reply being received: its body buffer and how much of it is filled. */
  private body: { data: Buffer; filled: number } | undefined;

  constructor(
    private readonly start: () => ChildProcessWithoutNullStreams,
    private readonly withBody: boolean,
  ) {}

  request(oid: string): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    if (!/^[0-9a-f]{40,64}$/.test(oid)) return Promise.reject(new Error(`not an object id: ${oid}`));
    const child = this.child ?? this.spawn();
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      child.stdin.write(`${oid}\n`);
    });
  }

  private spawn(): ChildProcessWithoutNullStreams {
    const child = this.start();
    this.child = child;
    child.stdout.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.drain();
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const p of this.pending.splice(0)) p.reject(e);
    };
    child.on("error", fail);
    child.on("close", () => fail(new Error("git cat-file exited")));
    child.stdin.on("error", () => {});
    return child;
  }

  /** Takes `n` bytes off the front of the buffered chunks. */
  private take(n: number, into?: Buffer, at = 0): Buffer {
    const out = into ?? Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const want = n - filled;
      if (c.length <= want) {
        c.copy(out, at + filled);
        filled += c.length;
        this.chunks.shift();
      } else {
        c.copy(out, at + filled, 0, want);
        this.chunks[0] = c.subarray(want);
        filled += want;
      }
    }
    this.buffered -= n;
    return out;
  }

  private headerEnd(): number {
    let offset = 0;
    for (const c of this.chunks) {
      const nl = c.indexOf(10);
      if (nl >= 0) return offset + nl;
      offset += c.length;
    }
    return -1;
  }

  private drain(): void {
    for (;;) {
      const head = this.pending[0];
      if (!head) return;
      if (this.body) {
        // Fill the body in place; the reply ends with a newline after it.
        const { data } = this.body;
        const want = Math.min(data.length - this.body.filled, this.buffered);
        this.take(want, data, this.body.filled);
        this.body.filled += want;
        if (this.body.filled < data.length || this.buffered < 1) return;
        this.take(1);
        this.body = undefined;
        this.pending.shift();
        head.resolve(data as T);
        continue;
      }
      const nl = this.headerEnd();
      if (nl < 0) return;
      const header = this.take(nl + 1).toString("utf8", 0, nl);
      if (header.endsWith(" missing")) {
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
      if (!this.withBody) {
        this.pending.shift();
        head.resolve(size as T);
        continue;
      }
      this.body = { data: Buffer.allocUnsafe(size), filled: 0 };
    }
  }

  close(): void {
    this.child?.stdin.end();
  }
}
