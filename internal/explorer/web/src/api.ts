// The explorer is a client of the public GraphQL endpoint only: every
// request goes to /query on this origin, with the tab's bearer token when
// one was given (dev mode sends none).

const TOKEN = "kolgraph.token";
const DEV = "kolgraph.dev";

export interface Session {
  token?: string;
  dev: boolean;
}

export function session(): Session | null {
  const token = sessionStorage.getItem(TOKEN) || undefined;
  if (token) return { token, dev: false };
  if (sessionStorage.getItem(DEV) === "1") return { dev: true };
  return null;
}

export function signIn(token: string | null): void {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(DEV);
  if (token) sessionStorage.setItem(TOKEN, token.replace(/^Bearer\s+/i, "").trim());
  else sessionStorage.setItem(DEV, "1");
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(DEV);
}

// Claims of the token, read for display only (the service checks them).
export function claims(): { sub?: string; role?: string; territories?: string[] } {
  const tok = session()?.token;
  if (!tok) return {};
  try {
    const b = tok.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(b))));
  } catch {
    return {};
  }
}

export interface GQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [k: string]: unknown };
}

export class APIError extends Error {
  constructor(public errors: GQLError[]) {
    super(errors.map((e) => `${e.extensions?.code ?? ""} ${e.message}`).join("; "));
  }
}

export interface Result<T> {
  data: T;
  errors: GQLError[];
}

// gql runs one operation; partial errors (a masked contact field) come
// back beside the data, and only an answer without data throws.
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<Result<T>> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json" };
  const tok = session()?.token;
  if (tok) headers.Authorization = "Bearer " + tok;
  const res = await fetch("/query", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  let body: { data?: T; errors?: GQLError[] };
  try {
    body = await res.json();
  } catch {
    throw new APIError([{ message: `HTTP ${res.status}` }]);
  }
  if (!body.data) throw new APIError(body.errors ?? [{ message: `HTTP ${res.status}` }]);
  return { data: body.data, errors: body.errors ?? [] };
}
