import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

/**
 * Starts git-http-server.mjs (git smart HTTP over loopback) in its own process and resolves
 * with its URL. Requests it served are collected in `requests`.
 */
export interface GitHttpServer {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

export function startGitHttp(root: string): Promise<GitHttpServer> {
  const child = spawn(process.execPath, [path.join(__dirname, "git-http-server.mjs"), root], { stdio: ["ignore", "pipe", "inherit"] });
  const requests: string[] = [];
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`git http server exited (${code})`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith("request ")) requests.push(line.slice(8));
      else if (line.startsWith("listening ")) {
        resolve({
          url: line.slice(10),
          requests,
          close: () =>
            new Promise<void>((r) => {
              child.removeAllListeners("exit");
              child.once("exit", () => r());
              child.kill("SIGTERM");
            }),
        });
      }
    });
  });
}
