import { platformMessage, type HttpResponse } from "../http/client.js";

/**
 * Turns a failed response into a sentence with its fix: 401/403 name the variable or token
 * scope, 404 names what might be wrong, 400 quotes the platform's own message.
 */
export function explainFailure(
  res: HttpResponse,
  what: string,
  fixes: { readonly auth: string; readonly notFound: string },
): { message: string; hint: string } {
  const said = platformMessage(res.text);
  const quote = said ? `: ${said}` : "";
  switch (res.status) {
    case 401:
    case 403:
      return { message: `${what} was refused (${res.status})${quote}`, hint: fixes.auth };
    case 404:
      return { message: `${what} was not found (404)${quote}`, hint: fixes.notFound };
    case 400:
    case 422:
      return { message: `${what} was rejected (${res.status})${quote}`, hint: "This is a bug in the pipe if it persists; please report it with the message above." };
    case 429:
      return { message: `${what} was rate-limited (429) beyond the retry budget${quote}`, hint: "Re-run later, or reduce how many builds publish at once." };
    default:
      return { message: `${what} failed (${res.status})${quote}`, hint: "The service may be down; re-run the step later." };
  }
}
