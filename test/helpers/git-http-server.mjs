// A git server over smart HTTP on loopback: node's http server in front of `git http-backend`
// (CGI), serving every bare repository under argv[2]. Runs as its own process so tests may call
// git synchronously (execFileSync) against it without blocking its event loop.
// Prints "listening <url>" on stdout when ready; logs each request as "request <method> <path>".
import { spawn } from "node:child_process";
import { createServer } from "node:http";

const root = process.argv[2];
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  process.stdout.write(`request ${req.method} ${url.pathname}${url.search}\n`);
  const cgi = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH ?? "",
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      GIT_CONFIG_NOSYSTEM: "1",
      // The repositories belong to whoever made them; this server only serves them.
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "safe.directory",
      GIT_CONFIG_VALUE_0: "*",
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
      GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      REMOTE_ADDR: "127.0.0.1",
    },
  });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on("data", (chunk) => {
    if (headersDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
      const i = line.indexOf(":");
      const name = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  cgi.on("close", () => res.end());
  cgi.on("error", () => res.writeHead(500).end());
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
