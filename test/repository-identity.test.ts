import { describe, expect, it } from "vitest";
import { repositoryIdentity } from "../src/repository-identity.js";

describe("repositoryIdentity", () => {
  it.each([
    [undefined, "http://bitbucket.org/acme/payments", { fullName: "acme/payments", source: "the origin URL" }],
    [undefined, "git@bitbucket.org:acme/payments.git", { fullName: "acme/payments", source: "the origin URL" }],
    [undefined, "https://bitbucket.example.com/scm/PROJ/payments.git", { fullName: "PROJ/payments", source: "the origin URL" }],
    [undefined, "ssh://git@bitbucket.example.com:7999/proj/payments.git", { fullName: "proj/payments", source: "the origin URL" }],
    [undefined, "file:///tmp/trial/w/basic.git", undefined],
    [undefined, "/srv/git/other.git", undefined],
    [undefined, "https://gitlab.com/acme/other.git", undefined],
    [undefined, "git@github.com:acme/other.git", undefined],
    ["acme/real", "https://gitlab.com/acme/other.git", { fullName: "acme/real", source: "BITBUCKET_REPO_FULL_NAME" }],
  ])("%s, %s", (name, url, want) => expect(repositoryIdentity(name, url)).toEqual(want));
});
