// The server extension's REST API (python/sparkconnect/web/), reached through Jupyter's own
// server: ServerConnection adds the token and the XSRF header every request needs.

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** One notebook attached to the server. */
export interface IAttached {
  name: string;
  title: string;
  path: string;
  me: boolean;
}

/** What went wrong at the last start, as cards for the page. */
export interface IFailure {
  html: string;
  text: string;
  cause: string;
}

/** The server's state: the keys of the panel's `server` value, and a few more. */
export interface IServerState {
  state: string;
  label: string;
  attached: IAttached[];
  others: number;
  problem: string;
  log_path: string;
  ui_url: string;
  summary: string;
  rows: [string, string][];
  started_at: number | null;
  server_time: number;
  spark_version: string;
  master: string;
  busy: string;
  failure: IFailure | null;
}

export interface IVersioned {
  version: number;
  state: IServerState;
}

/** What an action or a conf save said, with its card. */
export interface IOutcome {
  ok: boolean;
  level: 'info' | 'error';
  html: string;
  text: string;
  start_failed?: boolean;
  session?: Record<string, string>;
}

export interface IConfRow {
  key: string;
  value: string;
  scope: string;
}

export interface IConf {
  profiles: { name: string; label?: string; description: string }[];
  profile: string;
  profiles_error: string;
  rows: IConfRow[];
  version: number;
  plan_html: string;
  known_keys: [string, string, string][];
}

export interface ILog {
  path: string;
  level: string;
  grep: string;
  lines: [string, string][];
  notes: string[];
}

export interface IJobs {
  rows: { status: string }[];
  notes: string[];
}

/** The page's base URL, as Jupyter serves it (ends with a slash). */
export function baseUrl(): string {
  return ServerConnection.makeSettings().baseUrl;
}

/** GET or POST one endpoint below sparkconnect/api/; throws on a network error or an error
 * status, with the server's message when it sent one. */
export async function request<T>(
  endpoint: string,
  body?: unknown,
  init: RequestInit = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'sparkconnect', 'api', endpoint);
  const options: RequestInit =
    body === undefined
      ? { method: 'GET', ...init }
      : { method: 'POST', body: JSON.stringify(body), ...init };
  const response = await ServerConnection.makeRequest(url, options, settings);
  const text = await response.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text };
  }
  if (!response.ok) {
    const said = (data && (data.message || data.reason)) || response.statusText;
    throw new ServerConnection.ResponseError(response, `${endpoint}: ${said}`);
  }
  return data as T;
}

/** `path?key=value&...`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number>): string {
  const parts = Object.entries(query)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length ? `${path}?${parts.join('&')}` : path;
}
