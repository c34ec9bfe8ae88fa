// Runs a command once and says how long it took, how much memory it held at its peak, and how
// much CPU it and its children used (user + system: steadier than wall time on a shared machine).
//
// Peak RSS comes from GNU time (`/usr/bin/time -f %M`: the largest resident set of the process
// or of any one of its children, in KiB) when it is installed; otherwise from polling
// /proc/<pid>/status for VmHWM (the kernel's own high-water mark) until the process exits, which
// can miss growth in the last few milliseconds and never sees the children.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const GNU_TIME = ["/usr/bin/time", "/bin/time"].find((p) => existsSync(p) && gnuTime(p));

function gnuTime(p) {
  try {
    return readFileSync(p).includes("Maximum resident set size");
  } catch {
    return false;
  }
}

let seq = 0;

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{cwd?: string, env?: NodeJS.ProcessEnv, input?: string | Buffer, stdout?: "ignore" | "pipe", timeoutMs?: number}} [opts]
 * @returns {Promise<{ms: number, rssKiB: number | undefined, cpuMs: number | undefined, code: number | null, stdout: string, stderr: string}>}
 */
export function measure(cmd, args, opts = {}) {
  const timeFile = path.join(os.tmpdir(), `csp-bench-time-${process.pid}-${++seq}`);
  const [bin, argv] = GNU_TIME ? [GNU_TIME, ["-f", "%M %U %S", "-o", timeFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(bin, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["pipe", opts.stdout ?? "pipe", "pipe"] });
    const out = [];
    const err = [];
    child.stdout?.on("data", (b) => out.push(b));
    child.stderr.on("data", (b) => err.push(b));
    let hwm;
    const poll = GNU_TIME ? undefined : setInterval(() => (hwm = vmHwm(child.pid) ?? hwm), 5);
    const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (poll) clearInterval(poll);
      if (timer) clearTimeout(timer);
      let rssKiB = hwm;
      let cpuMs;
      if (GNU_TIME) {
        try {
          const [m, u, s] = readFileSync(timeFile, "utf8").trim().split("\n").pop().split(" ").map(Number);
          rssKiB = m;
          cpuMs = (u + s) * 1000;
        } catch {
          rssKiB = undefined;
        }
        rmSync(timeFile, { force: true });
      }
      resolve({ ms, rssKiB, cpuMs, code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

function vmHwm(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
